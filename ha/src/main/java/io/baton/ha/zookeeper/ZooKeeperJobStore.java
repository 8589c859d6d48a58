package io.baton.ha.zookeeper;

import io.baton.ha.FencedException;
import io.baton.ha.JobStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
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
 * its caller and may run concurrently with writes.
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
    ensurePath(paths.jobs());
    List<String> buckets = client.getChildren().forPath(paths.jobs());
    ConcurrentLinkedQueue<JobRecord> records = new ConcurrentLinkedQueue<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Semaphore inFlight = new Semaphore(1000);
    List<String> ids = new ArrayList<>();
    for (String bucket : buckets) {
      knownBuckets.add(bucket);
      for (String id : client.getChildren().forPath(paths.jobs() + "/" + bucket)) {
        ids.add(bucket + "/" + id);
      }
    }
    CountDownLatch done = new CountDownLatch(ids.size());
    for (String relative : ids) {
      String path = paths.jobs() + "/" + relative;
      inFlight.acquire();
      client.getData().inBackground((c, event) -> {
        try {
          if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
            records.add(JobCodec.decode(event.getData()));
            knownJobs.add(relative.substring(relative.indexOf('/') + 1));
          } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
            failure.compareAndSet(null,
                KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, new IllegalStateException("unreadable job at " + path, e));
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
