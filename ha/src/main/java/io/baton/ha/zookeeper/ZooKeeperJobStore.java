package io.baton.ha.zookeeper;

import io.baton.ha.FencedException;
import io.baton.ha.JobStore;
import io.baton.ha.StoredJobs;
import io.baton.protocol.Epoch;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs in ZooKeeper, one persistent znode per job at {@link ZkPaths#job(String)} holding its {@link JobCodec}
 * bytes.
 *
 * <p>Threading: {@link #put} queues the (immutable) record and returns at once. One writer thread
 * drains the queue, keeps only the last put of each job (the superseded puts' futures complete with it),
 * groups by epoch and writes each group as multi-op transactions of at most {@value #MAX_OPS} ops and
 * {@value #MAX_BYTES} bytes. Each transaction starts with the fencing checks: {@code /epoch}'s version equals
 * the epoch and, when this process was granted that epoch, its latch node still exists. A failed check fails
 * every future of the transaction with {@link FencedException} and writes nothing. {@link #loadAll} blocks
 * its caller and may run concurrently with writes. {@link #loadForLeader} moves a record it cannot serve to
 * {@link ZkPaths#quarantine()} in one fenced transaction (see there) and logs it at ERROR, once: the move means the
 * next leader does not see it among the jobs again.
 */
public final class ZooKeeperJobStore implements JobStore, AutoCloseable {
  static final int MAX_OPS = 400;
  static final int MAX_BYTES = 512 * 1024;
  private static final int MAX_DRAIN = 20_000;
  private static final int MAX_ROUNDS = 5;
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperJobStore.class);

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Terms terms;
  private final Set<String> knownJobs = ConcurrentHashMap.newKeySet();
  private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;
  private boolean jobsRootKnown;

  private record Pending(Epoch epoch, JobRecord job, CompletableFuture<Void> future) {}

  /** The last put of one job in a drained batch, and every future it answers for. */
  private static final class Write {
    final String jobId;
    JobRecord job;
    byte[] bytes;
    final List<CompletableFuture<Void>> futures = new ArrayList<>(1);

    Write(String jobId) {
      this.jobId = jobId;
    }
  }

  public ZooKeeperJobStore(CuratorFramework client, ZkPaths paths) {
    this(client, paths, new Terms());
  }

  ZooKeeperJobStore(CuratorFramework client, ZkPaths paths, Terms terms) {
    this.client = Objects.requireNonNull(client);
    this.paths = Objects.requireNonNull(paths);
    this.terms = terms;
    this.writer = new Thread(this::writeLoop, "zk-job-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    try {
      Objects.requireNonNull(epoch, "epoch");
      ZkPaths.checkJobId(job.id());
      if (closed) {
        throw new IllegalStateException("job store closed");
      }
      queue.add(new Pending(epoch, job, future));
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  @Override
  public List<JobRecord> loadAll() throws Exception {
    List<Stored> stored = readAll();
    List<JobRecord> records = new ArrayList<>(stored.size());
    for (Stored s : stored) {
      try {
        records.add(StoredJobs.read(s.name(), s.bytes()));
        knownJobs.add(s.name());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("unreadable job at " + s.path(), e);
      }
    }
    return records;
  }

  @Override
  public Loaded loadForLeader(Epoch epoch) throws Exception {
    List<JobRecord> records = new ArrayList<>();
    for (Stored s : readAll()) {
      for (int round = 0; s != null; round++) {
        try {
          JobRecord job = StoredJobs.read(s.name(), s.bytes());
          if (!s.bucket().equals(ZkPaths.bucketOf(job.id()))) {
            throw new IllegalArgumentException("record " + job.id() + " is stored in bucket " + s.bucket()
                + ", not " + ZkPaths.bucketOf(job.id()));
          }
          records.add(job);
          knownJobs.add(job.id());
          s = null;
        } catch (IllegalArgumentException bad) {
          if (round >= MAX_ROUNDS) {
            throw new IllegalStateException("could not quarantine " + s.path() + " in " + MAX_ROUNDS + " rounds");
          }
          s = quarantine(epoch, s, bad.getMessage());
        }
      }
    }
    return new Loaded(records, listQuarantine());
  }

  /** One znode under the jobs root: where it is, its bytes and data version. */
  private record Stored(String bucket, String name, String path, byte[] bytes, int version) {}

  private List<Stored> readAll() throws Exception {
    ensurePath(paths.jobs());
    List<String> buckets = client.getChildren().forPath(paths.jobs());
    ConcurrentLinkedQueue<Stored> records = new ConcurrentLinkedQueue<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Semaphore inFlight = new Semaphore(1000);
    List<String[]> ids = new ArrayList<>();
    for (String bucket : buckets) {
      knownBuckets.add(bucket);
      for (String id : client.getChildren().forPath(paths.jobs() + "/" + bucket)) {
        ids.add(new String[] {bucket, id});
      }
    }
    CountDownLatch done = new CountDownLatch(ids.size());
    for (String[] id : ids) {
      String path = paths.jobs() + "/" + id[0] + "/" + id[1];
      inFlight.acquire();
      client.getData().inBackground((c, event) -> {
        try {
          if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
            byte[] data = event.getData() == null ? new byte[0] : event.getData();
            records.add(new Stored(id[0], id[1], path, data, event.getStat().getVersion()));
          } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
            failure.compareAndSet(null,
                KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
          }
        } finally {
          inFlight.release();
          done.countDown();
        }
      }).forPath(path);
    }
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("loading jobs timed out");
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return new ArrayList<>(records);
  }

  /**
   * Moves {@code s} to the quarantine in one transaction fenced like every leader write: check {@code /epoch}'s
   * version (and our latch node), create {@code quarantine/<name>} with the original bytes and its reason, delete
   * the job znode at the version read. Returns null once moved, or the znode as it is now when it changed under
   * us (to be judged again).
   */
  private Stored quarantine(Epoch epoch, Stored s, String reason) throws Exception {
    Terms.Term term = terms.get(epoch);
    if ((term != null && !term.active()) || epoch.value() <= 0 || epoch.value() > Integer.MAX_VALUE) {
      throw new FencedException(epoch, "not the current leader: cannot quarantine " + s.path());
    }
    ensurePath(paths.quarantine());
    String target = paths.quarantined(s.name());
    if (client.checkExists().forPath(target) != null) {
      target = target + "~" + s.bucket() + "~" + System.currentTimeMillis();
    }
    List<CuratorOp> ops = new ArrayList<>(5);
    ops.add(client.transactionOp().check().withVersion((int) epoch.value()).forPath(paths.epoch()));
    if (term != null) {
      ops.add(client.transactionOp().check().forPath(term.latchPath()));
    }
    int checks = ops.size();
    ops.add(client.transactionOp().create().forPath(target, s.bytes()));
    ops.add(client.transactionOp().create().forPath(target + "/reason", reason.getBytes(StandardCharsets.UTF_8)));
    ops.add(client.transactionOp().delete().withVersion(s.version()).forPath(s.path()));
    try {
      client.transaction().forOperations(ops);
      log.error("QUARANTINED job record {} ({} bytes) to {}: {}. The leader serves every other job; the original "
          + "bytes are kept there for inspection.", s.path(), s.bytes().length, target, reason);
      return null;
    } catch (KeeperException e) {
      int op = Multi.failedOp(e);
      KeeperException.Code code = Multi.failedCode(e);
      if (op >= 0 && op < checks) {
        throw new FencedException(epoch, "fencing check failed on ZooKeeper (" + code + ") while quarantining", e);
      }
      if (op == checks + 2 && (code == KeeperException.Code.BADVERSION || code == KeeperException.Code.NONODE)) {
        // rewritten or removed since we read it: read it again
        Stat stat = new Stat();
        try {
          byte[] now = client.getData().storingStatIn(stat).forPath(s.path());
          return new Stored(s.bucket(), s.name(), s.path(), now == null ? new byte[0] : now, stat.getVersion());
        } catch (KeeperException.NoNodeException gone) {
          return null;
        }
      }
      throw e;
    }
  }

  private List<Quarantined> listQuarantine() throws Exception {
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
    out.sort(java.util.Comparator.comparing(Quarantined::at).thenComparing(Quarantined::id));
    return out;
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_DRAIN);
        write(batch);
      } catch (InterruptedException e) {
        failAll(batch, new IllegalStateException("job store closed"));
        return;
      } catch (Throwable e) {
        log.error("job store writer failed", e);
        failAll(batch, e);
      } finally {
        batch.clear();
      }
    }
  }

  private static void failAll(List<Pending> batch, Throwable e) {
    for (Pending p : batch) {
      p.future().completeExceptionally(e);
    }
  }

  private void write(List<Pending> batch) {
    Map<Epoch, LinkedHashMap<String, Write>> groups = new LinkedHashMap<>();
    for (Pending p : batch) {
      Write w = groups.computeIfAbsent(p.epoch(), e -> new LinkedHashMap<>())
          .computeIfAbsent(p.job().id(), Write::new);
      w.job = p.job();
      w.futures.add(p.future());
    }
    for (LinkedHashMap<String, Write> group : groups.values()) {
      for (Write w : group.values()) {
        w.bytes = JobCodec.encode(w.job);
      }
    }
    for (Map.Entry<Epoch, LinkedHashMap<String, Write>> group : groups.entrySet()) {
      List<Write> chunk = new ArrayList<>();
      Set<String> chunkBuckets = new java.util.HashSet<>();
      int bytes = 0;
      for (Write w : group.getValue().values()) {
        String bucket = ZkPaths.bucketOf(w.jobId);
        boolean newBucket = !knownBuckets.contains(bucket) && !chunkBuckets.contains(bucket);
        int ops = 2 + chunk.size() + chunkBuckets.size() + 1 + (newBucket ? 1 : 0);
        if (!chunk.isEmpty() && (ops > MAX_OPS || bytes + w.bytes.length > MAX_BYTES)) {
          writeFenced(group.getKey(), chunk);
          chunk = new ArrayList<>();
          chunkBuckets.clear();
          bytes = 0;
          newBucket = !knownBuckets.contains(bucket);
        }
        chunk.add(w);
        if (newBucket) {
          chunkBuckets.add(bucket);
        }
        bytes += w.bytes.length + w.jobId.length() + 64;
      }
      if (!chunk.isEmpty()) {
        writeFenced(group.getKey(), chunk);
      }
    }
  }

  private void writeFenced(Epoch epoch, List<Write> writes) {
    Terms.Term term = terms.get(epoch);
    if (term != null && !term.active()) {
      complete(writes, new FencedException(epoch, "leadership was revoked"));
      return;
    }
    if (epoch.value() <= 0 || epoch.value() > Integer.MAX_VALUE) {
      complete(writes, new FencedException(epoch, "not a granted epoch"));
      return;
    }
    Exception last = null;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      if (term != null && !terms.isActive(epoch)) {
        complete(writes, new FencedException(epoch, "leadership was revoked"));
        return;
      }
      List<CuratorOp> ops = new ArrayList<>(writes.size() + 2);
      // what each op after the checks is: a bucket name (creating it), or the Write (true = create)
      List<Object> targets = new ArrayList<>(writes.size());
      List<Boolean> creates = new ArrayList<>(writes.size());
      int checks = term != null ? 2 : 1;
      try {
        if (!jobsRootKnown) {
          ensurePath(paths.jobs());
          jobsRootKnown = true;
        }
        ops.add(client.transactionOp().check().withVersion((int) epoch.value()).forPath(paths.epoch()));
        if (term != null) {
          ops.add(client.transactionOp().check().forPath(term.latchPath()));
        }
        Set<String> newBuckets = new java.util.HashSet<>();
        for (Write w : writes) {
          String bucket = ZkPaths.bucketOf(w.jobId);
          if (!knownBuckets.contains(bucket) && newBuckets.add(bucket)) {
            ops.add(client.transactionOp().create().forPath(paths.jobs() + "/" + bucket, new byte[0]));
            targets.add(bucket);
            creates.add(true);
          }
        }
        for (Write w : writes) {
          boolean exists = knownJobs.contains(w.jobId);
          ops.add(exists
              ? client.transactionOp().setData().forPath(paths.job(w.jobId), w.bytes)
              : client.transactionOp().create().forPath(paths.job(w.jobId), w.bytes));
          targets.add(w);
          creates.add(!exists);
        }
        client.transaction().forOperations(ops);
        knownBuckets.addAll(newBuckets);
        for (Write w : writes) {
          knownJobs.add(w.jobId);
        }
        complete(writes, null);
        return;
      } catch (KeeperException e) {
        int op = Multi.failedOp(e);
        KeeperException.Code code = Multi.failedCode(e);
        if (op >= 0 && op < checks) {
          complete(writes, new FencedException(epoch, "fencing check failed on ZooKeeper (" + code + ")", e));
          return;
        }
        if (op < 0) {
          complete(writes, fencedIfRevoked(epoch, e));
          return;
        }
        Object target = targets.get(op - checks);
        boolean wasCreate = creates.get(op - checks);
        if (target instanceof String bucket && code == KeeperException.Code.NODEEXISTS) {
          knownBuckets.add(bucket);
        } else if (target instanceof String && code == KeeperException.Code.NONODE) {
          jobsRootKnown = false;
        } else if (target instanceof Write w && code == KeeperException.Code.NODEEXISTS) {
          knownJobs.add(w.jobId);
        } else if (target instanceof Write w && code == KeeperException.Code.NONODE && !wasCreate) {
          knownJobs.remove(w.jobId);
        } else if (target instanceof Write w && code == KeeperException.Code.NONODE) {
          knownBuckets.remove(ZkPaths.bucketOf(w.jobId));
        } else {
          complete(writes, fencedIfRevoked(epoch, e));
          return;
        }
        last = e;
      } catch (Exception e) {
        complete(writes, fencedIfRevoked(epoch, e));
        return;
      }
    }
    complete(writes, fencedIfRevoked(epoch,
        new IllegalStateException("gave up writing jobs after " + MAX_ROUNDS + " rounds", last)));
  }

  /**
   * A write that failed (connection loss, session expiry, ...) while this process lost the term it wrote for is
   * reported as fenced: the writer no longer leads, and a client should retry with the new leader. Whether such
   * a write reached ZooKeeper before the connection dropped is unknown; a retry with the same Idempotency-Key
   * finds it if it did.
   */
  private Exception fencedIfRevoked(Epoch epoch, Exception failure) {
    Terms.Term term = terms.get(epoch);
    if (term != null && !term.active()) {
      return new FencedException(epoch, "leadership was lost while writing (" + failure + ")", failure);
    }
    return failure;
  }

  private static void complete(List<Write> writes, Throwable failure) {
    for (Write w : writes) {
      for (CompletableFuture<Void> f : w.futures) {
        if (failure == null) {
          f.complete(null);
        } else {
          f.completeExceptionally(failure);
        }
      }
    }
  }

  private void ensurePath(String path) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
    } catch (KeeperException.NodeExistsException exists) {
      // fine
    }
  }

  /** Stops the writer once the queued puts are written (waits up to 10 s); later puts fail. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      writer.interrupt();
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.future().completeExceptionally(new IllegalStateException("job store closed"));
    }
  }
}
