package io.baton.ha.zookeeper;

import io.baton.ha.FencedException;
import io.baton.protocol.Epoch;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;

/**
 * Runs a leader's write as one ZooKeeper transaction that starts with the fencing checks: {@code /epoch}'s version
 * equals the epoch and, when this process was granted that epoch, its latch node still exists. A failed check, or
 * a term this process knows is revoked, is a {@link FencedException} and nothing is written. Stateless apart from
 * its collaborators; safe from any thread (blocking).
 */
final class Fence {
  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Terms terms;

  Fence(CuratorFramework client, ZkPaths paths, Terms terms) {
    this.client = client;
    this.paths = paths;
    this.terms = terms;
  }

  /**
   * Commits {@code ops} behind the checks. A failure of one of {@code ops} is thrown as the KeeperException, with
   * {@link #failedOp} telling which of {@code ops} it was.
   */
  List<CuratorTransactionResult> commit(Epoch epoch, List<CuratorOp> ops) throws Exception {
    Terms.Term term = terms.get(epoch);
    if ((term != null && !term.active()) || epoch.value() <= 0 || epoch.value() > Integer.MAX_VALUE) {
      throw new FencedException(epoch, "not the current leader");
    }
    List<CuratorOp> all = new ArrayList<>(ops.size() + 2);
    all.add(client.transactionOp().check().withVersion((int) epoch.value()).forPath(paths.epoch()));
    if (term != null) {
      all.add(client.transactionOp().check().forPath(term.latchPath()));
    }
    int checks = all.size();
    all.addAll(ops);
    try {
      return client.transaction().forOperations(all).subList(checks, all.size());
    } catch (KeeperException e) {
      int op = Multi.failedOp(e);
      if (op >= 0 && op < checks) {
        throw new FencedException(epoch, "fencing check failed on ZooKeeper (" + Multi.failedCode(e) + ")", e);
      }
      if (term != null && !terms.isActive(epoch)) {
        throw new FencedException(epoch, "leadership was lost while writing (" + e + ")", e);
      }
      throw new Failed(e, op - checks, Multi.failedCode(e));
    }
  }

  /** One of the caller's ops failed: which ({@code op}, -1 when ZooKeeper did not say) and why. */
  static final class Failed extends Exception {
    final int op;
    final KeeperException.Code code;

    Failed(KeeperException cause, int op, KeeperException.Code code) {
      super(cause.getMessage(), cause);
      this.op = op;
      this.code = code;
    }
  }
}
