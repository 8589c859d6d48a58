package io.baton.ha.zookeeper;

import io.baton.ha.JobStore.Quarantined;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the two job trees ({@link ZkPaths#jobs()}: unfinished, {@link ZkPaths#history()}: settled) and moves a
 * record that cannot be served to the quarantine. Blocking calls on the caller's thread (reads run as parallel
 * background requests it waits for); stateless apart from the client, safe from any thread.
 */
final class JobTrees {
  private static final Logger log = LoggerFactory.getLogger(JobTrees.class);

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Fence fence;

  JobTrees(CuratorFramework client, ZkPaths paths, Terms terms) {
    this.client = client;
    this.paths = paths;
    this.fence = new Fence(client, paths, terms);
  }

  /** One znode under a jobs tree: where it is, its bytes and data version. */
  record Stored(String bucket, String name, String path, byte[] bytes, int version) {}

  /** A job znode's place: its tree's root, bucket and name. */
  record Named(String root, String bucket, String name) {
    String path() {
      return root + "/" + bucket + "/" + name;
    }
  }

  /** Every job znode's name under {@code root} (created when missing), listing the buckets in parallel. */
  List<Named> list(String root) throws Exception {
    ensurePath(root);
    List<String> buckets = client.getChildren().forPath(root);
    ConcurrentLinkedQueue<Named> names = new ConcurrentLinkedQueue<>();
    parallel(buckets, bucket -> root + "/" + bucket, (bucket, event) -> {
      for (String name : event.getChildren()) {
        names.add(new Named(root, bucket, name));
      }
    }, true);
    return new ArrayList<>(names);
  }

  /** The bytes of every named znode (a znode deleted meanwhile is skipped). */
  List<Stored> read(List<Named> names) throws Exception {
    ConcurrentLinkedQueue<Stored> records = new ConcurrentLinkedQueue<>();
    parallel(names, Named::path, (n, event) -> {
      byte[] data = event.getData() == null ? new byte[0] : event.getData();
      records.add(new Stored(n.bucket(), n.name(), n.path(), data, event.getStat().getVersion()));
    }, false);
    return new ArrayList<>(records);
  }

  private <T> void parallel(List<T> items, java.util.function.Function<T, String> pathOf,
      java.util.function.BiConsumer<T, org.apache.curator.framework.api.CuratorEvent> answer, boolean children)
      throws Exception {
    ParallelReads.read(client, items, pathOf, children, "jobs", answer);
  }

  /**
   * Moves {@code s} to the quarantine in one transaction fenced like every leader write: check {@code /epoch}'s
   * version (and our latch node), create {@code quarantine/<name>} with the original bytes and its reason, delete
   * the job znode at the version read. Returns null once moved, or the znode as it is now when it changed under
   * us (to be judged again).
   */
  Stored quarantine(io.baton.protocol.Epoch epoch, Stored s, String reason) throws Exception {
    ensurePath(paths.quarantine());
    String target = paths.quarantined(s.name());
    if (client.checkExists().forPath(target) != null) {
      target = target + "~" + s.bucket() + "~" + System.currentTimeMillis();
    }
    List<CuratorOp> ops = List.of(
        client.transactionOp().create().forPath(target, s.bytes()),
        client.transactionOp().create().forPath(target + "/reason", reason.getBytes(StandardCharsets.UTF_8)),
        client.transactionOp().delete().withVersion(s.version()).forPath(s.path()));
    try {
      fence.commit(epoch, ops);
      log.error("QUARANTINED job record {} ({} bytes) to {}: {}. The leader serves every other job; the original "
          + "bytes are kept there for inspection.", s.path(), s.bytes().length, target, reason);
      return null;
    } catch (Fence.Failed f) {
      if (f.op == 2 && (f.code == KeeperException.Code.BADVERSION || f.code == KeeperException.Code.NONODE)) {
        // rewritten or removed since we read it: read it again
        Stat stat = new Stat();
        try {
          byte[] now = client.getData().storingStatIn(stat).forPath(s.path());
          return new Stored(s.bucket(), s.name(), s.path(), now == null ? new byte[0] : now, stat.getVersion());
        } catch (KeeperException.NoNodeException gone) {
          return null;
        }
      }
      throw (Exception) f.getCause();
    }
  }

  List<Quarantined> listQuarantine() throws Exception {
    List<String> names;
    try {
      names = client.getChildren().forPath(paths.quarantine());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
    List<Quarantined> out = new ArrayList<>(names.size());
    for (String name : names) {
      Stat stat = client.checkExists().forPath(paths.quarantined(name));
      if (stat == null) {
        continue;
      }
      String reason;
      try {
        reason = new String(client.getData().forPath(paths.quarantined(name) + "/reason"), StandardCharsets.UTF_8);
      } catch (KeeperException.NoNodeException noReason) {
        reason = "(no reason recorded)";
      }
      out.add(new Quarantined(name, reason, Instant.ofEpochMilli(stat.getCtime())));
    }
    out.sort(Comparator.comparing(Quarantined::at).thenComparing(Quarantined::id));
    return out;
  }

  void ensurePath(String path) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    } catch (KeeperException.NodeExistsException exists) {
      // fine
    }
  }
}
