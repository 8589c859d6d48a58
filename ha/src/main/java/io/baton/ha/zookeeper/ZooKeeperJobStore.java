package io.baton.ha.zookeeper;

import io.baton.ha.FencedException;
import io.baton.protocol.AttemptKey;
import io.baton.ha.JobStore;
import io.baton.ha.JobStore.Fire;
import io.baton.ha.JobStore.FireExistsException;
import io.baton.ha.StoredJobs;
import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.alert.AlertCodec;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.codec.JobPages;
import io.baton.protocol.job.JobRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs in ZooKeeper, one persistent znode per job holding its {@link JobCodec} bytes: unfinished jobs under
 * {@link ZkPaths#jobs()}, settled ones ({@link JobRecord#settled()}) under {@link ZkPaths#history()}, so a new
 * leader reads only the unfinished before it serves. The put that settles a job moves it (delete + create in
 * one transaction).
 *
 * <p>Threading: {@link #put} and {@link #delete} queue the change and return at once. {@value #LANES} writer
 * threads ("lanes") each own the jobs whose id hashes to them, so a job's changes are written in the order they were
 * made while up to {@value #LANES} transactions are in flight at once (ZooKeeper commits them together). A lane
 * drains its queue, keeps only the last change of each job (the superseded ones' futures complete with it), groups by
 * epoch and writes each group as multi-op transactions of at most {@value #MAX_OPS} ops and {@value #MAX_BYTES}
 * bytes. Each transaction starts with the fencing checks: {@code /epoch}'s version equals the epoch and, when this
 * process was granted that epoch, its latch node still exists. A failed check fails every future of the
 * transaction with {@link FencedException} and writes nothing. The loads block their caller and may run
 * concurrently with writes; {@link #loadForLeader} and {@link #loadHistory} move a record they cannot serve to
 * {@link ZkPaths#quarantine()} in one fenced transaction and log it at ERROR, once. Alerts given with a put are
 * created under {@link ZkPaths#alerts()} in the job's transaction ({@code CREATE_ALERT} ops).
 */
public final class ZooKeeperJobStore implements JobStore, AutoCloseable {
  static final int MAX_OPS = 400;
  static final int MAX_BYTES = 512 * 1024;
  private static final int MAX_DRAIN = 20_000;
  private static final int MAX_ROUNDS = 5;
  /** Writer threads, so transactions in flight: more lets ZooKeeper group more commits per fsync. */
  static final int LANES = 4;
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperJobStore.class);

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Terms terms;
  private final JobTrees trees;
  private final PagedJobs paged;
  private final Fence resultFence;
  private final Set<String> resultRootsKnown = ConcurrentHashMap.newKeySet();
  /** Writes and reads of results: off the lanes, so a big result never delays a job's record. */
  private final java.util.concurrent.ExecutorService resultsIo = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "zk-job-store-results");
    t.setDaemon(true);
    return t;
  });
  /** Jobs known to be stored under jobs/ and under history/ (what decides create, set or delete). */
  private final Set<String> knownActive = ConcurrentHashMap.newKeySet();
  private final Set<String> knownHistory = ConcurrentHashMap.newKeySet();
  /** Bucket znodes known to exist, as paths. */
  private final Set<String> knownBuckets = ConcurrentHashMap.newKeySet();
  private final List<Lane> lanes = new ArrayList<>(LANES);
  private volatile boolean closed;
  private volatile IntConsumer batchSizes = n -> {};
  private volatile boolean rootsKnown;

  /** One writer thread and the queue of the jobs it owns. */
  private record Lane(LinkedBlockingQueue<Pending> queue, Thread writer) {}

  /**
   * A queued change: the job's next record, or null to delete it; {@code fire} when a schedule's fire creates it;
   * the alerts to record with it.
   */
  private record Pending(Epoch epoch, String jobId, JobRecord job, Fire fire, List<Alert> alerts,
      CompletableFuture<Void> future) {}

  private enum Kind {
    CREATE_ACTIVE, SET_ACTIVE, DELETE_ACTIVE, CREATE_HISTORY, SET_HISTORY, DELETE_HISTORY, BUCKET, CREATE_FIRE,
    CREATE_ALERT
  }

  /** One op of a transaction after the fencing checks, and what it is for. */
  private record Op(Kind kind, Write write, String bucketPath, Alert alert) {
    Op(Kind kind, Write write, String bucketPath) {
      this(kind, write, bucketPath, null);
    }
  }

  /** The last change of one job in a drained batch, and every future it answers for. */
  private static final class Write {
    final String jobId;
    JobRecord job;
    byte[] bytes;
    /** Learned while deleting a job of unknown place: not under jobs/ or not under history/. */
    boolean absentActive;
    boolean absentHistory;
    /** The fire recorded with the job's creation, if a schedule submits it. */
    Fire fire;
    /** Why this write is refused (its fire was recorded before), if it is. */
    Exception refused;
    /** Alerts to record with it, not yet stored. */
    final List<Alert> alerts = new ArrayList<>(0);
    final List<CompletableFuture<Void>> futures = new ArrayList<>(1);

    Write(String jobId) {
      this.jobId = jobId;
    }

    boolean isDelete() {
      return job == null;
    }
  }

  public ZooKeeperJobStore(CuratorFramework client, ZkPaths paths) {
    this(client, paths, new Terms());
  }

  ZooKeeperJobStore(CuratorFramework client, ZkPaths paths, Terms terms) {
    this.client = Objects.requireNonNull(client);
    this.paths = Objects.requireNonNull(paths);
    this.terms = terms;
    this.trees = new JobTrees(client, paths, terms);
    this.paged = new PagedJobs(client, paths, new Fence(client, paths, terms), MAX_OPS, MAX_BYTES);
    this.resultFence = new Fence(client, paths, terms);
    for (int i = 0; i < LANES; i++) {
      LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
      Thread writer = new Thread(() -> writeLoop(queue), "zk-job-store-writer-" + i);
      writer.setDaemon(true);
      lanes.add(new Lane(queue, writer));
      writer.start();
    }
  }

  /** The lane that writes this job's changes, always the same one. */
  private Lane lane(String jobId) {
    return lanes.get(Math.floorMod(jobId.hashCode(), LANES));
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
    return enqueue(epoch, job.id(), job, null, List.of());
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job, List<Alert> alerts) {
    return enqueue(epoch, job.id(), job, null, List.copyOf(alerts));
  }

  @Override
  public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
    return enqueue(epoch, job.id(), job, Objects.requireNonNull(fire, "fire"), List.of());
  }

  @Override
  public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
    // the job first, then its results (a job never points to results that are gone)
    return enqueue(epoch, jobId, null, null, List.of()).thenComposeAsync(done -> CompletableFuture.runAsync(() -> {
      try {
        deleteResults(epoch, jobId);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, resultsIo), resultsIo);
  }

  @Override
  public CompletableFuture<Void> putResult(Epoch epoch, AttemptKey key, String result) {
    return CompletableFuture.runAsync(() -> {
      try {
        writeResult(epoch, key, result.getBytes(StandardCharsets.UTF_8));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, resultsIo);
  }

  @Override
  public CompletableFuture<Map<AttemptKey, String>> results(java.util.Collection<AttemptKey> keys) {
    List<AttemptKey> wanted = List.copyOf(keys);
    return CompletableFuture.supplyAsync(() -> {
      Map<AttemptKey, String> out = new java.util.HashMap<>();
      try {
        for (AttemptKey key : wanted) {
          try {
            out.put(key, new String(client.getData().forPath(paths.result(key)), StandardCharsets.UTF_8));
          } catch (KeeperException.NoNodeException absent) {
            // no result stored for it
          }
        }
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
      return out;
    }, resultsIo);
  }

  /** One fenced create; the job's results node is created with its first result. Written once. */
  private void writeResult(Epoch epoch, AttemptKey key, byte[] bytes) throws Exception {
    if (!resultRootsKnown.contains(paths.resultBucket(key.jobId()))) {
      trees.ensurePath(paths.resultBucket(key.jobId()));
      resultRootsKnown.add(paths.resultBucket(key.jobId()));
    }
    String dir = paths.jobResults(key.jobId());
    List<CuratorOp> ops = new ArrayList<>(2);
    boolean withDir = client.checkExists().forPath(dir) == null;
    if (withDir) {
      ops.add(client.transactionOp().create().forPath(dir, new byte[0]));
    }
    ops.add(client.transactionOp().create().forPath(paths.result(key), bytes));
    try {
      resultFence.commit(epoch, ops);
    } catch (Fence.Failed failed) {
      if (failed.code != KeeperException.Code.NODEEXISTS) {
        throw failed;
      }
      if (withDir && failed.op == 0) {
        writeResult(epoch, key, bytes); // another write created the directory meanwhile
      }
      // else: this attempt's result was stored before, and stays as it was
    }
  }

  /** Deletes the job's results, fenced, in transactions of at most {@value #MAX_OPS} ops. */
  private void deleteResults(Epoch epoch, String jobId) throws Exception {
    String dir = paths.jobResults(jobId);
    List<String> children;
    try {
      children = client.getChildren().forPath(dir);
    } catch (KeeperException.NoNodeException none) {
      return;
    }
    List<CuratorOp> ops = new ArrayList<>();
    for (String child : children) {
      ops.add(client.transactionOp().delete().forPath(dir + "/" + child));
      if (ops.size() == MAX_OPS) {
        resultFence.commit(epoch, ops);
        ops = new ArrayList<>();
      }
    }
    ops.add(client.transactionOp().delete().forPath(dir));
    resultFence.commit(epoch, ops);
  }

  private CompletableFuture<Void> enqueue(Epoch epoch, String jobId, JobRecord job, Fire fire, List<Alert> alerts) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    try {
      Objects.requireNonNull(epoch, "epoch");
      ZkPaths.checkJobId(jobId);
      if (closed) {
        throw new IllegalStateException("job store closed");
      }
      lane(jobId).queue().add(new Pending(epoch, jobId, job, fire, alerts, future));
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  @Override
  public List<JobRecord> loadAll() throws Exception {
    List<JobTrees.Named> names = new ArrayList<>(trees.list(paths.jobs()));
    names.addAll(trees.list(paths.history()));
    List<JobRecord> records = new ArrayList<>(names.size());
    List<JobPages.Header> headers = new ArrayList<>();
    for (JobTrees.Stored s : trees.read(names)) {
      try {
        if (isPaged(s.bytes())) {
          JobPages.Header header = JobPages.decodeHeader(s.bytes());
          // the tree under jobs/ is the job; its copy under history/ only points to it
          if (header.complete() && s.path().startsWith(paths.jobs() + "/")) {
            headers.add(header);
          }
        } else {
          records.add(StoredJobs.read(s.name(), s.bytes()));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("unreadable job at " + s.path(), e);
      }
    }
    Map<String, byte[]> parts = readParts(headers);
    for (JobPages.Header header : headers) {
      records.add(paged.assemble(header, parts));
    }
    return records;
  }

  @Override
  public Loaded loadForLeader(Epoch epoch) throws Exception {
    long start = System.nanoTime();
    List<JobTrees.Named> active = trees.list(paths.jobs());
    List<JobTrees.Named> history = trees.list(paths.history());
    long listed = System.nanoTime();
    String newest = null;
    for (JobTrees.Named n : history) {
      knownHistory.add(n.name());
      newest = newest == null || n.name().compareTo(newest) > 0 ? n.name() : newest;
    }
    List<JobTrees.Stored> fetched = trees.read(active);
    long read = System.nanoTime();
    List<JobRecord> records = serveable(epoch, fetched, false);
    for (JobRecord job : records) {
      if (!paged.isKnown(job.id())) {
        knownActive.add(job.id());
      }
      newest = newest == null || job.id().compareTo(newest) > 0 ? job.id() : newest;
    }
    for (JobTrees.Named n : active) {
      newest = newest == null || n.name().compareTo(newest) > 0 ? n.name() : newest;
    }
    log.info("{}: read {} unfinished jobs in {} ms (listing them and {} finished ones: {} ms, fetching: {} ms, "
        + "decoding: {} ms)", epoch, records.size(), (System.nanoTime() - start) / 1_000_000, history.size(),
        (listed - start) / 1_000_000, (read - listed) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
    return new Loaded(records, trees.listQuarantine(), newest);
  }

  @Override
  public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches)
      throws Exception {
    List<JobTrees.Named> names = new ArrayList<>(trees.list(paths.history()));
    // newest first (ids grow with time): the first pages of the job list are browsable after the first batch
    names.sort(java.util.Comparator.comparing(JobTrees.Named::name).reversed());
    int before = trees.listQuarantine().size();
    for (int from = 0; from < names.size(); from += batchSize) {
      List<JobRecord> batch = serveable(epoch,
          trees.read(names.subList(from, Math.min(names.size(), from + batchSize))), true);
      batch.forEach(job -> {
        if (!paged.isKnown(job.id())) {
          knownHistory.add(job.id());
        }
      });
      batches.accept(batch);
    }
    List<Quarantined> all = trees.listQuarantine();
    return all.size() > before ? all.subList(before, all.size()) : List.of();
  }

  private static boolean isPaged(byte[] bytes) {
    return bytes.length > 0 && JobPages.isPart(bytes[0]);
  }

  /** The spec chunks and pages of these paged jobs, by path, read in parallel. */
  private Map<String, byte[]> readParts(List<JobPages.Header> headers) throws Exception {
    List<JobTrees.Named> parts = new ArrayList<>();
    for (JobPages.Header header : headers) {
      parts.addAll(paged.parts(header.id(), header));
    }
    Map<String, byte[]> read = new HashMap<>();
    for (JobTrees.Stored s : trees.read(parts)) {
      read.put(s.path(), s.bytes());
    }
    return read;
  }

  /**
   * The records that can be served; each other one is quarantined (fenced by {@code epoch}). Paged jobs (their
   * headers): under {@code jobs/}, the unsettled ones are read whole, the settled ones left for the history and an
   * incomplete creation deleted; under {@code history/} ({@code fromHistory}), each is read whole from its tree.
   */
  private List<JobRecord> serveable(Epoch epoch, List<JobTrees.Stored> stored, boolean fromHistory) throws Exception {
    List<JobRecord> records = new ArrayList<>(stored.size());
    List<JobPages.Header> headers = new ArrayList<>();
    Map<String, byte[]> headerBytes = new HashMap<>();
    for (JobTrees.Stored s : stored) {
      if (isPaged(s.bytes())) {
        JobPages.Header header;
        try {
          header = JobPages.decodeHeader(s.bytes());
          if (!header.id().equals(s.name()) || !s.bucket().equals(ZkPaths.bucketOf(header.id()))) {
            throw new IllegalArgumentException("paged job " + header.id() + " is stored as " + s.path());
          }
        } catch (IllegalArgumentException bad) {
          paged.quarantine(epoch, s.name(), s.bytes(), bad.getMessage());
          continue;
        }
        if (!header.complete()) {
          log.warn("deleting job {}: its creation was never completed (its submitter was never told it was accepted)",
              header.id());
          paged.delete(epoch, header.id());
        } else if (header.settled() && !fromHistory) {
          paged.learn(header.id(), null, header.specChunks());
        } else {
          headers.add(header);
          headerBytes.put(header.id(), s.bytes());
        }
        continue;
      }
      for (int round = 0; s != null; round++) {
        try {
          JobRecord job = StoredJobs.read(s.name(), s.bytes());
          if (!s.bucket().equals(ZkPaths.bucketOf(job.id()))) {
            throw new IllegalArgumentException("record " + job.id() + " is stored in bucket " + s.bucket()
                + ", not " + ZkPaths.bucketOf(job.id()));
          }
          records.add(job);
          s = null;
        } catch (IllegalArgumentException bad) {
          if (round >= MAX_ROUNDS) {
            throw new IllegalStateException("could not quarantine " + s.path() + " in " + MAX_ROUNDS + " rounds");
          }
          s = trees.quarantine(epoch, s, bad.getMessage());
        }
      }
    }
    Map<String, byte[]> parts = readParts(headers);
    for (JobPages.Header header : headers) {
      try {
        JobRecord job = paged.assemble(header, parts);
        paged.learn(job.id(), job.settled() ? null : job, header.specChunks());
        records.add(job);
      } catch (IllegalArgumentException bad) {
        paged.quarantine(epoch, header.id(), headerBytes.get(header.id()), bad.getMessage());
      }
    }
    return records;
  }

  @Override
  public void observeWriteBatches(IntConsumer sizes) {
    batchSizes = sizes;
  }

  private void writeLoop(LinkedBlockingQueue<Pending> queue) {
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
        batchSizes.accept(batch.size());
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
      Write w = groups.computeIfAbsent(p.epoch(), e -> new LinkedHashMap<>()).computeIfAbsent(p.jobId(), Write::new);
      w.job = p.job();
      if (p.fire() != null) {
        w.fire = p.fire();
      }
      w.alerts.addAll(p.alerts());
      w.futures.add(p.future());
    }
    for (Map.Entry<Epoch, LinkedHashMap<String, Write>> group : groups.entrySet()) {
      List<Write> chunk = new ArrayList<>();
      int bytes = 0;
      int alertOps = 0;
      for (Write w : group.getValue().values()) {
        keepWithinOutbox(w);
        if (isPaged(w)) {
          writePaged(group.getKey(), w);
          continue;
        }
        if (w.bytes == null) {
          w.bytes = w.isDelete() ? new byte[0] : JobCodec.encode(w.job);
        }
        byte[][] alertBytes = w.alerts.stream().map(AlertCodec::encode).toArray(byte[][]::new);
        int alertSize = java.util.Arrays.stream(alertBytes).mapToInt(b -> b.length + 64).sum();
        // at most: two bucket creates and two job ops per write and its alerts, plus the checks
        if (!chunk.isEmpty() && (4 * (chunk.size() + 1) + alertOps + alertBytes.length + 2 > MAX_OPS
            || bytes + w.bytes.length + alertSize > MAX_BYTES)) {
          writeFenced(group.getKey(), chunk);
          chunk = new ArrayList<>();
          bytes = 0;
          alertOps = 0;
        }
        chunk.add(w);
        bytes += w.bytes.length + w.jobId.length() + 64 + alertSize;
        alertOps += alertBytes.length;
      }
      if (!chunk.isEmpty()) {
        writeFenced(group.getKey(), chunk);
      }
    }
  }

  /** Outbox entries believed stored: refreshed from ZooKeeper before each write that brings alerts. */
  private final java.util.concurrent.atomic.AtomicInteger outboxSize = new java.util.concurrent.atomic.AtomicInteger();

  /** Drops the write's alerts that the outbox has no room for ({@link #MAX_OUTBOX}), loudly. */
  private void keepWithinOutbox(Write w) {
    if (w.alerts.isEmpty() || w.isDelete()) {
      w.alerts.clear();
      return;
    }
    try {
      org.apache.zookeeper.data.Stat stat = client.checkExists().forPath(paths.alerts());
      outboxSize.set(stat == null ? 0 : stat.getNumChildren());
    } catch (Exception e) {
      log.warn("could not count the alert outbox ({}); assuming {} alerts", e.toString(), outboxSize.get());
    }
    while (!w.alerts.isEmpty() && outboxSize.get() + w.alerts.size() > MAX_OUTBOX) {
      Alert dropped = w.alerts.remove(w.alerts.size() - 1);
      log.error("alert outbox full ({} alerts): dropping alert {} of job {}", MAX_OUTBOX, dropped.id(), w.jobId);
    }
  }

  @Override
  public List<Alert> pendingAlerts() throws Exception {
    List<String> names;
    try {
      names = client.getChildren().forPath(paths.alerts());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
    record Read(long czxid, Alert alert) {}
    List<Read> read = new ArrayList<>(names.size());
    for (String name : names) {
      org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
      try {
        byte[] bytes = client.getData().storingStatIn(stat).forPath(paths.alert(name));
        Alert alert = AlertCodec.decode(bytes);
        if (!alert.id().equals(name)) {
          throw new IllegalArgumentException("alert " + alert.id() + " is stored as " + name);
        }
        read.add(new Read(stat.getCzxid(), alert));
      } catch (KeeperException.NoNodeException gone) {
        // delivered meanwhile
      } catch (IllegalArgumentException bad) {
        log.error("skipping unreadable alert {}: {}", paths.alert(name), bad.getMessage());
      }
    }
    read.sort(java.util.Comparator.comparingLong(Read::czxid).thenComparing(r -> r.alert().id()));
    return read.stream().map(Read::alert).toList();
  }

  @Override
  public CompletableFuture<Void> deleteAlert(Epoch epoch, String alertId) {
    Fence fence = new Fence(client, paths, terms);
    return CompletableFuture.runAsync(() -> {
      try {
        fence.commit(epoch, List.of(client.transactionOp().delete().forPath(paths.alert(alertId))));
      } catch (Fence.Failed f) {
        if (f.code != KeeperException.Code.NONODE) {
          throw new java.util.concurrent.CompletionException(f);
        }
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(fencedIfRevoked(epoch, e));
      }
    }, alertDeletes);
  }

  /** Where alert deletes run (one thread: they are few, and must not hold up a job writer lane). */
  private final java.util.concurrent.ExecutorService alertDeletes = java.util.concurrent.Executors
      .newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "zk-alert-outbox");
        t.setDaemon(true);
        return t;
      });

  /** Whether the job is (to be) stored paged; encodes a small job's one record to tell (kept for the write). */
  private boolean isPaged(Write w) {
    if (paged.isKnown(w.jobId)) {
      return true;
    }
    if (w.isDelete() || knownActive.contains(w.jobId) || knownHistory.contains(w.jobId)) {
      return false;
    }
    return JobPages.pagesOf(w.job, () -> w.bytes = JobCodec.encode(w.job));
  }

  /** Writes one paged job's change ({@link PagedJobs}), reading what is stored again after a surprise. */
  private void writePaged(Epoch epoch, Write w) {
    Exception last = null;
    for (int round = 0; round < MAX_ROUNDS; round++) {
      if (terms.get(epoch) != null && !terms.isActive(epoch)) {
        complete(List.of(w), new FencedException(epoch, "leadership was revoked"));
        return;
      }
      try {
        if (w.isDelete()) {
          paged.delete(epoch, w.jobId);
        } else {
          paged.put(epoch, w.job, w.fire, w.alerts);
        }
        complete(List.of(w), null);
        return;
      } catch (FireExistsException refused) {
        w.refused = refused;
        complete(List.of(w), null);
        return;
      } catch (FencedException fenced) {
        complete(List.of(w), fenced);
        return;
      } catch (Fence.Failed surprise) {
        last = surprise;
      } catch (Exception e) {
        complete(List.of(w), fencedIfRevoked(epoch, e));
        return;
      }
    }
    complete(List.of(w), fencedIfRevoked(epoch,
        new IllegalStateException("gave up writing job " + w.jobId + " after " + MAX_ROUNDS + " rounds", last)));
  }

  /** The ops that bring one job where its change says, from what is known of where it is now. */
  private List<Op> plan(Write w) {
    boolean active = knownActive.contains(w.jobId);
    boolean history = knownHistory.contains(w.jobId);
    List<Op> ops = new ArrayList<>(3);
    if (w.refused != null) {
      return ops;
    }
    if (w.fire != null && !w.isDelete()) {
      // recorded in the same transaction that creates the job: a fire recorded before makes it fail
      ops.add(new Op(Kind.CREATE_FIRE, w, null));
    }
    if (!w.isDelete()) {
      for (Alert alert : w.alerts) {
        ops.add(new Op(Kind.CREATE_ALERT, w, null, alert));
      }
    }
    if (w.isDelete()) {
      if (active || (!history && !w.absentActive && w.absentHistory)) {
        ops.add(new Op(Kind.DELETE_ACTIVE, w, null));
      }
      if (history || (!active && !w.absentHistory)) {
        ops.add(new Op(Kind.DELETE_HISTORY, w, null));
      }
    } else if (!w.job.settled()) {
      if (history) {
        // not done after all (a put of an older version raced ahead): back among the unfinished
        ops.add(new Op(Kind.DELETE_HISTORY, w, null));
      }
      ops.add(new Op(active ? Kind.SET_ACTIVE : Kind.CREATE_ACTIVE, w, null));
    } else {
      if (active) {
        ops.add(new Op(Kind.DELETE_ACTIVE, w, null));
      }
      ops.add(new Op(history ? Kind.SET_HISTORY : Kind.CREATE_HISTORY, w, null));
    }
    return ops;
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
    for (int round = 0; round < MAX_ROUNDS + writes.size(); round++) {
      if (term != null && !terms.isActive(epoch)) {
        complete(writes, new FencedException(epoch, "leadership was revoked"));
        return;
      }
      int checks = term != null ? 2 : 1;
      List<Op> plan = new ArrayList<>();
      Set<String> newBuckets = new HashSet<>();
      for (Write w : writes) {
        for (Op op : plan(w)) {
          String bucket = bucketPath(op.kind(), w.jobId);
          if (bucket != null && !knownBuckets.contains(bucket) && newBuckets.add(bucket)) {
            plan.add(new Op(Kind.BUCKET, null, bucket));
          }
          plan.add(op);
        }
      }
      if (plan.isEmpty()) {
        complete(writes, null);
        return;
      }
      try {
        if (!rootsKnown) {
          trees.ensurePath(paths.jobs());
          trees.ensurePath(paths.history());
          trees.ensurePath(paths.alerts());
          rootsKnown = true;
        }
        List<CuratorOp> ops = new ArrayList<>(plan.size() + checks);
        ops.add(client.transactionOp().check().withVersion((int) epoch.value()).forPath(paths.epoch()));
        if (term != null) {
          ops.add(client.transactionOp().check().forPath(term.latchPath()));
        }
        for (Op op : plan) {
          ops.add(curatorOp(op));
        }
        client.transaction().forOperations(ops);
        knownBuckets.addAll(newBuckets);
        for (Op op : plan) {
          learnDone(op);
        }
        complete(writes, null);
        return;
      } catch (KeeperException e) {
        int index = Multi.failedOp(e);
        KeeperException.Code code = Multi.failedCode(e);
        if (index >= 0 && index < checks) {
          complete(writes, new FencedException(epoch, "fencing check failed on ZooKeeper (" + code + ")", e));
          return;
        }
        if (index < 0 || !learnFailed(plan.get(index - checks), code)) {
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
        new IllegalStateException("gave up writing jobs after " + (MAX_ROUNDS + writes.size()) + " rounds", last)));
  }

  /** The bucket an op needs to exist (creates only). */
  private String bucketPath(Kind kind, String jobId) {
    return switch (kind) {
      case CREATE_ACTIVE -> paths.jobBucket(jobId);
      case CREATE_HISTORY -> paths.history() + "/" + ZkPaths.bucketOf(jobId);
      default -> null;
    };
  }

  private CuratorOp curatorOp(Op op) throws Exception {
    String id = op.write() == null ? null : op.write().jobId;
    byte[] bytes = op.write() == null ? new byte[0] : op.write().bytes;
    return switch (op.kind()) {
      case BUCKET -> client.transactionOp().create().forPath(op.bucketPath(), new byte[0]);
      case CREATE_ACTIVE -> client.transactionOp().create().forPath(paths.job(id), bytes);
      case SET_ACTIVE -> client.transactionOp().setData().forPath(paths.job(id), bytes);
      case DELETE_ACTIVE -> client.transactionOp().delete().forPath(paths.job(id));
      case CREATE_HISTORY -> client.transactionOp().create().forPath(paths.historyJob(id), bytes);
      case SET_HISTORY -> client.transactionOp().setData().forPath(paths.historyJob(id), bytes);
      case DELETE_HISTORY -> client.transactionOp().delete().forPath(paths.historyJob(id));
      case CREATE_FIRE -> client.transactionOp().create().forPath(
          paths.fire(op.write().fire.schedule(), op.write().fire.scheduledAt()), id.getBytes(StandardCharsets.UTF_8));
      case CREATE_ALERT -> client.transactionOp().create().forPath(paths.alert(op.alert().id()),
          AlertCodec.encode(op.alert()));
    };
  }

  private void learnDone(Op op) {
    String id = op.write() == null ? null : op.write().jobId;
    switch (op.kind()) {
      case CREATE_ACTIVE, SET_ACTIVE -> knownActive.add(id);
      case DELETE_ACTIVE -> knownActive.remove(id);
      case CREATE_HISTORY, SET_HISTORY -> knownHistory.add(id);
      case DELETE_HISTORY -> knownHistory.remove(id);
      case CREATE_FIRE -> op.write().fire = null; // recorded: a later round or put must not record it again
      case CREATE_ALERT -> {
        op.write().alerts.remove(op.alert());
        outboxSize.incrementAndGet();
      }
      case BUCKET -> { }
    }
  }

  /** What a failed op teaches about the tree; false when the failure is not one a new round can mend. */
  private boolean learnFailed(Op op, KeeperException.Code code) {
    Write w = op.write();
    boolean exists = code == KeeperException.Code.NODEEXISTS;
    boolean missing = code == KeeperException.Code.NONODE;
    switch (op.kind()) {
      case BUCKET -> {
        if (exists) {
          knownBuckets.add(op.bucketPath());
        } else if (missing) {
          rootsKnown = false;
        }
        return exists || missing;
      }
      case CREATE_ACTIVE, CREATE_HISTORY -> {
        if (exists) {
          (op.kind() == Kind.CREATE_ACTIVE ? knownActive : knownHistory).add(w.jobId);
        } else if (missing) {
          knownBuckets.remove(bucketPath(op.kind(), w.jobId));
        }
        return exists || missing;
      }
      case SET_ACTIVE, DELETE_ACTIVE -> {
        knownActive.remove(w.jobId);
        w.absentActive = true;
        return missing;
      }
      case SET_HISTORY, DELETE_HISTORY -> {
        knownHistory.remove(w.jobId);
        w.absentHistory = true;
        return missing;
      }
      case CREATE_ALERT -> {
        if (exists) {
          w.alerts.remove(op.alert()); // raised before (e.g. by an earlier leader) and not delivered yet: kept as is
        } else if (missing) {
          rootsKnown = false;
        }
        return exists || missing;
      }
      case CREATE_FIRE -> {
        w.refused = exists ? new FireExistsException(w.fire)
            : new IllegalStateException("schedule " + w.fire.schedule() + " is not stored: cannot record " + w.fire.id());
        return exists || missing;
      }
      default -> {
        return false;
      }
    }
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
        if (failure == null && w.refused != null) {
          f.completeExceptionally(w.refused);
        } else if (failure == null) {
          f.complete(null);
        } else {
          f.completeExceptionally(failure);
        }
      }
    }
  }

  /** Stops the writers once the queued changes are written (waits up to 10 s in all); later ones fail. */
  @Override
  public void close() {
    closed = true;
    alertDeletes.shutdown();
    resultsIo.shutdown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Lane lane : lanes) {
      try {
        lane.writer().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (lane.writer().isAlive()) {
        lane.writer().interrupt();
      }
      Pending p;
      while ((p = lane.queue().poll()) != null) {
        p.future().completeExceptionally(new IllegalStateException("job store closed"));
      }
    }
  }
}
