package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.worker.connection.LeaderResolver;
import io.baton.worker.execution.Leftovers;
import io.baton.worker.execution.TaskHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * The worker's timer-driven logic on {@link ManualTime}, with a {@link TestingClock} moved along with it: the
 * registration backoff, heartbeats, the lease and self-fencing, report resends, attempt timeouts, stale epochs.
 * Only handler tasks ({@code noop}, {@code sleep} as "runs until killed"): no task process is forked (the worker
 * still runs its attempt guard's one-off self-check at start-up). Processes, the guard and real time are
 * {@link WorkerAgentIT}'s.
 *
 * <p>Nothing here waits for time to pass: time moves by {@link #advance}, and {@link #settle} (a status round trip
 * through the worker's mailbox) makes sure every timer message that fired has been handled before a test checks
 * that something was not sent. Each step costs 100 ms of real time all the same (Pekko's
 * {@code ExplicitlyTriggeredScheduler.timePasses} sleeps to let dispatchers drain), so the tests take one big step
 * wherever nothing needs answering in between.
 */
class WorkerAgentTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration BACKOFF_MAX = Duration.ofMillis(400);
  private static final Duration LONG_TIMEOUT = Duration.ofSeconds(60);
  /** With this timeout the lease margin is 500 ms: a lease ends 1.5 s after the last answered message was sent. */
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);
  private static final String ADDRESS = "pekko://baton@127.0.0.1:1";

  @TempDir Path dataDir;
  private final TestingClock clock = new TestingClock();
  private InMemoryHaServices ha;
  private TestingLeaderResolver resolver;
  private ActorRef<WorkerAgent.Command> worker;

  @BeforeEach
  void setUp() {
    ha = new InMemoryHaServices();
    resolver = new TestingLeaderResolver();
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

  // ---- helpers

  private TestProbe<ToLeader> leader(String address) throws Exception {
    TestProbe<ToLeader> probe = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, probe.ref());
    new TestingLeader(address).start(ha.leaderElection(address));
    return probe;
  }

  private WorkerSettings settings(Duration heartbeatTimeout) {
    return WorkerSettings.defaults("w1", dataDir)
        .withResources(4, 4096)
        .withHeartbeat(INTERVAL, heartbeatTimeout)
        .withRegistrationBackoffMax(BACKOFF_MAX);
  }

  private void startWorker(Duration heartbeatTimeout) {
    worker = KIT.spawn(WorkerAgent.create(settings(heartbeatTimeout), ha.leaderRetrieval(), resolver,
        TaskHandlers.load(), clock, clock));
  }

  /** Moves both clocks by {@code d} and fires the timers due by then. */
  private void advance(Duration d) {
    clock.advance(d);
    TIME.timePasses(d);
  }

  private void advance(long millis) {
    advance(Duration.ofMillis(millis));
  }

  /** Returns once the worker has handled everything sent to it before (timer messages included). */
  private WorkerAgent.Status settle() {
    TestProbe<WorkerAgent.Status> probe = KIT.createTestProbe(WorkerAgent.Status.class);
    worker.tell(new WorkerAgent.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  /** Nothing (more) was sent to the leader by the messages the worker has handled. */
  private void assertNothingSent(TestProbe<ToLeader> leader) {
    settle();
    leader.expectNoMessage(Duration.ZERO);
  }

  @SuppressWarnings("unchecked")
  private static <T extends ToLeader> T await(TestProbe<ToLeader> probe, Class<T> type, Predicate<T> matches) {
    List<ToLeader> seen = probe.fishForMessage(WAIT, m -> type.isInstance(m) && matches.test((T) m)
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    return (T) seen.get(seen.size() - 1);
  }

  /** Accepts as the leader published now (its session id; a deposed leader's acceptance is refused anyway). */
  private ToLeader.RegisterWorker accept(ToLeader.RegisterWorker reg) {
    String session = ha.leaderRetrieval().current().orElseThrow().sessionId();
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), session, reg.sentAtNanos()));
    return reg;
  }

  private static Optional<AttemptReport> find(ToLeader m, AttemptKey key, AttemptState state) {
    List<AttemptReport> reports = m instanceof ToLeader.Reports r ? r.reports()
        : m instanceof ToLeader.RegisterWorker w ? w.attempts() : List.of();
    return reports.stream().filter(r -> r.key().equals(key) && r.state() == state).findFirst();
  }

  private static AttemptReport awaitReport(TestProbe<ToLeader> probe, AttemptKey key, AttemptState state) {
    AtomicReference<AttemptReport> found = new AtomicReference<>();
    probe.fishForMessage(WAIT, m -> {
      Optional<AttemptReport> r = find(m, key, state);
      r.ifPresent(found::set);
      return r.isPresent() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    return found.get();
  }

  /** No message the leader has been sent so far (after {@link #settle}) reports {@code key} in {@code state}. */
  private void assertNoReportOf(TestProbe<ToLeader> leader, AttemptKey key, AttemptState state) {
    settle();
    for (ToLeader m : drain(leader)) {
      assertFalse(find(m, key, state).isPresent(), "unexpected " + state + " in " + m);
    }
  }

  private static List<ToLeader> drain(TestProbe<ToLeader> probe) {
    List<ToLeader> out = new ArrayList<>();
    while (true) {
      try {
        out.add(probe.expectMessageClass(ToLeader.class, Duration.ZERO));
      } catch (AssertionError none) {
        return out;
      }
    }
  }

  private static AttemptSpec handler(AttemptKey key, String name, String argsJson) {
    return new AttemptSpec(key, TaskSpec.handler(key.taskId(), name, argsJson, List.of()));
  }

  /** A handler attempt that runs until it is killed. */
  private static AttemptSpec forever(AttemptKey key) {
    return handler(key, "sleep", "{\"millis\": 3600000}");
  }

  private static void start(ToLeader.RegisterWorker reg, AttemptSpec... specs) {
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), List.of(specs)));
  }

  // ---- registration

  @Test
  void registrationIsRetriedWithDoublingDelaysUpToTheMaximumUntilAccepted() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker first = await(leader, ToLeader.RegisterWorker.class, r -> true);
    assertEquals(new Epoch(1), first.epoch());
    assertEquals("w1", first.info().workerId());
    assertEquals(clock.getAsLong(), first.sentAtNanos());

    ToLeader.RegisterWorker last = first;
    for (long delay : new long[] {100, 200, 400, 400}) {
      advance(delay - 1);
      assertNothingSent(leader);
      advance(1);
      last = await(leader, ToLeader.RegisterWorker.class, r -> true);
      assertEquals(clock.getAsLong(), last.sentAtNanos(), "sent " + delay + " ms after the previous one");
    }
    assertFalse(settle().registered());

    accept(last);
    assertTrue(settle().registered());
    for (int i = 0; i < 3; i++) {
      advance(INTERVAL);
      assertInstanceOf(ToLeader.Heartbeat.class, leader.receiveMessage(WAIT), "heartbeats, no more registrations");
    }
  }

  @Test
  void aRejectedRegistrationIsTriedAgainAfterTheBackoff() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker first = await(leader, ToLeader.RegisterWorker.class, r -> true);
    first.worker().tell(new ToWorker.RegistrationRejected(first.epoch(), "not ready"));
    assertNothingSent(leader);
    advance(INTERVAL);
    accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    assertTrue(settle().registered());
  }

  @Test
  void anUnreachableGatewayIsResolvedAgainOnTheBackoff() throws Exception {
    String address = "pekko://baton@127.0.0.1:3";
    new TestingLeader(address).start(ha.leaderElection(address));
    TestProbe<LeaderInfo> asked = KIT.createTestProbe(LeaderInfo.class);
    LeaderResolver watched = leader -> {
      asked.ref().tell(leader);
      return resolver.resolve(leader);
    };
    worker = KIT.spawn(WorkerAgent.create(settings(LONG_TIMEOUT), ha.leaderRetrieval(), watched,
        TaskHandlers.load(), clock, clock));
    // the first resolution fails (nothing at the address yet); the worker tries again after the interval
    assertEquals(address, asked.receiveMessage(WAIT).address());
    settle();
    TestProbe<ToLeader> late = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, late.ref());
    advance(INTERVAL.minusMillis(1));
    settle();
    asked.expectNoMessage(Duration.ZERO);
    advance(1);
    assertEquals(address, asked.receiveMessage(WAIT).address());
    accept(await(late, ToLeader.RegisterWorker.class, r -> true));
    assertTrue(settle().registered());
  }

  // ---- heartbeats and the lease

  @Test
  void heartbeatsEveryIntervalOnceRegistered() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(LONG_TIMEOUT);
    accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    settle();
    for (int i = 0; i < 3; i++) {
      advance(INTERVAL.minusMillis(1));
      assertNothingSent(leader);
      advance(1);
      ToLeader.Heartbeat hb = leader.expectMessageClass(ToLeader.Heartbeat.class, WAIT);
      assertEquals(new Epoch(1), hb.epoch());
      assertEquals("w1", hb.workerId());
      assertEquals(0, hb.runningAttempts());
      assertEquals(clock.getAsLong(), hb.sentAtNanos());
    }
  }

  @Test
  void selfFencesAtTheEndOfTheLeaseAndRefusesLaterStarts() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(SHORT_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    AttemptKey key = new AttemptKey("j", "fenced", 1);
    start(reg, forever(key));
    awaitReport(leader, key, AttemptState.RUNNING);

    // the leader goes silent: the lease (anchored at the registration, t = 0) ends at 1.5 s
    advance(1400);
    assertNoReportOf(leader, key, AttemptState.LOST);
    assertEquals(AttemptState.RUNNING, settle().attempts().get(0).state());

    advance(INTERVAL);
    AttemptReport lost = awaitReport(leader, key, AttemptState.LOST);
    assertEquals("self-fenced: no heartbeat acknowledged by a leader for 1.5s", lost.message());

    // a start that arrives now (e.g. it waited in the socket while the worker was frozen) is refused
    AttemptKey late = new AttemptKey("j", "late", 1);
    start(reg, handler(late, "noop", null));
    AttemptReport refused = awaitReport(leader, late, AttemptState.LOST);
    assertEquals("not started: this worker's lease had ended (no leader answered it in time)", refused.message());
  }

  @Test
  void answeredHeartbeatsMoveTheLeaseToWhenTheyWereSent() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(SHORT_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    AttemptKey key = new AttemptKey("j", "kept", 1);
    start(reg, forever(key));
    awaitReport(leader, key, AttemptState.RUNNING);

    long lastAnswered = 0;
    for (int i = 0; i < 25; i++) {   // 2.5 s: longer than the heartbeat timeout
      advance(INTERVAL);
      ToLeader.Heartbeat hb = await(leader, ToLeader.Heartbeat.class, h -> true);
      reg.worker().tell(new ToWorker.HeartbeatAck(hb.epoch(), hb.sentAtNanos()));
      lastAnswered = hb.sentAtNanos();
    }
    assertNoReportOf(leader, key, AttemptState.LOST);
    assertEquals(AttemptState.RUNNING, settle().attempts().get(0).state());

    // an answer to an older message does not move the lease back
    reg.worker().tell(new ToWorker.HeartbeatAck(reg.epoch(), reg.sentAtNanos()));
    // the acks stop: the lease ends 1.5 s after the last answered heartbeat was sent
    advance(1400);
    assertNoReportOf(leader, key, AttemptState.LOST);
    advance(INTERVAL);
    assertEquals(lastAnswered + Duration.ofMillis(1500).toNanos(), clock.getAsLong());
    awaitReport(leader, key, AttemptState.LOST);
  }

  @Test
  void answersFromAnotherEpochDoNotRenewTheLease() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(SHORT_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    AttemptKey key = new AttemptKey("j", "kept", 1);
    start(reg, forever(key));
    awaitReport(leader, key, AttemptState.RUNNING);
    advance(1400);
    ToLeader.Heartbeat hb = await(leader, ToLeader.Heartbeat.class, h -> true);
    // a newer epoch than the followed leader's: not in the leader record, so ignored (and it cannot poison the worker)
    reg.worker().tell(new ToWorker.HeartbeatAck(new Epoch(7), hb.sentAtNanos()));
    assertEquals(reg.epoch(), settle().newestEpoch());
    advance(100);
    awaitReport(leader, key, AttemptState.LOST);
  }

  // ---- reports and attempts

  @Test
  void anUnackedReportIsResentEveryIntervalUntilAcked() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    AttemptKey key = new AttemptKey("j", "noop", 1);
    start(reg, handler(key, "noop", null));
    awaitReport(leader, key, AttemptState.SUCCEEDED);
    for (int i = 0; i < 2; i++) {
      advance(INTERVAL);
      awaitReport(leader, key, AttemptState.SUCCEEDED);
    }
    assertEquals(1, settle().unackedReports());

    reg.worker().tell(new ToWorker.AckReports(reg.epoch(), List.of(new ToWorker.Acked(key, AttemptState.SUCCEEDED))));
    assertEquals(0, settle().unackedReports());
    drain(leader);
    for (int i = 0; i < 2; i++) {
      advance(INTERVAL);
      assertInstanceOf(ToLeader.Heartbeat.class, leader.receiveMessage(WAIT), "no more resends");
    }
    assertNothingSent(leader);
  }

  @Test
  void theTaskTimeoutKillsAHandlerAttempt() throws Exception {
    TestProbe<ToLeader> leader = leader(ADDRESS);
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(await(leader, ToLeader.RegisterWorker.class, r -> true));
    AttemptKey key = new AttemptKey("j", "slow", 1);
    start(reg, new AttemptSpec(key,
        TaskSpec.handler("slow", "sleep", "{\"millis\": 3600000}", List.of()).withTimeoutSeconds(2)));
    awaitReport(leader, key, AttemptState.RUNNING);
    advance(Duration.ofMillis(1999));
    assertNoReportOf(leader, key, AttemptState.TIMED_OUT);
    advance(1);
    AttemptReport timedOut = awaitReport(leader, key, AttemptState.TIMED_OUT);
    assertEquals("timed out after 2s", timedOut.message());
  }

  @Test
  void commandsAndAnswersFromAnOlderEpochAreIgnoredAfterALeaderChange() throws Exception {
    TestProbe<ToLeader> leader1 = leader(ADDRESS);
    startWorker(SHORT_TIMEOUT);
    ToLeader.RegisterWorker reg1 = accept(await(leader1, ToLeader.RegisterWorker.class, r -> true));
    TestProbe<ToLeader> leader2 = leader("pekko://baton@127.0.0.1:2");
    ha.revokeCurrentLeader();
    ToLeader.RegisterWorker reg2 = await(leader2, ToLeader.RegisterWorker.class, r -> true);
    assertEquals(new Epoch(2), reg2.epoch());

    // the deposed leader accepts the registration: ignored, the worker is not registered with anyone
    accept(reg1);
    assertFalse(settle().registered());
    accept(reg2);
    assertTrue(settle().registered());

    AttemptKey stale = new AttemptKey("j", "stale", 1);
    AttemptKey fresh = new AttemptKey("j", "fresh", 1);
    reg1.worker().tell(new ToWorker.StartAttempts(new Epoch(1), List.of(handler(stale, "noop", null))));
    reg1.worker().tell(new ToWorker.KillAttempts(new Epoch(1), List.of(fresh), AttemptState.CANCELLED));
    reg2.worker().tell(new ToWorker.StartAttempts(new Epoch(2), List.of(forever(fresh))));
    awaitReport(leader2, fresh, AttemptState.RUNNING);
    reg1.worker().tell(new ToWorker.KillAttempts(new Epoch(1), List.of(fresh), AttemptState.CANCELLED));
    WorkerAgent.Status status = settle();
    assertEquals(List.of(fresh), status.attempts().stream().map(AttemptReport::key).toList());
    assertEquals(AttemptState.RUNNING, status.attempts().get(0).state());
    assertEquals(new Epoch(2), status.newestEpoch());

    // heartbeats go to the new leader only; the old leader's answers do not keep the lease alive
    advance(1400);
    ToLeader.Heartbeat hb = await(leader2, ToLeader.Heartbeat.class, h -> true);
    assertEquals(new Epoch(2), hb.epoch());
    reg1.worker().tell(new ToWorker.HeartbeatAck(new Epoch(1), hb.sentAtNanos()));
    settle();
    drain(leader1).forEach(m -> assertFalse(m instanceof ToLeader.Heartbeat, "heartbeat to the deposed leader"));
    advance(100);
    awaitReport(leader2, fresh, AttemptState.LOST);
  }

  // ---- recovery

  @Test
  void theFirstRegistrationWaitsForRecoveryAndCarriesWhatThePreviousLifeLeft() throws Exception {
    CompletableFuture<Leftovers.Result> recovered = new CompletableFuture<>();
    TestProbe<ToLeader> leader = leader(ADDRESS);
    worker = KIT.spawn(WorkerAgent.create(settings(LONG_TIMEOUT), ha.leaderRetrieval(), resolver,
        TaskHandlers.load(), clock, clock, (store, workerId, now) -> recovered));
    ha.awaitEvents();
    settle();
    WorkerAgent.Status recovering = settle();   // the leader is followed, its gateway resolved
    assertEquals(new Epoch(1), recovering.newestEpoch());
    assertFalse(recovering.registered());
    advance(BACKOFF_MAX.multipliedBy(2));
    assertNothingSent(leader);

    AttemptKey left = new AttemptKey("j", "left", 1);
    AttemptReport lost = new AttemptReport(left, AttemptState.LOST, null, clock.instant(), clock.instant(),
        "worker restarted; process 42 killed");
    recovered.complete(new Leftovers.Result(List.of(lost), List.of()));
    ToLeader.RegisterWorker reg = await(leader, ToLeader.RegisterWorker.class, r -> true);
    assertEquals(List.of(lost), reg.attempts());
    accept(reg);
    assertTrue(settle().registered());
    assertEquals(1, settle().unackedReports());
  }
}
