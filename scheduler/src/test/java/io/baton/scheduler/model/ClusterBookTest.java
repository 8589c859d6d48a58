package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.model.ClusterBook.Decision;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The cluster book's decisions, event by event. */
class ClusterBookTest {
  static final Epoch EPOCH = new Epoch(3);
  static final Duration TIMEOUT = Duration.ofSeconds(6);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final ClusterBook book = new ClusterBook(EPOCH, TIMEOUT, T0);

  static WorkerInfo info(String id, double cpus, long memoryMb, Map<String, String> labels) {
    return new WorkerInfo(id, "host-" + id, cpus, memoryMb, labels);
  }

  static AttemptSpec spec(String job, String task, int attempt, double cpus, long memoryMb, Map<String, String> constraints) {
    TaskSpec t = TaskSpec.handler(task, "noop", null, null).withResources(cpus, memoryMb).withConstraints(constraints);
    return new AttemptSpec(new AttemptKey(job, task, attempt), t);
  }

  static AttemptSpec spec(String task) {
    return spec("j1", task, 1, 1, 100, Map.of());
  }

  static AttemptReport report(AttemptKey key, AttemptState state) {
    return new AttemptReport(key, state, null, T0, state.isTerminal() ? T0 : null, null);
  }

  List<Decision> register(String id, double cpus, Map<String, String> labels, Instant now, AttemptReport... attempts) {
    return book.apply(new ClusterBook.Register(Epoch.NONE, info(id, cpus, 1000, labels), List.of(attempts), id + "#1", 7),
        now);
  }

  static <T extends Decision> List<T> only(List<Decision> decisions, Class<T> type) {
    return decisions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void registrationIsAcceptedAndPublishedButANewerLeadersWorkerIsRejected() {
    List<Decision> accepted = register("w1", 2, Map.of(), T0);
    assertEquals(new ClusterBook.RegistrationAccepted("w1", 7, 0), accepted.get(0));
    assertEquals("ALIVE", only(accepted, ClusterBook.WorkerChanged.class).get(0).view().state());
    assertEquals(1, book.aliveWorkers());

    List<Decision> rejected = book.apply(
        new ClusterBook.Register(new Epoch(4), info("w2", 2, 1000, Map.of()), List.of(), "w2#1", 0), T0);
    assertEquals(1, rejected.size());
    assertTrue(rejected.get(0) instanceof ClusterBook.RegistrationRejected);
    assertTrue(book.worker("w2").isEmpty());
  }

  static Stream<Arguments> messagesFromWorkers() {
    return Stream.of(
        Arguments.of("heartbeat, registered", new ClusterBook.Heartbeat(EPOCH, "w1", 9), ClusterBook.HeartbeatAccepted.class),
        Arguments.of("heartbeat, unknown worker", new ClusterBook.Heartbeat(EPOCH, "w9", 9), ClusterBook.NotRegistered.class),
        Arguments.of("heartbeat, stale epoch", new ClusterBook.Heartbeat(new Epoch(2), "w1", 9), ClusterBook.NotRegistered.class),
        Arguments.of("reports, unknown worker", new ClusterBook.Reports(EPOCH, "w9", List.of()), ClusterBook.NotRegistered.class),
        Arguments.of("reports, stale epoch", new ClusterBook.Reports(Epoch.NONE, "w1", List.of()), ClusterBook.NotRegistered.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messagesFromWorkers")
  void aMessageFromAWorkerIsAnsweredOnlyIfItIsRegisteredInThisEpoch(
      String name, ClusterBook.Event event, Class<? extends Decision> expected) {
    register("w1", 2, Map.of(), T0);
    List<Decision> out = book.apply(event, T0.plusSeconds(1));
    assertEquals(1, out.size(), out.toString());
    assertTrue(expected.isInstance(out.get(0)), out.toString());
  }

  static Stream<Arguments> silences() {
    return Stream.of(
        Arguments.of(Duration.ofSeconds(1), "ALIVE"),
        Arguments.of(TIMEOUT, "ALIVE"),
        Arguments.of(TIMEOUT.plusMillis(1), "DEAD"));
  }

  @ParameterizedTest(name = "silent for {0}: {1}")
  @MethodSource("silences")
  void aWorkerIsDeadOnlyAfterTheHeartbeatTimeoutAndThenItsAttemptsAreLost(Duration silence, String state) {
    register("w1", 2, Map.of(), T0);
    book.apply(new ClusterBook.RequestAttempts(List.of(spec("a"))), T0);
    List<Decision> out = book.apply(new ClusterBook.Tick(), T0.plus(silence));
    assertEquals(state, book.worker("w1").orElseThrow().state());
    List<ClusterBook.RouteReport> lost = only(out, ClusterBook.RouteReport.class);
    if (state.equals("DEAD")) {
      assertEquals(1, lost.size());
      assertEquals(AttemptState.LOST, lost.get(0).report().state());
      assertTrue(lost.get(0).owned());
      assertFalse(lost.get(0).provenNotStarted());
      assertEquals(0, book.worker("w1").orElseThrow().runningAttempts(), "capacity released");
    } else {
      assertTrue(lost.isEmpty());
    }
  }

  @Test
  void aDeadWorkerThatHeartbeatsIsAliveAgain() {
    register("w1", 2, Map.of(), T0);
    book.apply(new ClusterBook.Tick(), T0.plus(TIMEOUT).plusSeconds(1));
    List<Decision> out = book.apply(new ClusterBook.Heartbeat(EPOCH, "w1", 0), T0.plus(TIMEOUT).plusSeconds(2));
    assertEquals("ALIVE", only(out, ClusterBook.WorkerChanged.class).get(0).view().state());
  }

  static Stream<Arguments> placements() {
    return Stream.of(
        Arguments.of("fits", spec("j1", "a", 1, 1, 100, Map.of()), "w2"),
        Arguments.of("too many cpus", spec("j1", "a", 1, 3, 100, Map.of()), null),
        Arguments.of("too much memory", spec("j1", "a", 1, 1, 5000, Map.of()), null),
        Arguments.of("constraint a", spec("j1", "a", 1, 1, 100, Map.of("zone", "a")), "w1"),
        Arguments.of("constraint c", spec("j1", "a", 1, 1, 100, Map.of("zone", "c")), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("placements")
  void placementHonoursCapacityAndConstraints(String name, AttemptSpec spec, String expectedWorker) {
    register("w1", 1, Map.of("zone", "a"), T0);
    register("w2", 2, Map.of("zone", "b"), T0);
    List<ClusterBook.Place> placed = only(book.apply(new ClusterBook.RequestAttempts(List.of(spec)), T0),
        ClusterBook.Place.class);
    if (expectedWorker == null) {
      assertTrue(placed.isEmpty());
    } else {
      assertEquals(List.of(new ClusterBook.Place("j1", List.of(new ClusterBook.Placed(spec.key(), expectedWorker)))),
          placed);
    }
  }

  @Test
  void aWaitingAttemptIsPlacedWhenCapacityIsReleasedAndStartedOnlyWhenLaunched() {
    register("w1", 1, Map.of(), T0);
    AttemptSpec a = spec("a");
    AttemptSpec b = spec("b");
    assertEquals(1, only(book.apply(new ClusterBook.RequestAttempts(List.of(a, b)), T0), ClusterBook.Place.class)
        .get(0).placements().size());
    assertEquals(List.of(new ClusterBook.StartAttempts("w1", List.of(a))),
        book.apply(new ClusterBook.Launch(List.of(a.key(), a.key())), T0));
    assertTrue(book.apply(new ClusterBook.Launch(List.of(a.key())), T0).isEmpty(), "launched once");
    List<Decision> out = book.apply(new ClusterBook.Reports(EPOCH, "w1", List.of(report(a.key(), AttemptState.SUCCEEDED))), T0);
    assertEquals(new ClusterBook.RouteReport(report(a.key(), AttemptState.SUCCEEDED), "w1", false, true), out.get(0));
    assertEquals(new ClusterBook.Place("j1", List.of(new ClusterBook.Placed(b.key(), "w1"))), out.get(1));
  }

  @Test
  void reRegistrationAdoptsRunningAttemptsRecordsFinishedOnesAndLosesTheRest() {
    AttemptKey running = new AttemptKey("j1", "run", 1);
    AttemptKey finished = new AttemptKey("j1", "done", 1);
    AttemptKey gone = new AttemptKey("j1", "gone", 1);
    AttemptKey elsewhere = new AttemptKey("j2", "x", 1);
    book.apply(new ClusterBook.Track(List.of(
        new ClusterBook.Tracked(running, "w1", 1000, 100), new ClusterBook.Tracked(finished, "w1", 1000, 100),
        new ClusterBook.Tracked(gone, "w1", 1000, 100), new ClusterBook.Tracked(elsewhere, "w2", 1000, 100))), T0);

    List<Decision> out = register("w1", 4, Map.of(), T0.plusSeconds(1),
        report(running, AttemptState.RUNNING), report(finished, AttemptState.SUCCEEDED));
    List<ClusterBook.RouteReport> routed = only(out, ClusterBook.RouteReport.class);
    assertEquals(List.of(AttemptState.RUNNING, AttemptState.SUCCEEDED, AttemptState.LOST),
        routed.stream().map(r -> r.report().state()).toList());
    assertEquals(gone, routed.get(2).report().key());
    assertTrue(routed.get(2).provenNotStarted(), "re-registered without it: it never started");
    assertEquals(1, book.worker("w1").orElseThrow().runningAttempts(), "only the adopted one holds capacity");
    Reconciliation.Outcome outcome = only(out, ClusterBook.Reconciled.class).get(0).outcome();
    assertEquals(List.of(running), outcome.adopted());

    // w2 never comes back: its attempt is LOST only once the grace period after the session's start is over
    assertTrue(only(book.apply(new ClusterBook.Tick(), T0.plus(TIMEOUT).minusMillis(1)), ClusterBook.RouteReport.class)
        .isEmpty());
    List<ClusterBook.RouteReport> late = only(book.apply(new ClusterBook.Tick(), T0.plus(TIMEOUT)),
        ClusterBook.RouteReport.class);
    assertEquals(List.of(elsewhere), late.stream().map(r -> r.report().key()).toList());
    assertFalse(late.get(0).provenNotStarted());
  }

  @Test
  void aNewIncarnationLosesTheLaunchedAttemptsItDoesNotReport() {
    register("w1", 4, Map.of(), T0);
    AttemptSpec a = spec("a");
    book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0);
    book.apply(new ClusterBook.Launch(List.of(a.key())), T0);
    assertTrue(only(register("w1", 4, Map.of(), T0), ClusterBook.RouteReport.class).isEmpty(), "same process");
    List<ClusterBook.RouteReport> lost = only(book.apply(new ClusterBook.Register(
        Epoch.NONE, info("w1", 4, 1000, Map.of()), List.of(), "w1#2", 0, ClusterBook.IdProof.CERTIFIED), T0),
        ClusterBook.RouteReport.class);
    assertEquals(1, lost.size());
    assertEquals(AttemptState.LOST, lost.get(0).report().state());
    assertTrue(lost.get(0).provenNotStarted());
  }

  @Test
  void heartbeatsAndReportsWithoutTheRegistrationsCapabilityAreIgnored() {
    book.apply(new ClusterBook.Register(Epoch.NONE, info("w1", 4, 1000, Map.of()), List.of(), "w1#1", 0,
        ClusterBook.IdProof.UNPROVEN, 42), T0);
    AttemptSpec a = spec("a");
    book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0);
    book.apply(new ClusterBook.Launch(List.of(a.key())), T0);
    AttemptReport done = report(a.key(), AttemptState.SUCCEEDED);
    for (long forged : new long[] {0, 41}) {
      List<Decision> hb = book.apply(new ClusterBook.Heartbeat(EPOCH, "w1", 5, forged), T0.plusSeconds(1));
      assertEquals(List.of(new ClusterBook.Unauthenticated("w1", "heartbeat")), hb);
      List<Decision> rep = book.apply(new ClusterBook.Reports(EPOCH, "w1", List.of(done), forged), T0.plusSeconds(1));
      assertEquals(List.of(new ClusterBook.Unauthenticated("w1", "reports")), rep, "a forged result is not routed");
    }
    // a re-registration of the same process keeps its capability; the worker's own messages are accepted
    assertEquals(42, only(book.apply(new ClusterBook.Register(Epoch.NONE, info("w1", 4, 1000, Map.of()), List.of(),
        "w1#1", 0, ClusterBook.IdProof.UNPROVEN, 7), T0), ClusterBook.RegistrationAccepted.class).get(0).token());
    assertEquals(1, only(book.apply(new ClusterBook.Heartbeat(EPOCH, "w1", 5, 42), T0.plusSeconds(1)),
        ClusterBook.HeartbeatAccepted.class).size());
    assertEquals(List.of(AttemptState.SUCCEEDED), only(book.apply(new ClusterBook.Reports(EPOCH, "w1",
        List.of(done), 42), T0.plusSeconds(1)), ClusterBook.RouteReport.class).stream().map(r -> r.report().state()).toList());
  }

  /** Registration rules: who may take a worker id (the table: proof x whether the id is held by a live process). */
  @Test
  void aRegistrationIsRefusedWhenItsCertificateNamesAnotherNodeOrItsIdIsHeldByAnotherLiveProcess() {
    record Row(String incarnation, ClusterBook.IdProof proof, Instant at, boolean accepted) {}
    register("w1", 4, Map.of(), T0);   // incarnation "w1#1" (see register), alive
    List<Row> table = List.of(
        new Row("w1#1", ClusterBook.IdProof.CONFLICT, T0, false),          // same process, but the cert says otherwise
        new Row("rogue#1", ClusterBook.IdProof.CONFLICT, T0, false),     // another cert at the claimed address
        new Row("rogue#1", ClusterBook.IdProof.UNPROVEN, T0, false),     // hijack of a live id, unproven
        new Row("w1#1", ClusterBook.IdProof.UNPROVEN, T0, true),           // the live process itself, again
        new Row("w1#2", ClusterBook.IdProof.CERTIFIED, T0, true),        // a restart its certificate proves
        new Row("w1#3", ClusterBook.IdProof.UNPROVEN, T0.plus(TIMEOUT).plusSeconds(1), true));  // after DEAD
    for (Row row : table) {
      book.apply(new ClusterBook.Tick(), row.at());
      List<Decision> out = book.apply(new ClusterBook.Register(Epoch.NONE, info("w1", 4, 1000, Map.of()), List.of(),
          row.incarnation(), 0, row.proof()), row.at());
      assertEquals(row.accepted(), !only(out, ClusterBook.RegistrationAccepted.class).isEmpty(), row.toString());
      assertEquals(!row.accepted(), !only(out, ClusterBook.RegistrationRejected.class).isEmpty(), row.toString());
      if (!row.accepted()) {
        assertEquals(1, out.size(), "a refused registration changes nothing: " + out);
      }
    }
    assertEquals(1, book.workers().size());
  }

  @Test
  void cancelDropsWaitingEndsUnlaunchedKillsLaunchedAndKillsLaterWhatADeadWorkerRuns() {
    register("w1", 2, Map.of(), T0);
    AttemptSpec launched = spec("l");
    AttemptSpec unlaunched = spec("u");
    AttemptSpec waiting = spec("w");
    book.apply(new ClusterBook.RequestAttempts(List.of(launched, unlaunched, waiting)), T0);
    book.apply(new ClusterBook.Launch(List.of(launched.key())), T0);
    List<Decision> out = book.apply(new ClusterBook.Cancel(List.of(launched.key(), unlaunched.key(), waiting.key())), T0);
    assertEquals(AttemptState.CANCELLED, only(out, ClusterBook.RouteReport.class).get(0).report().state());
    assertEquals(unlaunched.key(), only(out, ClusterBook.RouteReport.class).get(0).report().key());
    assertEquals(List.of(new ClusterBook.Kill("w1", List.of(launched.key()))), only(out, ClusterBook.Kill.class));
    assertTrue(only(out, ClusterBook.Place.class).isEmpty(), "the waiting one is dropped, not placed");

    // the worker is DEAD when the cancel comes: the kill waits for its registration
    AttemptKey tracked = new AttemptKey("j2", "t", 1);
    book.apply(new ClusterBook.Track(List.of(new ClusterBook.Tracked(tracked, "w2", 1000, 100))), T0);
    assertTrue(only(book.apply(new ClusterBook.Cancel(List.of(tracked)), T0), ClusterBook.Kill.class).isEmpty());
    assertEquals(List.of(new ClusterBook.Kill("w2", List.of(tracked))),
        only(register("w2", 2, Map.of(), T0, report(tracked, AttemptState.RUNNING)), ClusterBook.Kill.class));
  }

  @Test
  void anAttemptTrackedAfterItsWorkerReportedItsEndIsNotHeldAndTakesNoCapacity() {
    // a new leader's worker registers before the leader has read its jobs: the JobMasters' Tracks come after
    AttemptKey endedAtRegistration = new AttemptKey("j1", "a", 1);
    AttemptKey endedLater = new AttemptKey("j2", "a", 1);
    AttemptKey running = new AttemptKey("j3", "a", 1);
    register("w1", 2, Map.of(), T0, report(endedAtRegistration, AttemptState.SUCCEEDED),
        report(endedLater, AttemptState.RUNNING), report(running, AttemptState.RUNNING));
    book.apply(new ClusterBook.Reports(EPOCH, "w1", List.of(report(endedLater, AttemptState.FAILED))), T0);
    List<Decision> tracked = book.apply(new ClusterBook.Track(List.of(
        new ClusterBook.Tracked(endedAtRegistration, "w1", 1000, 100),
        new ClusterBook.Tracked(endedLater, "w1", 1000, 100),
        new ClusterBook.Tracked(running, "w1", 1000, 100))), T0);
    assertTrue(only(tracked, ClusterBook.RouteReport.class).isEmpty(), "nothing lost: " + tracked);

    // only the running one holds capacity: one of w1's two cpus is free
    List<Decision> placed = book.apply(new ClusterBook.RequestAttempts(List.of(spec("b"), spec("c"))), T0);
    assertEquals(1, only(placed, ClusterBook.Place.class).stream().mapToInt(p -> p.placements().size()).sum());
    assertEquals(2.0, book.worker("w1").orElseThrow().cpusUsed(), 1e-9);
  }

  @Test
  void acksAreBatchedPerWorkerAndFlushedOnRequestOrWhenFull() {
    register("w1", 2, Map.of(), T0);
    AttemptKey k = new AttemptKey("j1", "a", 1);
    assertEquals(List.of(new ClusterBook.FlushAcksSoon()),
        book.apply(new ClusterBook.Ack("w1", k, AttemptState.RUNNING), T0));
    assertTrue(book.apply(new ClusterBook.Ack("w1", k, AttemptState.SUCCEEDED), T0).isEmpty(), "one flush per batch");
    assertTrue(book.apply(new ClusterBook.Ack("w9", k, AttemptState.SUCCEEDED), T0).isEmpty(), "unknown worker");
    assertEquals(List.of(new ClusterBook.AckReports("w1", List.of(
            new ClusterBook.Acked(k, AttemptState.RUNNING), new ClusterBook.Acked(k, AttemptState.SUCCEEDED)))),
        book.apply(new ClusterBook.FlushAcks(), T0));
    assertTrue(book.apply(new ClusterBook.FlushAcks(), T0).isEmpty());

    List<Decision> last = List.of();
    for (int i = 0; i < ClusterBook.MAX_ACK_BATCH; i++) {
      last = book.apply(new ClusterBook.Ack("w1", new AttemptKey("j1", "t" + i, 1), AttemptState.SUCCEEDED), T0);
    }
    assertEquals(ClusterBook.MAX_ACK_BATCH, only(last, ClusterBook.AckReports.class).get(0).acked().size());
  }

  @Test
  void anOwnerIsIdleOnceNothingOfItsJobIsWaitingOrHeld() {
    register("w1", 1, Map.of(), T0);
    AttemptSpec a = spec("a");
    book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0);
    List<Decision> out = book.apply(new ClusterBook.Reports(EPOCH, "w1", List.of(report(a.key(), AttemptState.FAILED))), T0);
    assertEquals(List.of(new ClusterBook.RouteReport(report(a.key(), AttemptState.FAILED), "w1", false, true),
        new ClusterBook.OwnerIdle("j1")), out, "the owner hears the report before it may be forgotten");
    List<Decision> unowned = book.apply(new ClusterBook.Reports(EPOCH, "w1", List.of(report(a.key(), AttemptState.FAILED))), T0);
    assertFalse(only(unowned, ClusterBook.RouteReport.class).get(0).owned(), "a repeated report goes to the Dispatcher");
  }

  /** Fairness: placement goes round-robin between jobs, so a 1,000-shard task queued first does not starve a job. */
  @Test
  void aThousandShardTaskQueuedFirstDoesNotStarveAnotherJob() {
    register("w1", 2, Map.of(), T0);
    List<AttemptSpec> shards = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      shards.add(spec("big", "sum#" + i, 1, 1, 100, Map.of()));
    }
    List<ClusterBook.Placed> first = only(book.apply(new ClusterBook.RequestAttempts(shards), T0), ClusterBook.Place.class)
        .stream().flatMap(p -> p.placements().stream()).toList();
    assertEquals(List.of("sum#0", "sum#1"), first.stream().map(p -> p.key().taskId()).toList(), "the worker is full");
    AttemptSpec small = spec("small", "t", 1, 1, 100, Map.of());
    book.apply(new ClusterBook.RequestAttempts(List.of(small)), T0);
    book.apply(new ClusterBook.Launch(first.stream().map(ClusterBook.Placed::key).toList()), T0);

    // one shard ends: the freed slot goes to the other job, not to the 998 shards that waited before it
    List<Decision> next = book.apply(new ClusterBook.Reports(EPOCH, "w1",
        List.of(report(first.get(0).key(), AttemptState.SUCCEEDED))), T0);
    assertEquals(List.of(new ClusterBook.Place("small", List.of(new ClusterBook.Placed(small.key(), "w1")))),
        only(next, ClusterBook.Place.class));
    // and the next freed slot goes back to the big job
    List<Decision> after = book.apply(new ClusterBook.Reports(EPOCH, "w1",
        List.of(report(first.get(1).key(), AttemptState.SUCCEEDED))), T0);
    assertEquals("big", only(after, ClusterBook.Place.class).get(0).jobId());
  }
}
