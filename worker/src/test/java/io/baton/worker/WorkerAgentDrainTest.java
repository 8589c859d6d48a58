package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerMode;
import io.baton.worker.execution.TaskHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's drain (SIGTERM) on {@link ManualTime}: it says STOPPING, its running attempts go on, it stops once
 * they ended and the leader acknowledged them, or hands them back (LOST) at its deadline; and an operator's drain
 * set by the leader is said again in every registration. Handler attempts only ({@code sleep} as "runs until
 * killed"): nothing here waits for time to pass.
 */
class WorkerAgentDrainTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String ADDRESS = "pekko://baton@127.0.0.1:1";

  @TempDir Path dataDir;
  private final TestingClock clock = new TestingClock();
  private InMemoryHaServices ha;
  private TestingLeaderResolver resolver;
  private ActorRef<WorkerAgent.Command> worker;
  private TestProbe<WorkerAgent.Drained> drained;

  @BeforeEach
  void setUp() {
    ha = new InMemoryHaServices();
    resolver = new TestingLeaderResolver();
    drained = KIT.createTestProbe(WorkerAgent.Drained.class);
  }

  @AfterEach
  void tearDown() {
    if (worker != null) {
      KIT.stop(worker, WAIT);
    }
    ha.close();
  }

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private TestProbe<ToLeader> leader() throws Exception {
    TestProbe<ToLeader> probe = KIT.createTestProbe(ToLeader.class);
    resolver.put(ADDRESS, probe.ref());
    new TestingLeader(ADDRESS).start(ha.leaderElection(ADDRESS));
    return probe;
  }

  private void startWorker() {
    WorkerSettings settings = WorkerSettings.defaults("w1", dataDir).withResources(4, 4096)
        .withHeartbeat(INTERVAL, TIMEOUT).withRegistrationBackoffMax(Duration.ofMillis(400));
    worker = KIT.spawn(WorkerAgent.create(settings, ha.leaderRetrieval(), resolver, TaskHandlers.load(), clock, clock));
  }

  private void advance(Duration d) {
    clock.advance(d);
    TIME.timePasses(d);
  }

  private void settle() {
    TestProbe<WorkerAgent.Status> probe = KIT.createTestProbe(WorkerAgent.Status.class);
    worker.tell(new WorkerAgent.GetStatus(probe.ref()));
    probe.receiveMessage(WAIT);
  }

  @SuppressWarnings("unchecked")
  private static <T extends ToLeader> T await(TestProbe<ToLeader> probe, Class<T> type, Predicate<T> matches) {
    List<ToLeader> seen = probe.fishForMessage(WAIT, m -> type.isInstance(m) && matches.test((T) m)
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    return (T) seen.get(seen.size() - 1);
  }

  private ToLeader.RegisterWorker register(TestProbe<ToLeader> leader, WorkerMode mode) {
    ToLeader.RegisterWorker reg = await(leader, ToLeader.RegisterWorker.class, r -> true);
    assertEquals(mode, reg.mode());
    String session = ha.leaderRetrieval().current().orElseThrow().sessionId();
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), session, reg.sentAtNanos(), 5));
    return reg;
  }

  private static AttemptReport awaitReport(TestProbe<ToLeader> probe, AttemptKey key, AttemptState state) {
    AtomicReference<AttemptReport> found = new AtomicReference<>();
    probe.fishForMessage(WAIT, m -> {
      Optional<AttemptReport> r = (m instanceof ToLeader.Reports reports ? reports.reports() : List.<AttemptReport>of())
          .stream().filter(x -> x.key().equals(key) && x.state() == state).findFirst();
      r.ifPresent(found::set);
      return r.isPresent() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    return found.get();
  }

  /** Starts a handler attempt that runs until it is killed, and waits until the leader hears it runs. */
  private static void runForever(TestProbe<ToLeader> leader, ToLeader.RegisterWorker reg, AttemptKey key) {
    AttemptSpec spec = new AttemptSpec(key, TaskSpec.handler(key.taskId(), "sleep", "{\"millis\": 3600000}", List.of()));
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), List.of(spec)));
    awaitReport(leader, key, AttemptState.RUNNING);
  }

  private static void ack(ToLeader.RegisterWorker reg, AttemptKey key, AttemptState state) {
    reg.worker().tell(new ToWorker.AckReports(reg.epoch(), List.of(new ToWorker.Acked(key, state))));
  }

  @Test
  void aDrainingWorkerSaysStoppingLetsItsAttemptEndAndStopsOnceTheLeaderRecordedIt() throws Exception {
    TestProbe<ToLeader> leader = leader();
    startWorker();
    ToLeader.RegisterWorker reg = register(leader, WorkerMode.ACTIVE);
    AttemptKey key = new AttemptKey("j", "long", 1);
    runForever(leader, reg, key);
    ack(reg, key, AttemptState.RUNNING);

    worker.tell(new WorkerAgent.Drain(Duration.ofSeconds(30), drained.ref()));
    ToLeader.ModeChanged stopping = await(leader, ToLeader.ModeChanged.class, m -> true);
    assertEquals(WorkerMode.STOPPING, stopping.mode());
    assertEquals(5, stopping.token());
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.STOPPING));   // the leader's answer
    for (int i = 0; i < 5; i++) {
      advance(INTERVAL);
    }
    settle();
    drained.expectNoMessage(Duration.ZERO);
    assertEquals(AttemptState.RUNNING, awaitStatus().attempts().get(0).state(), "the attempt goes on");

    // it ends (here: cancelled by the leader); the worker stops only once the leader has recorded that
    reg.worker().tell(new ToWorker.KillAttempts(reg.epoch(), List.of(key), AttemptState.CANCELLED));
    awaitReport(leader, key, AttemptState.CANCELLED);
    advance(INTERVAL);
    settle();
    drained.expectNoMessage(Duration.ZERO);
    ack(reg, key, AttemptState.CANCELLED);
    advance(INTERVAL);
    assertEquals(new WorkerAgent.Drained(0, 0), drained.receiveMessage(WAIT));
    assertEquals(WorkerMode.STOPPED, await(leader, ToLeader.ModeChanged.class, m -> true).mode());
    drained.expectTerminated(worker, WAIT);
    worker = null;
  }

  @Test
  void pastTheDeadlineWhatStillRunsIsHandedBackLost() throws Exception {
    TestProbe<ToLeader> leader = leader();
    startWorker();
    ToLeader.RegisterWorker reg = register(leader, WorkerMode.ACTIVE);
    AttemptKey key = new AttemptKey("j", "too-long", 1);
    runForever(leader, reg, key);

    worker.tell(new WorkerAgent.Drain(Duration.ofSeconds(2), drained.ref()));
    await(leader, ToLeader.ModeChanged.class, m -> m.mode() == WorkerMode.STOPPING);
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.STOPPING));
    advance(Duration.ofMillis(1900));
    settle();
    drained.expectNoMessage(Duration.ZERO);
    advance(Duration.ofMillis(100));
    AttemptReport lost = awaitReport(leader, key, AttemptState.LOST);
    assertTrue(lost.message().contains("handed back"), lost.message());
    ack(reg, key, AttemptState.LOST);
    advance(INTERVAL);
    assertEquals(new WorkerAgent.Drained(1, 0), drained.receiveMessage(WAIT));
    assertEquals(WorkerMode.STOPPED, await(leader, ToLeader.ModeChanged.class, m -> true).mode());
    drained.expectTerminated(worker, WAIT);
    worker = null;
  }

  /**
   * A start the leader sent before it heard the worker is stopping may arrive after the worker found itself idle:
   * the drain ends only once the leader has answered STOPPING (after every start it sent), and runs that start.
   */
  @Test
  void anIdleWorkerWaitsForTheLeadersAnswerSoALateStartStillRuns() throws Exception {
    TestProbe<ToLeader> leader = leader();
    startWorker();
    ToLeader.RegisterWorker reg = register(leader, WorkerMode.ACTIVE);
    worker.tell(new WorkerAgent.Drain(Duration.ofSeconds(30), drained.ref()));
    await(leader, ToLeader.ModeChanged.class, m -> m.mode() == WorkerMode.STOPPING);
    for (int i = 0; i < 5; i++) {
      advance(INTERVAL);
    }
    settle();
    drained.expectNoMessage(Duration.ZERO);

    AttemptKey late = new AttemptKey("j", "late", 1);
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(),
        List.of(new AttemptSpec(late, TaskSpec.handler("late", "noop", null, List.of())))));
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.STOPPING));
    awaitReport(leader, late, AttemptState.SUCCEEDED);
    advance(INTERVAL);
    settle();
    drained.expectNoMessage(Duration.ZERO);   // its result is not acknowledged yet
    ack(reg, late, AttemptState.SUCCEEDED);
    advance(INTERVAL);
    assertEquals(new WorkerAgent.Drained(0, 0), drained.receiveMessage(WAIT));
    drained.expectTerminated(worker, WAIT);
    worker = null;
  }

  @Test
  void withoutALeaderAnIdleWorkerStopsAtOnce() {
    startWorker();
    worker.tell(new WorkerAgent.Drain(Duration.ofSeconds(30), drained.ref()));
    // the drain is checked every heartbeat interval; the first checks may find the worker still recovering
    // (its run records are read on a thread of its own)
    WorkerAgent.Drained done = null;
    for (int i = 0; i < 50 && done == null; i++) {
      advance(INTERVAL);
      try {
        done = drained.expectMessageClass(WorkerAgent.Drained.class, Duration.ofMillis(100));
      } catch (AssertionError notYet) {
        // still recovering at the last check
      }
    }
    assertEquals(new WorkerAgent.Drained(0, 0), done);
    drained.expectTerminated(worker, WAIT);
    worker = null;
  }

  @Test
  void anOperatorsDrainIsSaidInEveryRegistrationAndAStoppingWorkerCannotBeUndrained() throws Exception {
    TestProbe<ToLeader> leader = leader();
    startWorker();
    ToLeader.RegisterWorker reg = register(leader, WorkerMode.ACTIVE);
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.DRAINING));
    assertEquals(WorkerMode.DRAINING, await(leader, ToLeader.ModeChanged.class, m -> true).mode(), "confirmed");
    reg.worker().tell(new ToWorker.NotRegistered(reg.epoch()));   // e.g. a new term: register again
    reg = register(leader, WorkerMode.DRAINING);
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.ACTIVE));
    reg.worker().tell(new ToWorker.NotRegistered(reg.epoch()));
    reg = register(leader, WorkerMode.ACTIVE);

    runForever(leader, reg, new AttemptKey("j", "long", 1));   // so the worker does not stop at once
    worker.tell(new WorkerAgent.Drain(Duration.ofSeconds(30), drained.ref()));
    await(leader, ToLeader.ModeChanged.class, m -> m.mode() == WorkerMode.STOPPING);
    reg.worker().tell(new ToWorker.SetMode(reg.epoch(), WorkerMode.ACTIVE));
    assertEquals(WorkerMode.STOPPING, await(leader, ToLeader.ModeChanged.class, m -> true).mode(),
        "it tells the leader it still stops");
  }

  private WorkerAgent.Status awaitStatus() {
    TestProbe<WorkerAgent.Status> probe = KIT.createTestProbe(WorkerAgent.Status.class);
    worker.tell(new WorkerAgent.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }
}
