package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Closer;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ZooKeeperJobStoreIT {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  @RegisterExtension
  final Closer closer = new Closer();
  private final String cluster = "it-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(cluster);
  private CuratorFramework client;
  private ZooKeeperHaServices ha;
  private Epoch epoch;

  @BeforeEach
  void lead() throws Exception {
    Leading leading = Leading.start(closer, ZK.connectString(), cluster);
    client = leading.client();
    ha = leading.ha();
    epoch = leading.epoch();
  }

  /** A store on a fresh client: nothing cached, so it reads what ZooKeeper holds. */
  private ZooKeeperJobStore freshStore() throws Exception {
    return Leading.freshStore(closer, ZK.connectString(), paths);
  }

  private static Map<String, JobRecord> byId(List<JobRecord> jobs) {
    return jobs.stream().collect(Collectors.toMap(JobRecord::id, Function.identity()));
  }

  private static void awaitAll(List<CompletableFuture<Void>> futures) throws Exception {
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
  }

  @Test
  void roundTripsManyJobs() throws Exception {
    Map<String, JobRecord> written = new HashMap<>();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      JobRecord job = TestingJobs.job("job-" + i, "name-" + i);
      written.put(job.id(), job);
      futures.add(ha.jobStore().put(epoch, job));
    }
    awaitAll(futures);
    assertEquals(written, byId(freshStore().loadAll()));
    assertEquals(written, byId(ha.jobStore().loadAll()));
    List<String> buckets = client.getChildren().forPath(paths.jobs());
    assertTrue(buckets.size() > 200 && buckets.stream().allMatch(b -> b.matches("[0-9a-f]{2}")), buckets.toString());
  }

  @Test
  void severalPutsOfOneJobStoreTheLast() throws Exception {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    JobRecord last = null;
    for (int v = 0; v < 50; v++) {
      last = TestingJobs.job("job-c", "version-" + v);
      futures.add(ha.jobStore().put(epoch, last));
    }
    awaitAll(futures);
    assertEquals(Map.of("job-c", last), byId(freshStore().loadAll()));
    int version = client.checkExists().forPath(paths.job("job-c")).getVersion();
    System.out.println("50 puts of one job became " + (version + 1) + " writes");
    assertTrue(version < 49, "expected coalescing, got " + (version + 1) + " writes");
  }

  @Test
  void updatesFromAStoreThatNeverLoadedFallBackToSetData() throws Exception {
    ha.jobStore().put(epoch, TestingJobs.job("job-u", "v1")).get(5, TimeUnit.SECONDS);
    ZooKeeperJobStore other = closer.later(new ZooKeeperJobStore(client, paths));
    JobRecord v2 = TestingJobs.running("job-u", "v2");
    JobRecord fresh = TestingJobs.job("job-new", "n");
    CompletableFuture<Void> f1 = other.put(epoch, v2);
    CompletableFuture<Void> f2 = other.put(epoch, fresh);
    awaitAll(List.of(f1, f2));
    assertEquals(Map.of("job-u", v2, "job-new", fresh), byId(freshStore().loadAll()));
  }

  @Test
  void largeBatchesAreSplitUnderTheTransactionSizeCap() throws Exception {
    String big = "x".repeat(100_000);
    Map<String, JobRecord> written = new HashMap<>();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      JobRecord job = TestingJobs.job("big-" + i, big + i);
      written.put(job.id(), job);
      futures.add(ha.jobStore().put(epoch, job));
    }
    awaitAll(futures);
    assertEquals(written, byId(freshStore().loadAll()));
  }

  @Test
  void aWrongEpochIsFencedAndWritesNothing() throws Exception {
    ha.jobStore().put(epoch, TestingJobs.job("job-keep", "kept")).get(5, TimeUnit.SECONDS);
    Epoch future = new Epoch(epoch.value() + 1);
    List<CompletableFuture<Void>> fenced = List.of(
        ha.jobStore().put(future, TestingJobs.job("job-never", "n")),
        ha.jobStore().put(future, TestingJobs.running("job-keep", "overwritten")),
        ha.jobStore().put(Epoch.NONE, TestingJobs.job("job-never-2", "n")));
    for (CompletableFuture<Void> f : fenced) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
      assertInstanceOf(FencedException.class, e.getCause());
    }
    assertEquals(Map.of("job-keep", TestingJobs.job("job-keep", "kept")), byId(freshStore().loadAll()));
  }

  @Test
  void fiveThousandPutsComplete() throws Exception {
    List<CompletableFuture<Void>> warmUp = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      warmUp.add(ha.jobStore().put(epoch, TestingJobs.job("warm-" + i, "warm")));
    }
    awaitAll(warmUp);
    List<JobRecord> jobs = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      jobs.add(TestingJobs.job(UUID.randomUUID().toString(), "bulk-" + i));
    }
    long start = System.nanoTime();
    List<CompletableFuture<Void>> futures = new ArrayList<>(jobs.size());
    for (JobRecord job : jobs) {
      futures.add(ha.jobStore().put(epoch, job));
    }
    long queued = System.nanoTime();
    awaitAll(futures);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("5000 puts: queued in %.1f ms, durable after %.0f ms: %.0f puts/s%n",
        (queued - start) / 1e6, seconds * 1e3, jobs.size() / seconds);
    assertFalse(futures.stream().anyMatch(CompletableFuture::isCompletedExceptionally));
    assertEquals(6000, freshStore().loadAll().size());
  }

  private static JobRecord settled(String id) {
    return TestingJobs.job(id, id).withState(io.baton.protocol.JobState.SUCCEEDED, java.time.Instant.parse("2026-01-01T00:00:05Z"));
  }

  private List<JobRecord> history(ZooKeeperJobStore store) throws Exception {
    List<JobRecord> out = new ArrayList<>();
    store.loadHistory(epoch, 2, out::addAll);
    return out;
  }

  @Test
  void aSettledJobMovesToHistoryAndALeaderLoadsOnlyTheUnfinishedFirst() throws Exception {
    JobRecord open = TestingJobs.running("job-open", "open");
    JobRecord done = TestingJobs.job("job-done", "done");
    awaitAll(List.of(ha.jobStore().put(epoch, open), ha.jobStore().put(epoch, done)));
    assertTrue(client.checkExists().forPath(paths.job("job-done")) != null, "a pending job is among the unfinished");
    JobRecord finished = settled("job-done");
    ha.jobStore().put(epoch, finished).get(10, TimeUnit.SECONDS);

    assertTrue(client.checkExists().forPath(paths.job("job-done")) == null, "gone from the unfinished jobs");
    assertTrue(client.checkExists().forPath(paths.historyJob("job-done")) != null, "kept in history");
    ZooKeeperJobStore fresh = freshStore();
    var loaded = fresh.loadForLeader(epoch);
    assertEquals(List.of(open), loaded.jobs(), "a new leader reads only the unfinished before it serves");
    assertEquals("job-open", loaded.newestId(), "the newest id counts history too ('job-done' < 'job-open')");
    assertEquals(List.of(finished), history(fresh), "and the history in the background");
    assertEquals(Map.of("job-open", open, "job-done", finished), byId(fresh.loadAll()));
  }

  @Test
  void aDeleteRemovesAJobFromEitherTreeAndWinsOverEarlierPuts() throws Exception {
    awaitAll(List.of(ha.jobStore().put(epoch, TestingJobs.running("job-a", "a")),
        ha.jobStore().put(epoch, settled("job-b")), ha.jobStore().put(epoch, TestingJobs.job("job-c", "c"))));
    CompletableFuture<Void> put = ha.jobStore().put(epoch, settled("job-c"));
    CompletableFuture<Void> deleteC = ha.jobStore().delete(epoch, "job-c");
    awaitAll(List.of(put, deleteC, ha.jobStore().delete(epoch, "job-b"), ha.jobStore().delete(epoch, "never-stored")));

    assertEquals(List.of("job-a"), freshStore().loadAll().stream().map(JobRecord::id).toList());
    // a store that knows nothing of where a job is (another process wrote it) finds it in either tree
    ZooKeeperJobStore other = freshStore();
    awaitAll(List.of(ha.jobStore().put(epoch, settled("job-d")), ha.jobStore().put(epoch, TestingJobs.job("job-e", "e"))));
    awaitAll(List.of(other.delete(epoch, "job-d"), other.delete(epoch, "job-e"), other.delete(epoch, "job-a")));
    assertEquals(List.of(), freshStore().loadAll());
  }

  @Test
  void aDeleteForAnOldEpochIsFencedAndChangesNothing() throws Exception {
    ha.jobStore().put(epoch, settled("job-x")).get(10, TimeUnit.SECONDS);
    ExecutionException fenced = assertThrows(ExecutionException.class,
        () -> ha.jobStore().delete(new Epoch(epoch.value() - 1 == 0 ? 99 : epoch.value() - 1), "job-x")
            .get(10, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, fenced.getCause());
    assertEquals(List.of("job-x"), freshStore().loadAll().stream().map(JobRecord::id).toList());
  }

  @Test
  void settledJobsStoredByThePreviousLayoutAreServedAndMovedByTheirNextPut() throws Exception {
    // the layout before history existed: every job, finished or not, under jobs/
    JobRecord old = settled("job-old");
    client.create().creatingParentsIfNeeded().forPath(paths.job("job-old"), io.baton.protocol.codec.JobCodec.encode(old));
    ZooKeeperJobStore store = freshStore();
    assertEquals(List.of(old), store.loadForLeader(epoch).jobs(), "served at once, as before");
    store.put(epoch, old).get(10, TimeUnit.SECONDS);
    assertTrue(client.checkExists().forPath(paths.job("job-old")) == null);
    assertEquals(List.of(old), history(freshStore()));
  }

  @Test
  void aFireIsRecordedWithItsJobAndNeverSubmitsASecondOne() throws Exception {
    client.create().creatingParentsIfNeeded().forPath(paths.fires("nightly"));
    java.time.Instant due = java.time.Instant.parse("2026-11-28T02:00:00Z");
    io.baton.ha.JobStore.Fire fire = new io.baton.ha.JobStore.Fire("nightly", due);
    JobRecord first = TestingJobs.job("job-f1", "nightly");
    CompletableFuture<Void> created = ha.jobStore().putFired(epoch, first, fire);
    CompletableFuture<Void> update = ha.jobStore().put(epoch, TestingJobs.running("job-f1", "nightly"));
    awaitAll(List.of(created, update));
    assertEquals("job-f1", new String(client.getData().forPath(paths.fire("nightly", due)),
        java.nio.charset.StandardCharsets.UTF_8), "the fire names its job");

    // the same fire again, from this leader or (a fresh store) the next one: refused, nothing stored
    for (ZooKeeperJobStore store : List.of((ZooKeeperJobStore) ha.jobStore(), freshStore())) {
      ExecutionException again = assertThrows(ExecutionException.class,
          () -> store.putFired(epoch, TestingJobs.job("job-f2", "nightly"), fire).get(10, TimeUnit.SECONDS));
      assertInstanceOf(io.baton.ha.JobStore.FireExistsException.class, again.getCause());
    }
    // a refused fire does not hold back the other writes of its batch
    CompletableFuture<Void> refused = ha.jobStore().putFired(epoch, TestingJobs.job("job-f3", "nightly"), fire);
    CompletableFuture<Void> other = ha.jobStore().put(epoch, TestingJobs.job("job-other", "other"));
    other.get(10, TimeUnit.SECONDS);
    assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("job-f1", "job-other"),
        freshStore().loadAll().stream().map(JobRecord::id).sorted().toList());

    ExecutionException unknown = assertThrows(ExecutionException.class, () -> ha.jobStore()
        .putFired(epoch, TestingJobs.job("job-x", "x"), new io.baton.ha.JobStore.Fire("gone", due))
        .get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, unknown.getCause(), "a fire of a schedule not stored");
  }
}
