package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.TestingClock;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.ToWorker;
import io.baton.protocol.Epoch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's recovery state, with the recovery held by the test: until it completes, commands (the link's
 * request for registration reports included) wait in the stash and nothing is reported; then they are handled in
 * the order they came, and the registration carries what the previous life left.
 */
class AttemptRunnerTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dataDir;
  private final TestingClock clock = new TestingClock();

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private ActorRef<AttemptRunner.Command> runner(CompletableFuture<Leftovers.Result> recovered) {
    AttemptRunner.Settings settings =
        new AttemptRunner.Settings("w1", dataDir, Duration.ofSeconds(60), Duration.ofMillis(100), 1 << 20,
            FileRetention.DEFAULT);
    return KIT.spawn(AttemptRunner.create(settings, TaskHandlers.load(), (store, workerId, now) -> recovered,
        clock, clock));
  }

  private static AttemptRunner.Status status(ActorRef<AttemptRunner.Command> runner) {
    TestProbe<AttemptRunner.Status> probe = KIT.createTestProbe(AttemptRunner.Status.class);
    runner.tell(new AttemptRunner.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  @Test
  void commandsArrivingWhileRecoveringAreHandledAfterItAndTheRegistrationCarriesWhatItFound() {
    CompletableFuture<Leftovers.Result> recovered = new CompletableFuture<>();
    ActorRef<AttemptRunner.Command> runner = runner(recovered);
    TestProbe<AttemptRunner.Reports> reports = KIT.createTestProbe(AttemptRunner.Reports.class);
    TestProbe<AttemptRunner.RegistrationReports> registration =
        KIT.createTestProbe(AttemptRunner.RegistrationReports.class);
    TestProbe<LogChunk> logs = KIT.createTestProbe(LogChunk.class);
    runner.tell(new AttemptRunner.Attach(reports.ref()));
    runner.tell(new AttemptRunner.LeaseRenewed(clock.getAsLong() + Duration.ofSeconds(60).toNanos()));

    AttemptKey fresh = new AttemptKey("j", "fresh", 1);
    AttemptKey left = new AttemptKey("j", "left", 1);
    runner.tell(new AttemptRunner.Start(List.of(new AttemptSpec(fresh, TaskSpec.handler("fresh", "noop", null, List.of())))));
    runner.tell(new AttemptRunner.FetchLog(new ToWorker.FetchLog(new Epoch(1), left, 0, 100, logs.ref())));
    runner.tell(new AttemptRunner.GetRegistrationReports("session-1", registration.ref()));

    AttemptRunner.Status during = status(runner);  // answered at once, behind the commands above
    assertTrue(during.recovering());
    assertEquals(List.of(), during.attempts());
    reports.expectNoMessage(Duration.ZERO);
    registration.expectNoMessage(Duration.ZERO);
    logs.expectNoMessage(Duration.ZERO);

    AttemptReport lost = new AttemptReport(left, AttemptState.LOST, null, clock.instant(), clock.instant(),
        "worker restarted; process 42 killed");
    recovered.complete(new Leftovers.Result(List.of(lost), List.of()));

    // the start came first: it ran (and was reported) before the registration reports were taken
    reports.fishForMessage(WAIT, r -> r.reports().stream().anyMatch(a -> a.key().equals(fresh))
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    assertTrue(logs.receiveMessage(WAIT).found(), "the log read waited for the restored attempt to be known");
    AttemptRunner.RegistrationReports answer = registration.receiveMessage(WAIT);
    assertEquals("session-1", answer.sessionId());
    assertTrue(answer.reports().contains(lost), "the registration carries what the previous life left: " + answer);
    assertTrue(answer.reports().stream().anyMatch(a -> a.key().equals(fresh)));
    assertFalse(status(runner).recovering());
    KIT.stop(runner, WAIT);
  }

  @Test
  void aRecoveryThatFailsStopsTheRunner() {
    ActorRef<AttemptRunner.Command> runner =
        runner(CompletableFuture.failedFuture(new IOException("data dir unreadable")));
    TestProbe<Object> watcher = KIT.createTestProbe();
    watcher.expectTerminated(runner, WAIT);
  }

  @Test
  void forgetDeletesTheFilesOfDeletedJobsButNotOfAnAttemptTheRunnerStillHolds() throws IOException {
    ActorRef<AttemptRunner.Command> runner = runner(CompletableFuture.completedFuture(
        new Leftovers.Result(List.of(), List.of())));
    TestProbe<AttemptRunner.Reports> reports = KIT.createTestProbe(AttemptRunner.Reports.class);
    runner.tell(new AttemptRunner.Attach(reports.ref()));
    runner.tell(new AttemptRunner.LeaseRenewed(clock.getAsLong() + Duration.ofSeconds(60).toNanos()));
    AttemptPaths paths = new AttemptPaths(dataDir);
    AttemptKey gone = new AttemptKey("gone", "t", 1);
    AttemptKey held = new AttemptKey("held", "t", 1);
    for (AttemptKey key : List.of(gone, held)) {
      java.nio.file.Files.createDirectories(paths.logFile(key).getParent());
      java.nio.file.Files.writeString(paths.logFile(key), "output\n");
    }
    // the runner holds an unacknowledged report of "held" (a noop that ended, not yet acked by a leader)
    runner.tell(new AttemptRunner.Start(List.of(new AttemptSpec(held, TaskSpec.handler("t", "noop", null, List.of())))));
    reports.fishForMessage(WAIT, r -> r.reports().stream().anyMatch(a -> a.key().equals(held) && a.state().isTerminal())
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    runner.tell(new AttemptRunner.Forget(List.of("gone", "held")));

    KIT.createTestProbe().awaitAssert(WAIT, () -> {
      assertFalse(java.nio.file.Files.exists(paths.logFile(gone).getParent().getParent()), "the deleted job's logs");
      return null;
    });
    assertTrue(java.nio.file.Files.exists(paths.logFile(held)), "an attempt not acknowledged yet keeps its log");
    KIT.stop(runner, WAIT);
  }
}
