package io.baton.scheduler.model;

import static io.baton.scheduler.model.ClusterBookTest.T0;
import static io.baton.scheduler.model.ClusterBookTest.info;
import static io.baton.scheduler.model.ClusterBookTest.only;
import static io.baton.scheduler.model.ClusterBookTest.report;
import static io.baton.scheduler.model.ClusterBookTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.model.ClusterBook.Decision;
import io.baton.wire.AttemptSpec;
import io.baton.wire.WorkerMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Draining in the cluster book: a DRAINING worker gets no new attempts and keeps the ones it runs. */
class ClusterBookDrainTest {
  private final ClusterBook book = new ClusterBook(ClusterBookTest.EPOCH, ClusterBookTest.TIMEOUT, T0);

  private List<Decision> register(String id, String incarnation, WorkerMode mode, ClusterBook.IdProof proof) {
    return book.apply(new ClusterBook.Register(Epoch.NONE, info(id, 2, 1000, Map.of()), List.of(), incarnation, 0,
        proof, 0, mode), T0);
  }

  private List<Decision> register(String id) {
    return register(id, id + "#1", WorkerMode.ACTIVE, ClusterBook.IdProof.UNPROVEN);
  }

  private String state(String id) {
    return book.worker(id).orElseThrow().state();
  }

  private List<ClusterBook.Placed> placed(List<Decision> out) {
    return only(out, ClusterBook.Place.class).stream().flatMap(p -> p.placements().stream()).toList();
  }

  @Test
  void aDrainedWorkerGetsNoNewAttemptsAndAnUndrainedOneTakesWhatWaited() {
    register("w1");
    List<Decision> drained = book.apply(new ClusterBook.SetMode("w1", WorkerMode.DRAINING), T0);
    assertEquals("DRAINING", only(drained, ClusterBook.ModeSet.class).get(0).view().state());
    assertEquals(List.of(new ClusterBook.TellMode("w1", WorkerMode.DRAINING)), only(drained, ClusterBook.TellMode.class));
    assertEquals("DRAINING", only(drained, ClusterBook.WorkerChanged.class).get(0).view().state());

    AttemptSpec a = spec("a");
    assertTrue(placed(book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0)).isEmpty(), "nothing on DRAINING");

    List<Decision> undrained = book.apply(new ClusterBook.SetMode("w1", WorkerMode.ACTIVE), T0);
    assertEquals(List.of(new ClusterBook.TellMode("w1", WorkerMode.ACTIVE)), only(undrained, ClusterBook.TellMode.class));
    assertEquals(List.of(new ClusterBook.Placed(a.key(), "w1")), placed(undrained));
    assertEquals("ALIVE", state("w1"));
  }

  @Test
  void placementGoesToTheOtherWorkerWhileOneDrains() {
    register("w1");
    register("w2");
    book.apply(new ClusterBook.SetMode("w1", WorkerMode.DRAINING), T0);
    List<AttemptSpec> specs = List.of(spec("a"), spec("b"));
    List<ClusterBook.Placed> placed = placed(book.apply(new ClusterBook.RequestAttempts(specs), T0));
    assertEquals(2, placed.size());
    assertTrue(placed.stream().allMatch(p -> p.workerId().equals("w2")), placed.toString());
  }

  @Test
  void aDrainingWorkerKeepsItsRunningAttemptsUntilTheyReport() {
    register("w1");
    AttemptSpec a = spec("a");
    book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0);
    book.apply(new ClusterBook.Launch(List.of(a.key())), T0);
    List<Decision> drained = book.apply(new ClusterBook.SetMode("w1", WorkerMode.DRAINING), T0);
    assertTrue(only(drained, ClusterBook.Kill.class).isEmpty());
    assertTrue(only(drained, ClusterBook.RouteReport.class).isEmpty());
    assertEquals(1, book.worker("w1").orElseThrow().runningAttempts());
    assertTrue(only(book.apply(new ClusterBook.Tick(), T0.plusSeconds(1)), ClusterBook.RouteReport.class).isEmpty());

    List<Decision> done = book.apply(new ClusterBook.Reports(ClusterBookTest.EPOCH, "w1",
        List.of(report(a.key(), AttemptState.SUCCEEDED))), T0.plusSeconds(2));
    assertEquals(AttemptState.SUCCEEDED, only(done, ClusterBook.RouteReport.class).get(0).report().state());
    assertEquals(0, book.worker("w1").orElseThrow().runningAttempts());
    assertEquals("DRAINING", state("w1"));
  }

  @Test
  void drainAndUndrainAreRefusedForAnUnknownOrDeadWorkerAndUndrainForAStoppingOne() {
    ClusterBook.ModeRefused unknown = only(book.apply(new ClusterBook.SetMode("w9", WorkerMode.DRAINING), T0),
        ClusterBook.ModeRefused.class).get(0);
    assertTrue(unknown.notFound());

    register("w1");
    book.apply(new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPING, 0), T0);
    assertEquals("DRAINING", state("w1"));
    ClusterBook.ModeRefused stopping = only(book.apply(new ClusterBook.SetMode("w1", WorkerMode.ACTIVE), T0),
        ClusterBook.ModeRefused.class).get(0);
    assertFalse(stopping.notFound());
    List<Decision> drainAgain = book.apply(new ClusterBook.SetMode("w1", WorkerMode.DRAINING), T0);
    assertEquals(1, only(drainAgain, ClusterBook.ModeSet.class).size(), "a stopping worker is drained already");
    assertTrue(only(drainAgain, ClusterBook.TellMode.class).isEmpty());

    register("w2");
    book.apply(new ClusterBook.Tick(), T0.plus(ClusterBookTest.TIMEOUT).plusSeconds(1));
    assertEquals("DEAD", state("w2"));
    assertFalse(only(book.apply(new ClusterBook.SetMode("w2", WorkerMode.DRAINING), T0),
        ClusterBook.ModeRefused.class).get(0).notFound());
  }

  @Test
  void aStoppedWorkerIsDeadAtOnceItsLeftoversLostAndItsRestartIsAcceptedWithoutWaiting() {
    register("w1");
    AttemptSpec a = spec("a");
    book.apply(new ClusterBook.RequestAttempts(List.of(a)), T0);
    book.apply(new ClusterBook.Launch(List.of(a.key())), T0);
    book.apply(new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPING, 0), T0);

    List<Decision> stopped = book.apply(
        new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPED, 0), T0.plusSeconds(1));
    assertEquals("DEAD", state("w1"));
    assertEquals(List.of(true), only(stopped, ClusterBook.WorkerChanged.class).stream()
        .map(ClusterBook.WorkerChanged::saidStopped).toList(), "a planned stop, told apart from a silent death");
    List<ClusterBook.RouteReport> lost = only(stopped, ClusterBook.RouteReport.class);
    assertEquals(1, lost.size());
    assertEquals(AttemptState.LOST, lost.get(0).report().state());
    assertTrue(lost.get(0).owned());

    // the restarted process, unproven (plaintext): taken at once, the stopped one is not live
    List<Decision> restarted = register("w1", "w1#2", WorkerMode.ACTIVE, ClusterBook.IdProof.UNPROVEN);
    assertEquals(1, only(restarted, ClusterBook.RegistrationAccepted.class).size(), restarted.toString());
    assertEquals("ALIVE", state("w1"));
  }

  @Test
  void aStoppingWorkerLosesItsUnlaunchedAttemptsAsNeverStartedKeepsItsLaunchedOnesAndIsAnswered() {
    register("w1");
    AttemptSpec launched = spec("a");
    AttemptSpec placed = spec("b");
    book.apply(new ClusterBook.RequestAttempts(List.of(launched, placed)), T0);
    book.apply(new ClusterBook.Launch(List.of(launched.key())), T0);

    List<Decision> out = book.apply(
        new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPING, 0), T0);
    List<ClusterBook.RouteReport> lost = only(out, ClusterBook.RouteReport.class);
    assertEquals(1, lost.size(), out.toString());
    assertEquals(placed.key(), lost.get(0).report().key());
    assertEquals(AttemptState.LOST, lost.get(0).report().state());
    assertTrue(lost.get(0).provenNotStarted(), "never sent to the worker: it may run again without a retry");
    assertEquals(List.of(new ClusterBook.TellMode("w1", WorkerMode.STOPPING)), only(out, ClusterBook.TellMode.class));
    assertTrue(book.apply(new ClusterBook.Launch(List.of(placed.key())), T0).isEmpty(), "a late launch sends nothing");
    assertEquals(1, book.worker("w1").orElseThrow().runningAttempts(), "the launched one runs on");

    // the worker's confirmation changes nothing more; a re-registration saying STOPPING is answered again
    assertTrue(book.apply(new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPING, 0), T0).isEmpty());
    List<Decision> again = register("w1", "w1#1", WorkerMode.STOPPING, ClusterBook.IdProof.UNPROVEN);
    assertEquals(List.of(new ClusterBook.TellMode("w1", WorkerMode.STOPPING)), only(again, ClusterBook.TellMode.class));
    assertTrue(again.indexOf(only(again, ClusterBook.TellMode.class).get(0))
        > again.indexOf(only(again, ClusterBook.RegistrationAccepted.class).get(0)), "answered after the acceptance");
  }

  @Test
  void aWorkerThatRegistersDrainingWithANewLeaderStaysDrained() {
    register("w1", "w1#1", WorkerMode.DRAINING, ClusterBook.IdProof.UNPROVEN);
    assertEquals("DRAINING", state("w1"));
    assertTrue(placed(book.apply(new ClusterBook.RequestAttempts(List.of(spec("a"))), T0)).isEmpty());
  }

  @Test
  void aModeChangeWithoutTheRegistrationsCapabilityIsIgnored() {
    book.apply(new ClusterBook.Register(Epoch.NONE, info("w1", 2, 1000, Map.of()), List.of(), "w1#1", 0,
        ClusterBook.IdProof.UNPROVEN, 42), T0);
    List<Decision> out = book.apply(new ClusterBook.ModeChanged(ClusterBookTest.EPOCH, "w1", WorkerMode.STOPPED, 41), T0);
    assertEquals(List.of(new ClusterBook.Unauthenticated("w1", "mode change")), out);
    assertEquals("ALIVE", state("w1"));
  }
}
