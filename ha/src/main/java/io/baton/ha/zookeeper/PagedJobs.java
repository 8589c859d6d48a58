package io.baton.ha.zookeeper;

import io.baton.ha.JobStore.Fire;
import io.baton.ha.JobStore.FireExistsException;
import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.alert.AlertCodec;
import io.baton.protocol.codec.JobPages;
import io.baton.protocol.job.JobRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;

/**
 * Big jobs in ZooKeeper, in {@link JobPages}' paged form: the job's znode {@code jobs/<bucket>/<id>} holds its
 * header, its children {@code s<i>} the spec chunks (written once) and {@code p<i>} the task pages. A change writes
 * the pages whose tasks changed and the header when the job's own fields changed. A paged job stays under
 * {@code jobs/} for its whole life; when it settles, the same write sets its header's {@code settled} flag and puts a
 * copy of the header at {@code history/<bucket>/<id>}, where a leader reading the history finds it.
 *
 * <p>A write bigger than one transaction ({@link ZooKeeperJobStore#MAX_OPS} ops, {@link ZooKeeperJobStore#MAX_BYTES}
 * bytes) is spread over several, the header last: a creation is invisible until its last write marks the header
 * complete (a leader that finds an incomplete one deletes it: its submitter never heard it was accepted); a change of
 * thousands of tasks at once that is cut by a crash leaves some pages newer than the header, which the next leader
 * serves as they are. Every transaction is fenced ({@link Fence}).
 *
 * <p>Threading: the writer lane that owns a job calls {@link #put} and {@link #delete} for it; the loads may run on
 * other threads. The maps are concurrent.
 */
final class PagedJobs {
  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Fence fence;
  private final int maxOps;
  private final int maxBytes;
  /** What this process last wrote of each unsettled paged job, and its number of spec chunks. */
  private final Map<String, Written> written = new ConcurrentHashMap<>();
  /** Every job known to be stored paged (settled ones included). */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  private record Written(JobRecord job, int specChunks) {}

  /** The schedule of a fire is not stored (deleted meanwhile). */
  private static final class NoScheduleException extends Exception {
    NoScheduleException(Fire fire) {
      super("schedule " + fire.schedule() + " is not stored: cannot record " + fire.id());
    }
  }

  /** One op and its size in bytes. */
  private record Sized(CuratorOp op, int bytes) {}

  PagedJobs(CuratorFramework client, ZkPaths paths, Fence fence, int maxOps, int maxBytes) {
    this.client = client;
    this.paths = paths;
    this.fence = fence;
    this.maxOps = maxOps;
    this.maxBytes = maxBytes;
  }

  boolean isKnown(String jobId) {
    return known.contains(jobId);
  }

  /** Learned from a load: the job is stored paged; {@code unsettled} is its record when a leader will change it. */
  void learn(String jobId, JobRecord unsettled, int specChunks) {
    known.add(jobId);
    if (unsettled != null) {
      written.put(jobId, new Written(unsettled, specChunks));
    }
  }

  /**
   * Writes the job's new version (and records {@code fire} with its creation, and {@code alerts} not yet in the
   * outbox: in the job's one transaction when it fits in one, else in its first, so that an alert is never lost). Throws {@link FireExistsException}
   * when the fire was recorded before (nothing of the job is left stored), FencedException, Fence.Failed when the
   * tree is not as this process believed (the caller tries again: the next call reads what is stored), or another
   * exception on an I/O failure.
   */
  void put(Epoch epoch, JobRecord job, Fire fire, List<Alert> alerts) throws Exception {
    String node = paths.job(job.id());
    Written before = written.get(job.id());
    List<Sized> ops = new ArrayList<>();
    int specChunks;
    if (before == null) {
      specChunks = rewrite(job, node, ops);
    } else {
      specChunks = before.specChunks();
      for (int p = 0; p < JobPages.pageCount(job.tasks().size()); p++) {
        if (JobPages.pageChanged(before.job(), job, p)) {
          byte[] page = JobPages.encodePage(job, p);
          ops.add(new Sized(client.transactionOp().setData().forPath(node + "/p" + p, page), page.length));
        }
      }
      if (headerChanged(before.job(), job)) {
        addHeader(job, specChunks, node, ops, !before.job().settled() && job.settled(), before.job().settled() && !job.settled());
      }
    }
    if (fire != null) {
      ops.add(new Sized(client.transactionOp().create().forPath(paths.fire(fire.schedule(), fire.scheduledAt()),
          job.id().getBytes(StandardCharsets.UTF_8)), 64));
    }
    int fireIndex = fire != null ? ops.size() - 1 : -1;
    List<Sized> alertOps = new ArrayList<>();
    for (Alert alert : alerts) {
      if (client.checkExists().forPath(paths.alert(alert.id())) == null) {
        ensure(paths.alerts());
        byte[] bytes = AlertCodec.encode(alert);
        alertOps.add(new Sized(client.transactionOp().create().forPath(paths.alert(alert.id()), bytes), bytes.length));
      }
    }
    int total = ops.stream().mapToInt(o -> o.bytes() + 64).sum() + alertOps.stream().mapToInt(o -> o.bytes() + 64).sum();
    if (ops.size() + alertOps.size() <= maxOps - 2 && total <= maxBytes) {
      ops.addAll(alertOps);
    } else {
      ops.addAll(0, alertOps);
      fireIndex = fireIndex < 0 ? -1 : fireIndex + alertOps.size();
    }
    try {
      commit(epoch, ops, fireIndex, fire);
    } catch (FireExistsException | NoScheduleException refused) {
      // nothing of the job was accepted: remove what a creation spread over several writes left
      forget(job.id());
      deleteTree(epoch, job.id());
      if (refused instanceof NoScheduleException) {
        throw new IllegalStateException(refused.getMessage());
      }
      throw refused;
    } catch (Exception e) {
      written.remove(job.id());
      throw e;
    }
    known.add(job.id());
    if (job.settled()) {
      written.remove(job.id());
    } else {
      written.put(job.id(), new Written(job, specChunks));
    }
  }

  /** Removes the job's tree and its history entry. */
  void delete(Epoch epoch, String jobId) throws Exception {
    deleteTree(epoch, jobId);
    forget(jobId);
  }

  private void forget(String jobId) {
    written.remove(jobId);
    known.remove(jobId);
  }

  private void deleteTree(Epoch epoch, String jobId) throws Exception {
    List<Sized> ops = new ArrayList<>();
    addTreeDeletes(jobId, ops);
    commit(epoch, ops, -1, null);
  }

  /** Deletes of whatever is stored of the job: its parts, its znode (last), its history entry. */
  private void addTreeDeletes(String jobId, List<Sized> ops) throws Exception {
    String node = paths.job(jobId);
    try {
      for (String child : client.getChildren().forPath(node)) {
        ops.add(new Sized(client.transactionOp().delete().forPath(node + "/" + child), 0));
      }
      ops.add(new Sized(client.transactionOp().delete().forPath(node), 0));
    } catch (KeeperException.NoNodeException gone) {
      // only the history entry may be left
    }
    if (client.checkExists().forPath(paths.historyJob(jobId)) != null) {
      ops.add(new Sized(client.transactionOp().delete().forPath(paths.historyJob(jobId)), 0));
    }
  }

  /**
   * The ops that make the stored tree this job, whatever part of it is stored (none, an interrupted creation, an
   * older version): creates what is missing, rewrites the pages and the header. Returns its number of spec chunks.
   */
  private int rewrite(JobRecord job, String node, List<Sized> ops) throws Exception {
    List<byte[]> spec = JobPages.encodeSpec(job.spec());
    Set<String> children = new HashSet<>();
    boolean exists;
    try {
      children.addAll(client.getChildren().forPath(node));
      exists = true;
    } catch (KeeperException.NoNodeException none) {
      exists = false;
      ensure(paths.jobBucket(job.id()));
    }
    if (!exists) {
      byte[] incomplete = JobPages.encodeHeader(JobPages.Header.of(job, spec.size(), false));
      ops.add(new Sized(client.transactionOp().create().forPath(node, incomplete), incomplete.length));
    }
    for (int i = 0; i < spec.size(); i++) {
      if (!children.contains("s" + i)) {
        ops.add(new Sized(client.transactionOp().create().forPath(node + "/s" + i, spec.get(i)), spec.get(i).length));
      }
    }
    for (int p = 0; p < JobPages.pageCount(job.tasks().size()); p++) {
      byte[] page = JobPages.encodePage(job, p);
      String path = node + "/p" + p;
      ops.add(new Sized(children.contains("p" + p) ? client.transactionOp().setData().forPath(path, page)
          : client.transactionOp().create().forPath(path, page), page.length));
    }
    boolean inHistory = client.checkExists().forPath(paths.historyJob(job.id())) != null;
    addHeader(job, spec.size(), node, ops, job.settled() && !inHistory, !job.settled() && inHistory);
    if (job.settled() && inHistory) {
      byte[] header = JobPages.encodeHeader(JobPages.Header.of(job, spec.size(), true));
      ops.add(new Sized(client.transactionOp().setData().forPath(paths.historyJob(job.id()), header), header.length));
    }
    return spec.size();
  }

  private void addHeader(JobRecord job, int specChunks, String node, List<Sized> ops, boolean enterHistory,
      boolean leaveHistory) throws Exception {
    byte[] header = JobPages.encodeHeader(JobPages.Header.of(job, specChunks, true));
    ops.add(new Sized(client.transactionOp().setData().forPath(node, header), header.length));
    if (enterHistory) {
      ensure(paths.history() + "/" + ZkPaths.bucketOf(job.id()));
      ops.add(new Sized(client.transactionOp().create().forPath(paths.historyJob(job.id()), header), header.length));
    } else if (leaveHistory) {
      ops.add(new Sized(client.transactionOp().delete().forPath(paths.historyJob(job.id())), 0));
    }
  }

  /** The znodes holding a paged job's spec chunks and pages, for {@link JobTrees#read}. */
  List<JobTrees.Named> parts(String jobId, JobPages.Header header) {
    String bucket = ZkPaths.bucketOf(jobId) + "/" + jobId;
    List<JobTrees.Named> parts = new ArrayList<>(header.specChunks() + header.pages());
    for (int i = 0; i < header.specChunks(); i++) {
      parts.add(new JobTrees.Named(paths.jobs(), bucket, "s" + i));
    }
    for (int p = 0; p < header.pages(); p++) {
      parts.add(new JobTrees.Named(paths.jobs(), bucket, "p" + p));
    }
    return parts;
  }

  /** The job from its header and the parts read ({@link #parts}; by path), or IllegalArgumentException. */
  JobRecord assemble(JobPages.Header header, Map<String, byte[]> read) {
    List<byte[]> chunks = new ArrayList<>();
    List<byte[]> pages = new ArrayList<>();
    for (JobTrees.Named part : parts(header.id(), header)) {
      byte[] bytes = read.get(part.path());
      if (bytes == null) {
        throw new IllegalArgumentException("job " + header.id() + " lacks its part " + part.name());
      }
      (part.name().startsWith("s") ? chunks : pages).add(bytes);
    }
    return JobPages.assemble(header, chunks, pages);
  }

  /**
   * Moves a paged job that cannot be served aside: its header bytes and the reason to {@code quarantine/<name>}, its
   * tree and history entry deleted, in one fenced transaction.
   */
  void quarantine(Epoch epoch, String jobId, byte[] headerBytes, String reason) throws Exception {
    ensure(paths.quarantine());
    String target = paths.quarantined(jobId);
    if (client.checkExists().forPath(target) != null) {
      target = target + "~paged~" + System.currentTimeMillis();
    }
    List<Sized> ops = new ArrayList<>();
    ops.add(new Sized(client.transactionOp().create().forPath(target, headerBytes), headerBytes.length));
    ops.add(new Sized(client.transactionOp().create().forPath(target + "/reason",
        reason.getBytes(StandardCharsets.UTF_8)), reason.length()));
    addTreeDeletes(jobId, ops);
    commit(epoch, ops, -1, null);
    forget(jobId);
  }

  private static boolean headerChanged(JobRecord a, JobRecord b) {
    return a.state() != b.state() || !java.util.Objects.equals(a.startedAt(), b.startedAt())
        || !java.util.Objects.equals(a.finishedAt(), b.finishedAt()) || a.settled() != b.settled();
  }

  /**
   * Commits {@code ops} in order, in as few fenced transactions as the limits allow (each op stays in order, so
   * the header, last, goes in the last one). {@code fireOp}, when not -1, is the index of the op recording a fire.
   */
  private void commit(Epoch epoch, List<Sized> ops, int fireOp, Fire fire) throws Exception {
    int from = 0;
    while (from < ops.size()) {
      int to = from;
      int bytes = 0;
      while (to < ops.size() && to - from < maxOps - 2 && (to == from || bytes + ops.get(to).bytes() <= maxBytes)) {
        bytes += ops.get(to).bytes() + 64;
        to++;
      }
      try {
        fence.commit(epoch, ops.subList(from, to).stream().map(Sized::op).toList());
      } catch (Fence.Failed f) {
        if (fireOp >= from && fireOp < to && f.op == fireOp - from && f.code == KeeperException.Code.NODEEXISTS) {
          throw new FireExistsException(fire);
        }
        if (fireOp >= from && fireOp < to && f.op == fireOp - from && f.code == KeeperException.Code.NONODE) {
          throw new NoScheduleException(fire);
        }
        throw f;
      }
      from = to;
    }
  }

  private void ensure(String path) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    } catch (KeeperException.NodeExistsException exists) {
      // fine
    }
  }
}
