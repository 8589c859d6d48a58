package io.baton.ha.zookeeper;

import java.util.List;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/** Helpers for reading a failed ZooKeeper multi-op transaction. Stateless. */
final class Multi {
  private Multi() {}

  /** Index of the op that made the transaction fail, or -1 when the results do not say. */
  static int failedOp(KeeperException e) {
    List<OpResult> results = e.getResults();
    if (results == null) {
      return -1;
    }
    for (int i = 0; i < results.size(); i++) {
      if (results.get(i) instanceof OpResult.ErrorResult err) {
        int code = err.getErr();
        if (code != KeeperException.Code.OK.intValue()
            && code != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
          return i;
        }
      }
    }
    return -1;
  }

  /** The error code of the failing op, or the exception's own code. */
  static KeeperException.Code failedCode(KeeperException e) {
    int i = failedOp(e);
    if (i < 0) {
      return e.code();
    }
    return KeeperException.Code.get(((OpResult.ErrorResult) e.getResults().get(i)).getErr());
  }
}
