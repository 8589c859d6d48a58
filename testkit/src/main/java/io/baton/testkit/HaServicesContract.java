package io.baton.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.JobRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link HaServices} implementation promises, as the masters, workers and the web layer rely on it:
 * one leader at a time, growing epochs, a published leader that retrievals see, fenced writes for any term but
 * the current one, job store round trips, revocation on close. Run against the in-memory services (a
 * {@code *Test}: nothing real to wait for) and against ZooKeeper (an {@code *IT}).
 *
 * <p>A subclass says how to get the services of one more process of the same cluster ({@link #process}) and how
 * to wait for what those services do on their own threads ({@link #await}): the in-memory flavour drains its event
 * thread, the ZooKeeper one polls with {@link Eventually}.
 */
public abstract class HaServicesContract {
  private final List<AutoCloseable> opened = new ArrayList<>();

  /**
   * The services of one more process of the cluster under test (the same cluster on every call in a test). May
   * return the same instance for implementations held in one JVM.
   */
  protected abstract HaServices process() throws Exception;

  /** Stores {@code bytes} as job {@code id}'s record behind the store's back (a corrupt or hostile record). */
  protected abstract void plantStoredRecord(String id, byte[] bytes) throws Exception;

  /** Returns once {@code condition} holds, after the services have done what they were asked on their threads. */
  protected abstract void await(String what, BooleanSupplier condition);

  /**
   * Closes {@code closeable} after the test, after everything opened later (elections and retrievals are closed
   * before the services and clients they were made from).
   */
  protected final <T extends AutoCloseable> T closedAfterTest(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @AfterEach
  void closeOpened() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  // ---- helpers

  private <T extends AutoCloseable> T opened(T closeable) {
    return closedAfterTest(closeable);
  }

  private record Contender(LeaderElection election, RecordingContender events) {}

  private Contender contend(HaServices services, String id) throws Exception {
    LeaderElection election = opened(services.leaderElection(id));
    RecordingContender events = new RecordingContender();
    election.start(events);
    return new Contender(election, events);
  }

  private RecordingContender.Event next(RecordingContender c, String what) {
    await(what, () -> !c.events.isEmpty());
    return c.events.poll();
  }

  private Epoch granted(Contender c) {
    return assertInstanceOf(RecordingContender.Granted.class, next(c.events(), "a grant")).epoch();
  }

  private void revoked(Contender c) {
    assertInstanceOf(RecordingContender.Revoked.class, next(c.events(), "a revocation"));
  }

  /** Every value a listener was told, in order. */
  private static final class SeenLeaders implements LeaderListener {
    final List<Optional<LeaderInfo>> seen = new CopyOnWriteArrayList<>();

    @Override
    public void leaderChanged(Optional<LeaderInfo> leader) {
      seen.add(leader);
    }

    Optional<LeaderInfo> last() {
      return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
  }

  private SeenLeaders watch(HaServices services) throws Exception {
    SeenLeaders listener = new SeenLeaders();
    opened(services.leaderRetrieval()).start(listener);
    return listener;
  }

  private static LeaderInfo info(Epoch epoch, String who) {
    return new LeaderInfo(epoch, who + "-session-" + epoch.value(), "pekko://baton@" + who + ":2552",
        "http://" + who + ":8080");
  }

  private static Throwable failure(CompletableFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, future::get);
    return e.getCause();
  }

  private static JobRecord job(String id, JobState state) {
    JobRecord submitted = TestingJobs.job(id, "job-" + id);
    return state == JobState.PENDING ? submitted : submitted.withState(state, Instant.parse("2026-01-01T00:00:05Z"));
  }

  private static List<JobRecord> sorted(List<JobRecord> jobs) {
    return jobs.stream().sorted(Comparator.comparing(JobRecord::id)).toList();
  }

  // ---- election and retrieval

  @Test
  void theFirstContenderLeadsAndWhatItConfirmsIsWhatRetrievalsSee() throws Exception {
    HaServices services = process();
    SeenLeaders early = watch(services);
    Contender a = contend(services, "http://a:8080");
    Epoch epoch = granted(a);
    assertTrue(epoch.compareTo(Epoch.NONE) > 0, epoch.toString());
    assertTrue(a.election().hasLeadership(epoch));
    assertFalse(a.election().hasLeadership(new Epoch(epoch.value() + 1)), "only the granted epoch");

    LeaderInfo leader = info(epoch, "a");
    a.election().confirmLeadership(epoch, leader).get();
    await("the early retrieval sees the leader", () -> Optional.of(leader).equals(early.last()));
    assertEquals(Optional.empty(), early.seen.get(0), "nothing was published when it started");

    LeaderRetrieval late = opened(process().leaderRetrieval());
    SeenLeaders lateSeen = new SeenLeaders();
    late.start(lateSeen);
    await("a retrieval started later hears the current leader first", () -> !lateSeen.seen.isEmpty());
    assertEquals(Optional.of(leader), lateSeen.seen.get(0));
    assertEquals(Optional.of(leader), late.current());
  }

  /**
   * Confirming again (the same info, then a changed one) ends with every retrieval seeing the last info, and no
   * other leader in between. Known divergence: on ZooKeeper a confirm replaces {@code /leader} (delete and create
   * in one transaction), and retrievals see it vanish for a moment (an empty value, then the leader again); the
   * in-memory services tell nothing for an unchanged value. So this checks only what both do.
   */
  @Test
  void confirmingAgainEndsWithTheLastInfoSeenAndNoOtherLeader() throws Exception {
    HaServices services = process();
    Contender a = contend(services, "http://a:8080");
    Epoch epoch = granted(a);
    LeaderInfo leader = info(epoch, "a");
    a.election().confirmLeadership(epoch, leader).get();
    SeenLeaders seen = watch(process());
    await("the leader seen", () -> Optional.of(leader).equals(seen.last()));
    a.election().confirmLeadership(epoch, leader).get();
    LeaderInfo moved = new LeaderInfo(epoch, leader.sessionId(), leader.address(), "http://a:9090");
    a.election().confirmLeadership(epoch, moved).get();
    await("the changed leader seen", () -> Optional.of(moved).equals(seen.last()));
    for (Optional<LeaderInfo> value : seen.seen) {
      assertTrue(value.isEmpty() || value.get().equals(leader) || value.get().equals(moved), value.toString());
    }
  }

  @Test
  void theNextContenderTakesOverWithALargerEpochWhenTheLeaderCloses() throws Exception {
    Contender a = contend(process(), "http://a:8080");
    Epoch first = granted(a);
    a.election().confirmLeadership(first, info(first, "a")).get();
    Contender b = contend(process(), "http://b:8080");
    SeenLeaders seen = watch(process());
    await("both contend", () -> a.election().participants().size() == 2);
    assertEquals(List.of("http://a:8080", "http://b:8080"), a.election().participants().stream().sorted().toList());
    assertFalse(b.election().hasLeadership(first));
    assertTrue(b.events().events.isEmpty(), "one leader at a time");

    a.election().close();
    revoked(a);
    assertFalse(a.election().hasLeadership(first));
    Epoch second = granted(b);
    assertTrue(second.compareTo(first) > 0, first + " then " + second);
    assertTrue(b.election().hasLeadership(second));
    await("the closed leader is unpublished or replaced",
        () -> seen.last() != null && !seen.last().equals(Optional.of(info(first, "a"))));

    LeaderInfo next = info(second, "b");
    b.election().confirmLeadership(second, next).get();
    await("the new leader seen", () -> Optional.of(next).equals(seen.last()));
  }

  @Test
  void aLeaderThatStepsDownIsReplacedAtOnceAndContendsBehindTheOthers() throws Exception {
    Contender a = contend(process(), "http://a:8080");
    Epoch first = granted(a);
    a.election().confirmLeadership(first, info(first, "a")).get();
    Contender b = contend(process(), "http://b:8080");
    await("both contend", () -> a.election().participants().size() == 2);

    a.election().stepDown(true);
    revoked(a);
    assertFalse(a.election().hasLeadership(first));
    Epoch second = granted(b); // no session had to end: the await's own timeout bounds it
    assertTrue(second.compareTo(first) > 0, first + " then " + second);
    await("the stepped-down master still contends", () -> b.election().participants().size() == 2);
    assertTrue(a.events().events.isEmpty(), "and is not granted while another leads");

    b.election().close();
    revoked(b);
    Epoch third = granted(a);
    assertTrue(third.compareTo(second) > 0, second + " then " + third);
  }

  @Test
  void epochsGrowWithEveryTerm() throws Exception {
    Epoch previous = Epoch.NONE;
    for (int term = 0; term < 3; term++) {
      Contender c = contend(process(), "http://m" + term + ":8080");
      Epoch epoch = granted(c);
      assertTrue(epoch.compareTo(previous) > 0, previous + " then " + epoch);
      previous = epoch;
      c.election().close();
      revoked(c);
    }
  }

  // ---- the alert outbox

  private static Alert alert(String id) {
    return new Alert(id, "https://hooks.example/" + id, "ops",
        ("{\"id\":\"" + id + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static List<String> ids(List<Alert> alerts) {
    return alerts.stream().map(Alert::id).toList();
  }

  @Test
  void alertsAreStoredWithTheirJobsWriteAndOutliveTheLeaderUntilDeleted() throws Exception {
    HaServices one = process();
    HaServices two = process();
    Contender a = contend(one, "http://a:8080");
    Epoch first = granted(a);
    JobStore store = one.jobStore();
    assertEquals(List.of(), store.pendingAlerts());
    store.put(first, job("j1", JobState.FAILED), List.of(alert("j1.FAILED.0"), alert("j1.FAILED.1"))).get();
    // merged with the next put of the same job, its alert is kept too
    CompletableFuture<Void> merged = store.put(first, job("j2", JobState.RUNNING), List.of(alert("j2.0.1.RUNNING_LONG.0")));
    store.put(first, job("j2", JobState.SUCCEEDED), List.of(alert("j2.SUCCEEDED.0"))).get();
    merged.get();
    assertEquals(List.of(alert("j1.FAILED.0"), alert("j1.FAILED.1"), alert("j2.0.1.RUNNING_LONG.0"),
        alert("j2.SUCCEEDED.0")), two.jobStore().pendingAlerts(), "what another process reads, oldest first");
    assertEquals(List.of(job("j1", JobState.FAILED), job("j2", JobState.SUCCEEDED)), sorted(two.jobStore().loadAll()));

    Alert again = new Alert("j1.FAILED.0", "https://elsewhere.example/", "ops", new byte[] {'{', '}'});
    store.put(first, job("j1", JobState.FAILED), List.of(again)).get();
    assertEquals(alert("j1.FAILED.0"), store.pendingAlerts().get(0), "an alert raised again is kept as it was");

    Contender b = contend(two, "http://b:8080");
    a.election().close();
    revoked(a);
    Epoch second = granted(b);
    assertInstanceOf(FencedException.class, failure(store.deleteAlert(first, "j1.FAILED.0")));
    assertInstanceOf(FencedException.class, failure(store.put(first, job("j3", JobState.FAILED),
        List.of(alert("j3.FAILED.0")))));
    assertEquals(4, two.jobStore().pendingAlerts().size(), "fenced writes changed nothing");

    two.jobStore().deleteAlert(second, "j1.FAILED.0").get();
    two.jobStore().deleteAlert(second, "j2.SUCCEEDED.0").get();
    two.jobStore().deleteAlert(second, "never-stored").get();
    assertEquals(List.of("j1.FAILED.1", "j2.0.1.RUNNING_LONG.0"), ids(one.jobStore().pendingAlerts()));
    assertEquals(List.of(job("j1", JobState.FAILED), job("j2", JobState.SUCCEEDED)), sorted(one.jobStore().loadAll()),
        "the jobs stay where they were");
  }

  @Test
  void aDeposedTermCanNeitherPublishNorWrite() throws Exception {
    HaServices one = process();
    HaServices two = process();
    Contender a = contend(one, "http://a:8080");
    Epoch old = granted(a);
    one.jobStore().put(old, job("j1", JobState.PENDING)).get();
    Contender b = contend(two, "http://b:8080");
    a.election().close();
    revoked(a);
    Epoch current = granted(b);

    assertInstanceOf(FencedException.class, failure(a.election().confirmLeadership(old, info(old, "a"))));
    Throwable fenced = failure(one.jobStore().put(old, job("j1", JobState.RUNNING)));
    assertEquals(old, assertInstanceOf(FencedException.class, fenced).epoch());
    assertInstanceOf(FencedException.class, failure(two.jobStore().put(old, job("j2", JobState.PENDING))),
        "fenced whichever process writes");
    assertEquals(List.of(job("j1", JobState.PENDING)), two.jobStore().loadAll(), "the fenced writes changed nothing");

    two.jobStore().put(current, job("j1", JobState.RUNNING)).get();
    assertEquals(List.of(job("j1", JobState.RUNNING)), one.jobStore().loadAll());
  }

  @Test
  void aContenderCannotPublishForATermItWasNotGranted() throws Exception {
    Contender a = contend(process(), "http://a:8080");
    Epoch epoch = granted(a);
    Contender b = contend(process(), "http://b:8080");
    await("both contend", () -> a.election().participants().size() == 2);
    assertInstanceOf(FencedException.class, failure(b.election().confirmLeadership(epoch, info(epoch, "b"))));
    Epoch later = new Epoch(epoch.value() + 1);
    assertInstanceOf(FencedException.class, failure(a.election().confirmLeadership(later, info(later, "a"))));
  }

  @Test
  void anElectionStartsOnce() throws Exception {
    Contender a = contend(process(), "http://a:8080");
    granted(a);
    assertThrows(IllegalStateException.class, () -> a.election().start(new RecordingContender()));
  }

  @Test
  void aRetrievalStartsOnce() throws Exception {
    LeaderRetrieval retrieval = opened(process().leaderRetrieval());
    retrieval.start(new SeenLeaders());
    assertThrows(IllegalStateException.class, () -> retrieval.start(new SeenLeaders()));
  }

  @Test
  void closingAContenderThatDoesNotLeadChangesNothingForTheLeader() throws Exception {
    Contender a = contend(process(), "http://a:8080");
    Epoch epoch = granted(a);
    Contender b = contend(process(), "http://b:8080");
    await("both contend", () -> a.election().participants().size() == 2);
    b.election().close();
    await("one contends", () -> a.election().participants().size() == 1);
    assertTrue(a.election().hasLeadership(epoch));
    assertTrue(a.events().events.isEmpty(), "no revocation");
    assertTrue(b.events().events.isEmpty(), "never granted, never revoked");
  }

  @Test
  void connectedOnceStarted() throws Exception {
    HaServices services = process();
    await("connected", () -> services.connectionState().equals("CONNECTED"));
  }

  // ---- job store

  @Test
  void theJobStoreRoundTripsJobsAndAPutReplaces() throws Exception {
    HaServices one = process();
    Contender a = contend(one, "http://a:8080");
    Epoch epoch = granted(a);
    JobStore store = one.jobStore();
    assertEquals(List.of(), store.loadAll());
    List<JobRecord> jobs = List.of(job("j1", JobState.PENDING), job("j2", JobState.RUNNING),
        job("j3", JobState.SUCCEEDED));
    List<CompletableFuture<Void>> puts = new ArrayList<>();
    jobs.forEach(j -> puts.add(store.put(epoch, j)));
    for (CompletableFuture<Void> put : puts) {
      put.get();
    }
    assertEquals(jobs, sorted(process().jobStore().loadAll()), "what another process loads");

    JobRecord replaced = job("j1", JobState.RUNNING);
    CompletableFuture<Void> superseded = store.put(epoch, job("j1", JobState.FAILED));
    store.put(epoch, replaced).get();
    superseded.get();
    assertEquals(List.of(replaced, jobs.get(1), jobs.get(2)), sorted(store.loadAll()), "the last put wins");
  }

  @Test
  void resultsAreStoredOnceFencedReadByAnyProcessAndGoWithTheirJob() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    JobStore store = one.jobStore();
    store.put(epoch, job("j1", JobState.SUCCEEDED)).get();
    io.baton.protocol.AttemptKey shard = new io.baton.protocol.AttemptKey("j1", "sum#3", 2);
    io.baton.protocol.AttemptKey plain = new io.baton.protocol.AttemptKey("j1", "split", 1);
    io.baton.protocol.AttemptKey none = new io.baton.protocol.AttemptKey("j1", "reduce", 1);
    String big = "é".repeat(32 * 1024); // 64 KiB of UTF-8
    store.putResult(epoch, shard, "{\"sum\": 42}").get();
    store.putResult(epoch, plain, big).get();
    store.putResult(epoch, shard, "second").get();
    assertInstanceOf(FencedException.class,
        failure(store.putResult(new Epoch(epoch.value() + 1), none, "x")), "fenced like a put");

    java.util.Map<io.baton.protocol.AttemptKey, String> read =
        process().jobStore().results(List.of(shard, plain, none)).get();
    assertEquals(java.util.Map.of(shard, "{\"sum\": 42}", plain, big), read, "written once; absent when none");

    store.delete(epoch, "j1").get();
    assertEquals(java.util.Map.of(), process().jobStore().results(List.of(shard, plain)).get(),
        "deleted with the job");
  }

  @Test
  void writesForAnEpochNeverGrantedAreFenced() throws Exception {
    HaServices services = process();
    assertInstanceOf(FencedException.class, failure(services.jobStore().put(new Epoch(1), job("j", JobState.PENDING))),
        "no leader yet");
    Contender a = contend(services, "http://a:8080");
    Epoch epoch = granted(a);
    Epoch future = new Epoch(epoch.value() + 1);
    assertInstanceOf(FencedException.class, failure(services.jobStore().put(future, job("j", JobState.PENDING))));
    assertInstanceOf(FencedException.class, failure(services.jobStore().put(Epoch.NONE, job("j", JobState.PENDING))));
    assertEquals(List.of(), services.jobStore().loadAll());
  }

  @Test
  void theLeadersLoadQuarantinesUnreadableRecordsAndServesTheRest() throws Exception {
    HaServices services = process();
    Epoch epoch = granted(contend(services, "http://a:8080"));
    JobRecord good = job("j1", JobState.PENDING);
    services.jobStore().put(epoch, good).get();
    plantStoredRecord("j-garbage", new byte[] {1, 2, 3});
    plantStoredRecord("j-impostor", io.baton.protocol.codec.JobCodec.encode(job("j1", JobState.RUNNING)));

    assertInstanceOf(FencedException.class, assertThrows(Exception.class,
        () -> services.jobStore().loadForLeader(new Epoch(epoch.value() + 1))), "only the leader moves records");
    JobStore.Loaded loaded = services.jobStore().loadForLeader(epoch);
    assertEquals(List.of(good), loaded.jobs());
    assertEquals(List.of("j-garbage", "j-impostor"),
        loaded.quarantined().stream().map(JobStore.Quarantined::id).sorted().toList());
    assertEquals(List.of(good), process().jobStore().loadAll(), "moved aside: a strict load reads again");
  }

  @Test
  void aLeaderLoadsTheUnfinishedFirstAndTheHistoryLaterAndDeletesAreFenced() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    JobStore store = one.jobStore();
    List<JobRecord> jobs = List.of(job("j1", JobState.PENDING), job("j2", JobState.RUNNING),
        job("j3", JobState.SUCCEEDED), job("j4", JobState.FAILED));
    for (JobRecord j : jobs) {
      store.put(epoch, j).get();
    }
    JobStore.Loaded loaded = process().jobStore().loadForLeader(epoch);
    assertEquals(jobs.subList(0, 2), sorted(loaded.jobs()), "only the unfinished before serving");
    assertEquals("j4", loaded.newestId());
    List<JobRecord> history = new ArrayList<>();
    process().jobStore().loadHistory(epoch, 1, batch -> {
      assertTrue(batch.size() <= 1, "batches of at most the size asked for");
      history.addAll(batch);
    });
    assertEquals(List.of(jobs.get(3), jobs.get(2)), history, "every settled job, newest first");

    assertInstanceOf(FencedException.class, failure(store.delete(new Epoch(epoch.value() + 1), "j3")));
    store.delete(epoch, "j3").get();
    store.delete(epoch, "no-such-job").get();
    assertEquals(List.of(jobs.get(0), jobs.get(1), jobs.get(3)), sorted(process().jobStore().loadAll()));
  }

  @Test
  void aJobPutAndDeletedBeforeEitherIsWrittenEndsDeletedAndManyJobsInFlightAllLand() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    JobStore store = one.jobStore();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    List<JobRecord> kept = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String id = String.format("j%03d", i);
      writes.add(store.put(epoch, job(id, JobState.PENDING)));
      writes.add(store.put(epoch, job(id, JobState.RUNNING)));
      if (i % 3 == 0) {
        writes.add(store.put(epoch, job(id, JobState.SUCCEEDED)));
        writes.add(store.delete(epoch, id));
      } else {
        kept.add(job(id, i % 3 == 1 ? JobState.RUNNING : JobState.FAILED));
        if (i % 3 == 2) {
          writes.add(store.put(epoch, kept.get(kept.size() - 1)));
        }
      }
    }
    for (CompletableFuture<Void> write : writes) {
      write.get();
    }
    assertEquals(kept, sorted(process().jobStore().loadAll()), "each job as its last change left it");
  }

  @Test
  void schedulesAndTheirFiresAreStoredFencedAndAFireNeverSubmitsTwice() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    io.baton.ha.ScheduleStore store = one.scheduleStore();
    io.baton.protocol.schedule.ScheduleRecord nightly = new io.baton.protocol.schedule.ScheduleRecord(
        io.baton.protocol.schedule.ScheduleSpec.of("nightly", "0 2 * * *", job("x", JobState.PENDING).spec()),
        false, Instant.parse("2026-11-01T00:00:00Z"), null);
    store.create(epoch, nightly).get();
    assertInstanceOf(io.baton.ha.ScheduleStore.ScheduleExistsException.class, failure(store.create(epoch, nightly)));
    assertInstanceOf(FencedException.class, failure(store.create(new Epoch(epoch.value() + 1),
        new io.baton.protocol.schedule.ScheduleRecord(nightly.spec().withName("other"), false, Instant.EPOCH, null))));

    Instant d1 = Instant.parse("2026-11-02T02:00:00Z");
    Instant d2 = Instant.parse("2026-11-03T02:00:00Z");
    Instant d3 = Instant.parse("2026-11-04T02:00:00Z");
    JobStore.Fire fire = new JobStore.Fire("nightly", d1);
    one.jobStore().putFired(epoch, job("jf1", JobState.PENDING), fire).get();
    assertInstanceOf(JobStore.FireExistsException.class,
        failure(one.jobStore().putFired(epoch, job("jf2", JobState.PENDING), fire)), "a fire submits one job");
    store.recordSkipped(epoch, "nightly", d2).get();
    store.recordSkipped(epoch, "nightly", d2).get();
    assertInstanceOf(JobStore.FireExistsException.class,
        failure(one.jobStore().putFired(epoch, job("jf3", JobState.PENDING), new JobStore.Fire("nightly", d2))),
        "a skipped fire counts as done");
    one.jobStore().putFired(epoch, job("jf4", JobState.PENDING), new JobStore.Fire("nightly", d3)).get();

    io.baton.protocol.schedule.ScheduleRecord paused = new io.baton.protocol.schedule.ScheduleRecord(
        nightly.spec(), true, nightly.createdAt(), null);
    store.replace(epoch, paused).get();
    List<io.baton.ha.ScheduleStore.Stored> loaded = process().scheduleStore().loadAll();
    assertEquals(1, loaded.size());
    assertEquals(paused, loaded.get(0).schedule());
    assertEquals(List.of(new io.baton.ha.ScheduleStore.RecordedFire(d1, "jf1"),
        new io.baton.ha.ScheduleStore.RecordedFire(d2, null), new io.baton.ha.ScheduleStore.RecordedFire(d3, "jf4")),
        loaded.get(0).fires());
    assertEquals(List.of("jf1", "jf4"), sorted(one.jobStore().loadAll()).stream().map(JobRecord::id).toList());

    store.forgetFires(epoch, "nightly", List.of(d1, d2)).get();
    assertEquals(List.of(new io.baton.ha.ScheduleStore.RecordedFire(d3, "jf4")),
        process().scheduleStore().loadAll().get(0).fires());
    assertInstanceOf(FencedException.class, failure(store.delete(new Epoch(epoch.value() + 1), "nightly")));
    store.delete(epoch, "nightly").get();
    assertEquals(List.of(), process().scheduleStore().loadAll());
    assertInstanceOf(io.baton.ha.ScheduleStore.NoScheduleException.class, failure(store.delete(epoch, "nightly")));
    assertInstanceOf(io.baton.ha.ScheduleStore.NoScheduleException.class, failure(store.replace(epoch, paused)));
    assertInstanceOf(IllegalStateException.class,
        failure(one.jobStore().putFired(epoch, job("jf5", JobState.PENDING), new JobStore.Fire("nightly", d1))),
        "no fire of a deleted schedule");
  }

  @Test
  void aScheduleLoadsWithTheJobsOfItsNewestFiresOnly() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    io.baton.ha.ScheduleStore store = one.scheduleStore();
    Instant day = Instant.parse("2026-11-01T00:00:00Z");
    store.create(epoch, new io.baton.protocol.schedule.ScheduleRecord(io.baton.protocol.schedule.ScheduleSpec.of(
        "busy", "* * * * *", job("x", JobState.PENDING).spec()), false, day, null)).get();
    int n = io.baton.ha.ScheduleStore.FIRES_READ + 5;
    List<io.baton.ha.ScheduleStore.RecordedFire> expected = new ArrayList<>();
    for (int f = 0; f < n; f++) {
      Instant at = day.plusSeconds(60L * (f + 1));
      one.jobStore().putFired(epoch, job("b" + f, JobState.PENDING), new JobStore.Fire("busy", at)).get();
      expected.add(f < 5 ? io.baton.ha.ScheduleStore.RecordedFire.unread(at)
          : new io.baton.ha.ScheduleStore.RecordedFire(at, "b" + f));
    }
    assertEquals(expected, process().scheduleStore().loadAll().get(0).fires(),
        "every fire's instant, oldest first; the job of the newest " + io.baton.ha.ScheduleStore.FIRES_READ);
  }

  @Test
  void manySchedulesLoadEachWithItsOwnFiresOldestFirst() throws Exception {
    HaServices one = process();
    Epoch epoch = granted(contend(one, "http://a:8080"));
    io.baton.ha.ScheduleStore store = one.scheduleStore();
    Instant day = Instant.parse("2026-11-01T00:00:00Z");
    Map<String, List<io.baton.ha.ScheduleStore.RecordedFire>> expected = new java.util.TreeMap<>();
    for (int i = 0; i < 30; i++) {
      String name = String.format("s%02d", i);
      store.create(epoch, new io.baton.protocol.schedule.ScheduleRecord(io.baton.protocol.schedule.ScheduleSpec.of(
          name, "* * * * *", job("x", JobState.PENDING).spec()), false, day, null)).get();
      List<io.baton.ha.ScheduleStore.RecordedFire> fires = new ArrayList<>();
      for (int f = i % 4; f >= 0; f--) { // recorded newest first; loaded oldest first
        Instant at = day.plusSeconds(60L * (f + 1));
        String jobId = String.format("j%02d%d", i, f);
        if (f == 1) {
          store.recordSkipped(epoch, name, at).get();
          fires.add(0, new io.baton.ha.ScheduleStore.RecordedFire(at, null));
        } else {
          one.jobStore().putFired(epoch, job(jobId, JobState.PENDING), new JobStore.Fire(name, at)).get();
          fires.add(0, new io.baton.ha.ScheduleStore.RecordedFire(at, jobId));
        }
      }
      expected.put(name, fires);
    }
    Map<String, List<io.baton.ha.ScheduleStore.RecordedFire>> loaded = new java.util.TreeMap<>();
    for (io.baton.ha.ScheduleStore.Stored s : process().scheduleStore().loadAll()) {
      loaded.put(s.schedule().name(), s.fires());
    }
    assertEquals(expected, loaded);
  }
}
