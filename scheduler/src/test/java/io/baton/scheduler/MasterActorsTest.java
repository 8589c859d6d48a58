package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptState;
import io.baton.protocol.AttemptKey;
import io.baton.wire.AttemptSpec;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.NotLeaderException;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.ScheduleView;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.resourcemanager.WorkerIdentities;
import io.baton.testkit.TestingClock;
import io.baton.wire.ToLeader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The master's actors end to end in one JVM: in-memory HA, Testing workers talking through the gateway. Time is
 * manual: Pekko's scheduler ({@link ManualTime}) and the actors' clock move together, one heartbeat interval at a
 * time, only while a test waits for something.
 */
class MasterActorsTest {
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(
      Duration.ofMillis(100), Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1),
      Duration.ofSeconds(5));

  private static final Duration STEP = SETTINGS.heartbeatInterval();

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<TestingWorker> workers = new CopyOnWriteArrayList<>();
  private ActorTestKit kit;
  private ManualTime time;
  private TestProbe<Object> waiter;
  private InMemoryHaServices ha;
  private DefaultMasterApi api;
  private ActorRef<ToLeader> gateway;

  @BeforeEach
  void start() throws Exception {
    kit = ActorTestKit.create(ManualTime.config());
    time = ManualTime.get(kit.system());
    waiter = kit.createTestProbe();
    ha = new InMemoryHaServices();
    api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api, clock), "master")
        .tell(new MasterGuardian.Start("http://master-1"));
    await(() -> api.session().isPresent());
    var classic = get(Adapter.toClassic(kit.system()).actorSelection("/user/master/gateway")
        .resolveOne(Duration.ofSeconds(3)));
    gateway = Adapter.toTyped(classic);
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    ha.close();
  }

  private TestingWorker worker(String id, double cpus, Map<String, String> labels) {
    TestingWorker w = new TestingWorker(id);
    w.ref = kit.spawn(w.behavior(gateway, cpus, labels), "worker-" + id);
    workers.add(w);
    await(() -> w.epoch.compareTo(Epoch.NONE) > 0);
    return w;
  }

  /**
   * Moves the clock and Pekko's scheduler on by one heartbeat interval, then waits until the leader answered the
   * heartbeat of every worker still beating, so no worker looks silent only because the test ran ahead.
   */
  private void step() {
    Map<TestingWorker, Integer> answered = new java.util.HashMap<>();
    workers.stream().filter(w -> w.heartbeating && !w.stopped && w.epoch.compareTo(Epoch.NONE) > 0)
        .forEach(w -> answered.put(w, w.heartbeatsAnswered.get()));
    clock.advance(STEP);
    time.timePasses(STEP);
    if (api.session().isEmpty()) {
      return;
    }
    try {
      waiter.awaitAssert(Duration.ofMillis(500), () -> {
        answered.forEach((w, before) -> assertTrue(w.heartbeatsAnswered.get() > before));
        return null;
      });
    } catch (AssertionError e) {
      // only pacing: a heartbeat may be dropped while leadership changes hands
    }
  }

  /** Waits until {@code condition} holds, letting time pass (one heartbeat interval at a time) while it does not. */
  private void await(BooleanSupplier condition) {
    for (int steps = 0; ; steps++) {
      try {
        waiter.awaitAssert(Duration.ofMillis(20), () -> {
          assertTrue(condition.getAsBoolean());
          return null;
        });
        return;
      } catch (AssertionError e) {
        if (steps >= 100) {
          throw new AssertionError("condition not met within " + STEP.multipliedBy(steps) + " of manual time", e);
        }
        step();
      }
    }
  }

  private <T> T get(java.util.concurrent.CompletionStage<T> stage) {
    java.util.concurrent.CompletableFuture<T> future = stage.toCompletableFuture();
    await(future::isDone);
    return future.join();
  }

  private JobRecord awaitState(String jobId, JobState state) {
    await(() -> get(api.job(jobId)).orElseThrow().state() == state);
    return get(api.job(jobId)).orElseThrow();
  }

  @Test
  void runsADagToSuccessAndPersistsBeforeAnswering() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("dag", Map.of("team", "t"), List.of(
        TaskSpec.handler("a", "noop", null, null),
        TaskSpec.handler("b", "noop", null, null),
        TaskSpec.handler("c", "noop", null, List.of("a", "b"))));
    MasterApi.SubmitResult submitted = get(api.submit(spec, Optional.empty()));
    assertTrue(submitted.created());
    assertTrue(ha.jobStore().loadAll().stream().anyMatch(j -> j.id().equals(submitted.jobId())), "persisted before 201");

    JobRecord done = awaitState(submitted.jobId(), JobState.SUCCEEDED);
    assertEquals(3, w.started.size());
    assertEquals("c", w.started.get(2).key().taskId(), "c starts only after a and b");
    assertEquals(api.session().orElseThrow().epoch().value() + ".1", w.started.get(0).task().env().get("BATON_FENCING_TOKEN"),
        "every attempt carries its fencing token: the leader's epoch and the attempt");
    done.tasks().forEach(t -> assertEquals("w1", t.latest().orElseThrow().workerId()));
    await(() -> w.acked.size() == 3 && w.acked.values().stream().allMatch(s -> s == AttemptState.SUCCEEDED));
    assertTrue(ha.jobStore().loadAll().stream().anyMatch(j -> j.state() == JobState.SUCCEEDED),
        "persisted before the results were acknowledged");
  }

  @Test
  void shardsRunIndependentlyAndTheirResultsAreStoredAndGivenToTheDependentAsInputs() throws Exception {
    TestingWorker w = worker("w1", 8, Map.of());
    JobSpec spec = new JobSpec("seed", null, List.of(
        TaskSpec.handler("split", "result", null, null),
        TaskSpec.handler("sum", "result", null, List.of("split")).withShards(3),
        TaskSpec.handler("reduce", "result", null, List.of("sum"))));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    JobRecord done = awaitState(id, JobState.SUCCEEDED);

    assertEquals(List.of("split", "sum#0", "sum#1", "sum#2", "reduce"),
        done.tasks().stream().map(t -> t.taskId()).toList(), "one record per shard");
    AttemptSpec shard1 = w.started.stream().filter(a -> a.key().taskId().equals("sum#1")).findFirst().orElseThrow();
    assertEquals("1", shard1.task().env().get("BATON_SHARD_INDEX"));
    assertEquals("3", shard1.task().env().get("BATON_SHARD_COUNT"));
    assertEquals(Map.of("split/0", "split {}"), shard1.inputs(), "a shard gets its dependency's result");
    AttemptSpec reduce = w.started.get(w.started.size() - 1);
    assertEquals("reduce", reduce.key().taskId(), "the dependent starts after every shard");
    assertEquals(Map.of("sum/0", "sum#0 {split/0=split {}}", "sum/1", "sum#1 {split/0=split {}}",
        "sum/2", "sum#2 {split/0=split {}}"), reduce.inputs());

    String stored = "sum#2 {split/0=split {}}";
    assertEquals(stored.length(), done.task("sum#2").orElseThrow().latest().orElseThrow().resultBytes(),
        "the record keeps the result's size only");
    assertEquals(Map.of(new AttemptKey(id, "sum#2", 1), stored),
        get(ha.jobStore().results(List.of(new AttemptKey(id, "sum#2", 1)))), "the result is stored apart");
  }

  @Test
  void aResultOverTheCapFailsItsAttemptOnTheLeaderToo() throws Exception {
    worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("big", null, List.of(TaskSpec.handler("a", "huge-result", null, null)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    JobRecord failed = awaitState(id, JobState.FAILED);
    var attempt = failed.task("a").orElseThrow().latest().orElseThrow();
    assertEquals(AttemptState.FAILED, attempt.state());
    assertEquals("result of 70000 bytes is over the cap of 65536 bytes", attempt.message());
    assertEquals(null, attempt.resultBytes());
  }

  @Test
  void aJobsStartIsWrittenWithItsFirstPlacementOrWithinASecondWhenNothingFits() throws Exception {
    JobSpec spec = new JobSpec("waits", null, List.of(TaskSpec.handler("a", "noop", null, null)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    java.util.function.Supplier<JobState> stored = () -> {
      try {
        return ha.jobStore().loadAll().stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow().state();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };
    await(() -> get(api.job(id)).orElseThrow().state() == JobState.RUNNING);
    assertEquals(JobState.PENDING, stored.get(), "no worker: the start waits to be written with a placement");
    time.timePasses(io.baton.scheduler.dispatcher.JobMaster.SAVE_START_WITHIN);
    await(() -> stored.get() == JobState.RUNNING);

    TestingWorker w = worker("w1", 4, Map.of());
    awaitState(id, JobState.SUCCEEDED);
    assertEquals(1, w.started.size());
  }

  @Test
  void retriesAFailingTaskThenFailsTheJobAndNeverStartsItsDependents() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("retry", null, List.of(
        TaskSpec.handler("bad", "fail", null, null).withRetries(2),
        TaskSpec.handler("after", "noop", null, List.of("bad"))));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    JobRecord job = awaitState(id, JobState.FAILED);
    assertEquals(3, job.task("bad").orElseThrow().attempts().size());
    assertEquals(1, job.task("bad").orElseThrow().latest().orElseThrow().exitCode());
    assertEquals(AttemptState.CANCELLED, job.task("after").orElseThrow().state());
    assertTrue(w.started.stream().noneMatch(a -> a.key().taskId().equals("after")));
  }

  @Test
  void cancelKillsRunningAttempts() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("long", null, List.of(
        TaskSpec.handler("sleepy", "sleep", null, null), TaskSpec.handler("next", "noop", null, List.of("sleepy"))));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> w.started.size() == 1);
    assertEquals(MasterApi.CancelResult.ACCEPTED, get(api.cancel(id)));
    JobRecord job = awaitState(id, JobState.CANCELLED);
    await(() -> w.killed.size() == 1);
    assertEquals(MasterApi.CancelResult.ALREADY_FINISHED, get(api.cancel(id)));
    assertEquals(MasterApi.CancelResult.NOT_FOUND, get(api.cancel("nope")));
    assertEquals(AttemptState.CANCELLED, job.task("next").orElseThrow().state());
  }

  @Test
  void idempotencyKeyReturnsTheFirstJob() throws Exception {
    worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("once", null, List.of(TaskSpec.handler("a", "noop", null, null)));
    MasterApi.SubmitResult first = get(api.submit(spec, Optional.of("k-1")));
    MasterApi.SubmitResult second = get(api.submit(spec, Optional.of("k-1")));
    assertTrue(first.created());
    assertFalse(second.created());
    assertEquals(first.jobId(), second.jobId());
    assertEquals(1, get(api.listJobs(Optional.empty(), 100, Optional.empty())).size());
  }

  @Test
  void constraintsAndCapacityDecidePlacement() throws Exception {
    TestingWorker a = worker("wa", 1, Map.of("zone", "a"));
    TestingWorker b = worker("wb", 1, Map.of("zone", "b"));
    JobSpec spec = new JobSpec("zoned", null, List.of(
        TaskSpec.handler("x", "noop", null, null).withConstraints(Map.of("zone", "b")),
        TaskSpec.handler("y", "noop", null, null).withConstraints(Map.of("zone", "b")),
        TaskSpec.handler("z", "noop", null, null).withConstraints(Map.of("zone", "a"))));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    awaitState(id, JobState.SUCCEEDED);
    assertEquals(List.of("z"), a.started.stream().map(s -> s.key().taskId()).toList());
    assertEquals(List.of("x", "y"), b.started.stream().map(s -> s.key().taskId()).sorted().toList());
  }

  @Test
  void aSilentWorkerIsDeadAndItsAttemptsAreRetriedElsewhere() throws Exception {
    TestingWorker first = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("lost", null, List.of(TaskSpec.handler("s", "sleep", null, null).withRetries(1)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> first.started.size() == 1);
    TestingWorker second = worker("w2", 4, Map.of());
    first.heartbeating = false;
    await(() -> second.started.size() == 1);
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(AttemptState.LOST, job.task("s").orElseThrow().attempts().get(0).state());
    assertEquals(2, second.started.get(0).key().attempt());
    List<WorkerView> workers = get(api.workers());
    assertEquals("DEAD", workers.stream().filter(v -> v.id().equals("w1")).findFirst().orElseThrow().state());
    assertEquals("ALIVE", workers.stream().filter(v -> v.id().equals("w2")).findFirst().orElseThrow().state());
  }

  @Test
  void listsNewestFirstWithFiltersAndPaging() throws Exception {
    worker("w1", 4, Map.of());
    JobSpec ok = new JobSpec("ok", null, List.of(TaskSpec.handler("a", "noop", null, null)));
    JobSpec bad = new JobSpec("bad", null, List.of(TaskSpec.handler("a", "fail", null, null)));
    String j1 = get(api.submit(ok, Optional.empty())).jobId();
    String j2 = get(api.submit(bad, Optional.empty())).jobId();
    String j3 = get(api.submit(ok, Optional.empty())).jobId();
    awaitState(j2, JobState.FAILED);
    awaitState(j3, JobState.SUCCEEDED);
    List<String> all = get(api.listJobs(Optional.empty(), 10, Optional.empty())).stream().map(JobRecord::id).toList();
    assertEquals(List.of(j3, j2, j1), all);
    assertEquals(List.of(j2), get(api.listJobs(Optional.of(JobState.FAILED), 10, Optional.empty())).stream().map(JobRecord::id).toList());
    assertEquals(List.of(j2, j1), get(api.listJobs(Optional.empty(), 10, Optional.of(j3))).stream().map(JobRecord::id).toList());
    assertEquals(List.of(j3), get(api.listJobs(Optional.empty(), 1, Optional.empty())).stream().map(JobRecord::id).toList());
  }

  @Test
  void aMasterThatLostLeadershipAnswersNotLeader() throws Exception {
    ha.revokeCurrentLeader();
    // the same master is the only contender, so it is granted again with a newer epoch
    long before = api.session().map(h -> h.epoch().value()).orElse(0L);
    await(() -> api.session().map(h -> h.epoch().value() > 1).orElse(false));
    assertTrue(api.session().orElseThrow().epoch().value() >= before);
    DefaultMasterApi standby = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    try {
      get(standby.job("x"));
      throw new AssertionError("a master without a session answered");
    } catch (java.util.concurrent.CompletionException e) {
      assertTrue(e.getCause() instanceof NotLeaderException, e.toString());
      assertEquals("http://master-1", ((NotLeaderException) e.getCause()).leader().orElseThrow().restUrl());
    } finally {
      standby.close();
    }
  }

  @Test
  void aLeaderStepsDownToAStandbyAtOnceAndWhatItAcceptedIsThere() throws Exception {
    assertEquals(new MasterApi.StepDownResult.NoStandby(), get(api.stepDown()), "nobody to hand over to");
    Epoch first = api.session().orElseThrow().epoch();

    DefaultMasterApi api2 = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api2, clock), "master-2")
        .tell(new MasterGuardian.Start("http://master-2"));
    await(() -> api.cluster().masters().size() == 2);
    String accepted = get(api.submit(new JobSpec("before-step-down", null,
        List.of(TaskSpec.handler("a", "noop", null, null))), Optional.empty())).jobId();

    assertEquals(new MasterApi.StepDownResult.HandedOver(first), get(api.stepDown()));
    // granted at once: no session had to expire, so no time passes here
    waiter.awaitAssert(Duration.ofSeconds(3), () -> {
      assertTrue(api2.session().map(h -> h.epoch().compareTo(first) > 0).orElse(false));
      return null;
    });
    assertTrue(api.session().isEmpty(), "the old leader serves as a standby");
    assertTrue(api.cluster().masters().contains("http://master-1"), "and still contends");
    try {
      get(api.stepDown());
      throw new AssertionError("a standby stepped down");
    } catch (java.util.concurrent.CompletionException e) {
      assertTrue(e.getCause() instanceof NotLeaderException, e.toString());
    }
    assertEquals("before-step-down", get(api2.job(accepted)).orElseThrow().spec().name());
    api2.close();
  }

  @Test
  void afterAFailoverTheReadModelAnswersWhatTheStoreHoldsForEveryQuery() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String handler = i % 3 == 2 ? "fail" : "noop";
      ids.add(get(api.submit(new JobSpec("etl-" + i, null, List.of(TaskSpec.handler("a", handler, null, null))),
          Optional.of("key-" + i))).jobId());
    }
    String running = get(api.submit(new JobSpec("etl-long", null,
        List.of(TaskSpec.handler("long", "sleep", null, null))), Optional.empty())).jobId();
    ids.forEach(id -> await(() -> get(api.job(id)).orElseThrow().state().isTerminal()));
    await(() -> w.started.stream().anyMatch(a -> a.key().jobId().equals(running)));
    List<JobRecord> before = get(api.listJobs(Optional.empty(), Optional.empty(), 100, Optional.empty()));

    Epoch oldEpoch = api.session().orElseThrow().epoch();
    ha.revokeCurrentLeader();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    w.ref.tell(new TestingWorker.Reregister());
    await(() -> get(api.listJobs(Optional.empty(), Optional.empty(), 100, Optional.empty())).size() == 7);

    Map<String, JobRecord> stored = new java.util.HashMap<>();
    ha.jobStore().loadAll().forEach(j -> stored.put(j.id(), j));
    List<JobRecord> after = get(api.listJobs(Optional.empty(), Optional.empty(), 100, Optional.empty()));
    assertEquals(before.stream().map(JobRecord::id).toList(), after.stream().map(JobRecord::id).toList(),
        "the same jobs, newest first");
    for (JobRecord listed : after) {
      assertEquals(stored.get(listed.id()), get(api.job(listed.id())).orElseThrow(), "detail of " + listed.id());
      assertEquals(stored.get(listed.id()).state(), listed.state(), "listed state of " + listed.id());
    }
    assertEquals(List.of(ids.get(2), ids.get(5)),
        get(api.listJobs(Optional.of(JobState.FAILED), Optional.empty(), 100, Optional.empty())).stream()
            .map(JobRecord::id).sorted().toList(), "the state filter");
    assertEquals(List.of(running), get(api.listJobs(Optional.empty(), Optional.of("long"), 100, Optional.empty()))
        .stream().map(JobRecord::id).toList(), "the name search");
    assertEquals(List.of(ids.get(4), ids.get(3)),
        get(api.listJobs(Optional.empty(), Optional.empty(), 2, Optional.of(ids.get(5)))).stream()
            .map(JobRecord::id).toList(), "paging");
    assertFalse(get(api.submit(new JobSpec("etl-0", null, List.of(TaskSpec.handler("a", "noop", null, null))),
        Optional.of("key-0"))).created(), "an idempotency key of a finished job still answers with its job");
    assertEquals(1, w.started.stream().filter(a -> a.key().jobId().equals(running)).count(), "adopted, not rerun");
  }

  @Test
  void aNewLeaderAdoptsRunningAttemptsInsteadOfRerunningThem() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("adopt", null, List.of(
        TaskSpec.handler("long", "sleep", null, null), TaskSpec.handler("next", "noop", null, List.of("long"))));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> w.started.size() == 1);
    Epoch oldEpoch = api.session().orElseThrow().epoch();
    ha.revokeCurrentLeader();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    w.ref.tell(new TestingWorker.Reregister());
    await(() -> w.epoch.compareTo(oldEpoch) > 0);
    // still one attempt, still running, on the same worker: adopted
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(1, job.task("long").orElseThrow().attempts().size());
    assertEquals(AttemptState.RUNNING, job.task("long").orElseThrow().state());
    assertEquals(1, w.started.size());
    // and it finishes under the new leader
    assertEquals(MasterApi.CancelResult.ACCEPTED, get(api.cancel(id)));
    await(() -> w.killed.size() == 1);
    awaitState(id, JobState.CANCELLED);
  }

  @Test
  void aWorkerRestartedBeforeItCountsAsDeadHasTheAttemptsItDoesNotReportRetriedAtOnce() throws Exception {
    TestingWorker first = worker("w1", 4, Map.of());
    first.deaf = true;
    JobSpec spec = new JobSpec("restarted", null, List.of(TaskSpec.handler("long", "sleep", null, null)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> get(api.job(id)).orElseThrow().task("long").orElseThrow().attempts().size() == 1);
    first.stopped = true;
    kit.stop(first.ref);   // died before it read its StartAttempts
    // a new process of the same worker, without the attempt; its certificate proves it is w1 (as the TLS layer
    // records it: without that proof a new process may take the id of a live worker only once that one is DEAD)
    WorkerIdentities.get(kit.system()).verified(WorkerIdentities.addressOf(first.ref), false, "w1");
    TestingWorker second = new TestingWorker("w1");
    second.ref = kit.spawn(second.behavior(gateway, 4, Map.of()), "worker-w1-again");
    workers.add(second);
    await(() -> second.started.size() == 1);
    assertEquals(2, second.started.get(0).key().attempt(), "retried although retries is 0: it never started");
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(AttemptState.LOST, job.task("long").orElseThrow().attempts().get(0).state());
  }

  @Test
  void attemptsAWorkerNoLongerHasAreLostAndRetriedAfterFailover() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("gone", null, List.of(TaskSpec.handler("long", "sleep", null, null).withRetries(1)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> w.started.size() == 1);
    Epoch oldEpoch = api.session().orElseThrow().epoch();
    w.running.clear(); // as if the worker had restarted and lost the attempt
    ha.revokeCurrentLeader();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    w.ref.tell(new TestingWorker.Reregister());
    await(() -> w.started.size() == 2);
    assertTrue(w.epoch.compareTo(oldEpoch) > 0);
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(AttemptState.LOST, job.task("long").orElseThrow().attempts().get(0).state());
    assertEquals(2, w.started.get(1).key().attempt());
  }

  @Test
  void attemptsOfAWorkerThatNeverComesBackAreLostOnlyAfterTheHeartbeatTimeout() throws Exception {
    TestingWorker gone = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("silent", null, List.of(TaskSpec.handler("long", "sleep", null, null).withRetries(1)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> gone.started.size() == 1);
    gone.heartbeating = false;
    Epoch oldEpoch = api.session().orElseThrow().epoch();
    ha.revokeCurrentLeader();
    Instant revokedAt = clock.instant();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    TestingWorker other = worker("w2", 4, Map.of());
    await(() -> other.started.size() == 1);
    // the new session started at or after revokedAt, and the attempt may be LOST only a heartbeat timeout later
    assertFalse(clock.instant().isBefore(revokedAt.plus(SETTINGS.heartbeatTimeout())),
        "retried at " + clock.instant() + ", before the heartbeat timeout after " + revokedAt);
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(AttemptState.LOST, job.task("long").orElseThrow().attempts().get(0).state());
  }

  @Test
  void publishesJobAndWorkerChangesOnTheEventStream() throws Exception {
    org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<io.baton.scheduler.api.ClusterEvent> events = kit.createTestProbe();
    kit.system().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Subscribe<>(
        io.baton.scheduler.api.ClusterEvent.class, events.getRef()));
    worker("w1", 4, Map.of());
    var registered = events.expectMessageClass(io.baton.scheduler.api.ClusterEvent.WorkerChanged.class);
    assertEquals("w1", registered.worker().id());
    String id = get(api.submit(new JobSpec("seen", null, List.of(TaskSpec.handler("a", "noop", null, null))), Optional.empty())).jobId();
    JobState last = null;
    while (last != JobState.SUCCEEDED) {
      var changed = events.expectMessageClass(io.baton.scheduler.api.ClusterEvent.JobChanged.class, Duration.ofSeconds(5));
      assertEquals(id, changed.job().id());
      last = changed.job().state();
    }
  }

  @Test
  void aJobCancelledWhileItsWorkerWasAwayHasItsAttemptKilledWhenTheWorkerReturns() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("late-kill", null, List.of(TaskSpec.handler("long", "sleep", null, null)));
    String id = get(api.submit(spec, Optional.empty())).jobId();
    await(() -> w.started.size() == 1);
    Epoch oldEpoch = api.session().orElseThrow().epoch();
    ha.revokeCurrentLeader();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    // the new leader knows the attempt only from the store; the job is cancelled before the worker is back
    assertEquals(MasterApi.CancelResult.ACCEPTED, get(api.cancel(id)));
    w.ref.tell(new TestingWorker.Reregister());
    await(() -> w.killed.size() == 1);
    awaitState(id, JobState.CANCELLED);
    await(() -> get(api.job(id)).orElseThrow().task("long").orElseThrow().state() == AttemptState.CANCELLED);
    JobRecord job = get(api.job(id)).orElseThrow();
    assertEquals(1, job.task("long").orElseThrow().attempts().size());
  }

  // ---- schedules

  private static io.baton.protocol.schedule.ScheduleSpec everySecond(String name, String handler,
      io.baton.protocol.schedule.Overlap overlap) {
    return io.baton.protocol.schedule.ScheduleSpec.of(name, "* * * * * ?",
            new JobSpec(name, null, List.of(TaskSpec.handler("t", handler, null, null))))
        .withSyntax(io.baton.protocol.schedule.CronSyntax.QUARTZ).withOverlap(overlap);
  }

  /** The due instants of the jobs submitted for schedule {@code name}, in order. */
  private List<Instant> fired(String name) {
    return get(api.listJobs(Optional.empty(), 1000, Optional.empty())).stream()
        .map(JobRecord::idempotencyKey).filter(k -> k != null && k.startsWith(name + "@"))
        .map(k -> Instant.parse(k.substring(name.length() + 1))).sorted().toList();
  }

  @Test
  void aScheduleFiresEveryDueSecondExactlyOnceAcrossAFailover() throws Exception {
    worker("w1", 4, Map.of());
    Instant created = clock.instant();
    MasterApi.ScheduleChange made = get(api.putSchedule(
        everySecond("tick", "noop", io.baton.protocol.schedule.Overlap.ALLOW), false));
    assertTrue(made instanceof MasterApi.ScheduleChange.Done d && d.created(), made.toString());
    assertTrue(get(api.putSchedule(everySecond("tick", "noop", io.baton.protocol.schedule.Overlap.ALLOW), false))
        instanceof MasterApi.ScheduleChange.Exists);
    await(() -> fired("tick").size() >= 3);

    Epoch oldEpoch = api.session().orElseThrow().epoch();
    ha.revokeCurrentLeader();
    await(() -> api.session().map(h -> h.epoch().compareTo(oldEpoch) > 0).orElse(false));
    Instant after = clock.instant();
    await(() -> fired("tick").stream().anyMatch(t -> t.isAfter(after.plusSeconds(2))));

    List<Instant> fires = fired("tick");
    assertEquals(fires.size(), new java.util.HashSet<>(fires).size(), "no fire twice: " + fires);
    Instant first = fires.get(0);
    assertFalse(first.isBefore(created), "nothing before the schedule existed");
    for (int i = 0; i < fires.size(); i++) {
      assertEquals(first.plusSeconds(i), fires.get(i), "every second fired, none missed, across the failover: " + fires);
    }
    ScheduleView view = get(api.schedule("tick")).orElseThrow();
    assertEquals(5, view.nextFires().size());
    assertFalse(view.lastFires().isEmpty());
    assertEquals("tick@" + fires.get(fires.size() - 1), view.lastFires().get(0).id(), "newest first");
  }

  /** The jobs of schedule {@code name}'s fires, by the fire's due instant. */
  private Map<Instant, JobRecord> fireJobs(String name) {
    Map<Instant, JobRecord> out = new java.util.TreeMap<>();
    get(api.listJobs(Optional.empty(), 1000, Optional.empty())).stream()
        .filter(j -> j.idempotencyKey() != null && j.idempotencyKey().startsWith(name + "@"))
        .forEach(j -> out.put(Instant.parse(j.idempotencyKey().substring(name.length() + 1)), j));
    return out;
  }

  @Test
  void aFireSubmittedAheadWaitsForItsTimeAndAPauseCancelsIt() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    get(api.putSchedule(everySecond("ahead", "noop", io.baton.protocol.schedule.Overlap.ALLOW), false));
    // fires up to fire-ahead (5 s) from now are submitted: their jobs wait, PENDING, for their instant
    await(() -> fireJobs("ahead").keySet().stream().anyMatch(t -> t.isAfter(clock.instant().plusSeconds(3))));
    Instant now = clock.instant();
    Map<Instant, JobRecord> waiting = new java.util.TreeMap<>(fireJobs("ahead"));
    waiting.keySet().removeIf(t -> !t.isAfter(now.plusSeconds(1)));
    assertFalse(waiting.isEmpty());
    waiting.forEach((at, job) -> {
      JobRecord read = get(api.job(job.id())).orElseThrow();
      assertEquals(JobState.PENDING, read.state(), "fire " + at + " before its time: " + read);
      assertEquals(at, read.runAt());
    });
    java.util.Set<String> waitingIds = new java.util.HashSet<>();
    waiting.values().forEach(j -> waitingIds.add(j.id()));
    assertTrue(w.started.stream().noneMatch(a -> waitingIds.contains(a.key().jobId())), "nothing placed early");

    Instant due = waiting.keySet().iterator().next();
    JobRecord ran = awaitState(waiting.get(due).id(), JobState.SUCCEEDED);
    assertFalse(ran.startedAt().isBefore(due), "started at its time, not before: " + ran.startedAt() + " < " + due);

    // pausing cancels what was submitted for later
    get(api.pauseSchedule("ahead", true));
    Instant pausedAt = clock.instant();
    List<JobRecord> later = fireJobs("ahead").entrySet().stream().filter(e -> e.getKey().isAfter(pausedAt.plusMillis(500)))
        .map(Map.Entry::getValue).toList();
    assertFalse(later.isEmpty(), "fires were submitted ahead of the pause");
    for (JobRecord job : later) {
      awaitState(job.id(), JobState.CANCELLED);
    }
    for (int i = 0; i < 60; i++) {
      step();
    }
    for (JobRecord job : later) {
      assertTrue(w.started.stream().noneMatch(a -> a.key().jobId().equals(job.id())), "cancelled, never run: " + job.id());
    }
  }

  @Test
  void overlapSkipNeverStartsASecondRunAndRecordsTheSkippedFires() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    get(api.putSchedule(everySecond("slow", "sleep", io.baton.protocol.schedule.Overlap.SKIP), false));
    await(() -> w.started.size() == 1);
    await(() -> get(api.schedule("slow")).orElseThrow().lastFires().stream()
        .filter(f -> f.state().equals("SKIPPED")).count() >= 2);
    assertEquals(1, w.started.size(), "the first job still runs: no second run");
    assertEquals(1, fired("slow").size());
  }

  @Test
  void aPausedScheduleDoesNotFireAndResumesFromNowOnTriggerRunsItOnceAndDeleteRemovesIt() throws Exception {
    worker("w1", 4, Map.of());
    get(api.putSchedule(everySecond("p", "noop", io.baton.protocol.schedule.Overlap.ALLOW), false));
    await(() -> fired("p").size() >= 1);
    MasterApi.ScheduleChange paused = get(api.pauseSchedule("p", true));
    assertTrue(((MasterApi.ScheduleChange.Done) paused).view().paused());
    int before = fired("p").size();
    for (int i = 0; i < 30; i++) {
      step();
    }
    assertEquals(before, fired("p").size(), "nothing fires while paused");
    assertTrue(get(api.schedule("p")).orElseThrow().nextFires().isEmpty());

    String triggered = get(api.triggerSchedule("p")).orElseThrow();
    assertEquals(before + 1, fired("p").size(), "trigger runs it once, paused or not");
    awaitState(triggered, JobState.SUCCEEDED);

    Instant resumed = clock.instant();
    get(api.pauseSchedule("p", false));
    await(() -> fired("p").size() > before + 1);
    // (fires submitted ahead of the pause are there, cancelled: not run)
    assertFalse(fireJobs("p").entrySet().stream().filter(e -> e.getValue().state() != JobState.CANCELLED)
        .map(Map.Entry::getKey).anyMatch(t -> t.isAfter(resumed.minusSeconds(3)) && t.isBefore(resumed.minusMillis(1))
        && !t.equals(Instant.parse(get(api.job(triggered)).orElseThrow().idempotencyKey().substring(2)))),
        "the fires missed while paused are not caught up");

    assertTrue(get(api.deleteSchedule("p")) instanceof MasterApi.ScheduleChange.Done);
    assertTrue(get(api.schedule("p")).isEmpty());
    assertTrue(get(api.deleteSchedule("p")) instanceof MasterApi.ScheduleChange.NotFound);
    assertTrue(get(api.triggerSchedule("p")).isEmpty());
  }

  @Test
  void aDrainedWorkerIsGivenNothingNewUntilItIsUndrained() throws Exception {
    TestingWorker w1 = worker("w1", 4, Map.of("node", "one"));
    TestingWorker w2 = worker("w2", 4, Map.of("node", "two"));
    MasterApi.DrainResult drained = get(api.drain("w1", true));
    assertEquals("DRAINING", ((MasterApi.DrainResult.Done) drained).worker().state());
    assertTrue(get(api.drain("nobody", true)) instanceof MasterApi.DrainResult.NotFound);

    String free = get(api.submit(new JobSpec("free", null, List.of(TaskSpec.handler("a", "noop", null, null))),
        Optional.empty())).jobId();
    String pinned = get(api.submit(new JobSpec("pinned", null,
        List.of(TaskSpec.handler("p", "noop", null, null).withConstraints(Map.of("node", "one")))), Optional.empty())).jobId();
    awaitState(free, JobState.SUCCEEDED);
    assertEquals(1, w2.started.size());
    for (int i = 0; i < 5; i++) {
      step();
    }
    assertTrue(w1.started.isEmpty(), "nothing new on a DRAINING worker");
    assertEquals(JobState.RUNNING, get(api.job(pinned)).orElseThrow().state());

    assertEquals("ALIVE", ((MasterApi.DrainResult.Done) get(api.drain("w1", false))).worker().state());
    awaitState(pinned, JobState.SUCCEEDED);
    assertEquals(List.of("p"), w1.started.stream().map(a -> a.key().taskId()).toList());
  }

  @Test
  void aRerunReusesWhatSucceededRunsOnlyTheRestAndIsLinkedBothWays() throws Exception {
    TestingWorker w = worker("w1", 4, Map.of());
    JobSpec spec = new JobSpec("half", null, List.of(
        TaskSpec.handler("a", "noop", null, null),
        TaskSpec.handler("b", "fail", null, List.of("a")),
        TaskSpec.handler("c", "noop", null, List.of("b")),
        TaskSpec.handler("d", "noop", null, null)));
    String old = get(api.submit(spec, Optional.empty())).jobId();
    awaitState(old, JobState.FAILED);
    await(() -> get(api.job(old)).orElseThrow().settled());
    int startedBefore = w.started.size();

    MasterApi.RerunResult result = get(api.rerun(old));
    String rerun = ((MasterApi.RerunResult.Created) result).jobId();
    JobRecord done = awaitState(rerun, JobState.FAILED);   // b fails again: it is the one that runs again
    assertEquals(old, done.rerunOf());
    assertEquals(List.of(rerun), get(api.reruns(old)));
    assertEquals(List.of("b"), w.started.subList(startedBefore, w.started.size()).stream()
        .map(a -> a.key().taskId()).toList(), "only what did not succeed ran");
    assertTrue(w.started.subList(startedBefore, w.started.size()).stream().allMatch(a -> a.key().jobId().equals(rerun)));
    assertEquals(AttemptState.SUCCEEDED, done.task("a").orElseThrow().state());
    assertTrue(done.task("a").orElseThrow().latest().orElseThrow().message().startsWith("reused: succeeded in job " + old));
    assertEquals(AttemptState.SUCCEEDED, done.task("d").orElseThrow().state());
    assertEquals(AttemptState.CANCELLED, done.task("c").orElseThrow().state());
    assertTrue(ha.jobStore().loadAll().stream().anyMatch(j -> j.id().equals(rerun) && old.equals(j.rerunOf())),
        "the link is persisted");

    assertTrue(get(api.rerun("nope")) instanceof MasterApi.RerunResult.NotFound);
    String ok = get(api.submit(new JobSpec("ok", null, List.of(TaskSpec.handler("a", "noop", null, null))),
        Optional.empty())).jobId();
    awaitState(ok, JobState.SUCCEEDED);
    await(() -> get(api.job(ok)).orElseThrow().settled());
    assertTrue(get(api.rerun(ok)) instanceof MasterApi.RerunResult.Conflict, "nothing to rerun");
    String running = get(api.submit(new JobSpec("long", null, List.of(TaskSpec.handler("s", "sleep", null, null))),
        Optional.empty())).jobId();
    await(() -> w.started.stream().anyMatch(x -> x.key().jobId().equals(running)));
    assertTrue(get(api.rerun(running)) instanceof MasterApi.RerunResult.Conflict, "not finished");
  }
}
