package io.baton.worker;

import static io.baton.testkit.Eventually.eventually;
import static io.baton.testkit.Processes.alive;
import static io.baton.testkit.Processes.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.Eventually;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.worker.execution.AttemptPaths;
import io.baton.worker.execution.RunRecord;
import io.baton.worker.execution.RunRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker restarted on the same data dir after its previous life died without cleaning up (kill -9). */
class WorkerRestartIT {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Duration WAIT = Eventually.WAIT;
  private static final String ADDRESS = "pekko://baton@127.0.0.1:1";

  @TempDir Path dataDir;
  private InMemoryHaServices ha;
  private TestingLeaderResolver resolver;
  private TestProbe<ToLeader> leader;
  private final List<ActorRef<WorkerAgent.Command>> workers = new ArrayList<>();
  private final List<Process> spawned = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    ha = new InMemoryHaServices();
    resolver = new TestingLeaderResolver();
    leader = KIT.createTestProbe(ToLeader.class);
    resolver.put(ADDRESS, leader.ref());
    new TestingLeader(ADDRESS).start(ha.leaderElection(ADDRESS));
  }

  @AfterEach
  void tearDown() {
    for (ActorRef<WorkerAgent.Command> w : workers) {
      w.tell(new WorkerAgent.Stop());
    }
    spawned.forEach(p -> p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly));
    spawned.forEach(Process::destroyForcibly);
    ha.close();
  }

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private ActorRef<WorkerAgent.Command> startWorker() {
    WorkerSettings settings = WorkerSettings.defaults("w1", dataDir)
        .withHeartbeat(Duration.ofMillis(100), Duration.ofSeconds(60))
        .withRegistrationBackoffMax(Duration.ofMillis(400));
    ActorRef<WorkerAgent.Command> w = KIT.spawn(WorkerAgent.create(settings, ha.leaderRetrieval(), resolver));
    workers.add(w);
    return w;
  }

  /** Stops the worker as kill -9 would: nothing of its own cleanup runs. */
  private void crash(ActorRef<WorkerAgent.Command> w) {
    TestProbe<Object> watcher = KIT.createTestProbe();
    w.tell(new WorkerAgent.Crash());
    watcher.expectTerminated(w, WAIT);
    workers.remove(w);
  }

  private ToLeader.RegisterWorker awaitRegistration() {
    List<ToLeader> seen = leader.fishForMessage(WAIT, m -> m instanceof ToLeader.RegisterWorker
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return (ToLeader.RegisterWorker) seen.get(seen.size() - 1);
  }

  private ToLeader.RegisterWorker accept(ToLeader.RegisterWorker reg) {
    String session = ha.leaderRetrieval().current().orElseThrow().sessionId();
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), session, reg.sentAtNanos()));
    return reg;
  }

  private void awaitReport(AttemptKey key, AttemptState state) {
    leader.fishForMessage(WAIT, m -> m instanceof ToLeader.Reports r
        && r.reports().stream().anyMatch(a -> a.key().equals(key) && a.state() == state)
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }

  private static Map<AttemptKey, AttemptReport> byKey(List<AttemptReport> reports) {
    return reports.stream().collect(Collectors.toMap(AttemptReport::key, r -> r));
  }


  private List<RunRecord> records() throws IOException {
    return new RunRecords(new AttemptPaths(dataDir)).load().records();
  }

  @Test
  void aRestartedWorkerKillsWhatItsPreviousLifeLeftRunningAndReportsItLost() throws Exception {
    startWorker();
    ToLeader.RegisterWorker reg = accept(awaitRegistration());
    AttemptKey cmd = new AttemptKey("j", "tree", 1);
    AttemptKey handler = new AttemptKey("j", "handler", 1);
    AttemptKey done = new AttemptKey("j", "done", 1);
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), List.of(
        new AttemptSpec(cmd, TaskSpec.command("tree",
            List.of("/bin/sh", "-c", "sleep 300 & echo $! > child; echo $$ > parent; wait"), List.of())),
        new AttemptSpec(handler, TaskSpec.handler("handler", "sleep", "{\"millis\": 60000}", List.of())),
        new AttemptSpec(done, TaskSpec.handler("done", "noop", null, List.of())))));
    awaitReport(done, AttemptState.SUCCEEDED);
    Path workDir = new AttemptPaths(dataDir).workDir(cmd);
    long parent = readPid(workDir.resolve("parent"));
    long child = readPid(workDir.resolve("child"));
    Map<AttemptKey, RunRecord> recorded = new java.util.HashMap<>();
    eventually("three records on disk, the noop's ended", () -> {
      try {
        recorded.clear();
        records().forEach(r -> recorded.put(r.key(), r));
        return recorded.size() == 3 && recorded.get(done).report().state() == AttemptState.SUCCEEDED;
      } catch (IOException e) {
        return false;
      }
    });
    ProcessHandle guard = ProcessHandle.of(parent).orElseThrow().parent().orElseThrow();
    assertEquals(guard.pid(), recorded.get(cmd).pid(), "the command's guard process is on disk");
    assertEquals(guard.info().startInstant().orElseThrow(), recorded.get(cmd).processStart());
    assertEquals(AttemptState.RUNNING, recorded.get(handler).report().state());
    assertEquals(AttemptState.SUCCEEDED, recorded.get(done).report().state(), "ended, not acked yet");

    crash(workers.get(0));
    assertTrue(alive(parent) && alive(child), "kill -9 leaves the processes running");

    ActorRef<WorkerAgent.Command> second = startWorker();
    ToLeader.RegisterWorker reg2 = awaitRegistration();
    assertFalse(alive(parent), "the leftover shell was killed before registering");
    eventually("child " + child + " gone", () -> !alive(child));
    Map<AttemptKey, AttemptReport> reported = byKey(reg2.attempts());
    assertEquals(3, reported.size(), reg2.attempts().toString());
    assertEquals(AttemptState.LOST, reported.get(cmd).state());
    assertEquals("worker restarted; process " + guard.pid() + " killed", reported.get(cmd).message());
    assertEquals(recorded.get(cmd).report().startedAt(), reported.get(cmd).startedAt());
    assertEquals(AttemptState.LOST, reported.get(handler).state());
    assertEquals(AttemptState.SUCCEEDED, reported.get(done).state(), "an unacked outcome survives the restart");

    // a second crash before any leader acknowledged: the third life reports the same, kills nothing more
    crash(second);
    startWorker();
    ToLeader.RegisterWorker reg3 = accept(awaitRegistration());
    assertEquals(reported, byKey(reg3.attempts()));

    reg3.worker().tell(new ToWorker.AckReports(reg3.epoch(), List.of(new ToWorker.Acked(cmd, AttemptState.LOST),
        new ToWorker.Acked(handler, AttemptState.LOST), new ToWorker.Acked(done, AttemptState.SUCCEEDED))));
    eventually("records deleted once acked", () -> {
      try {
        return records().isEmpty();
      } catch (IOException e) {
        return false;
      }
    });
  }

  @Test
  void aRecordWhosePidNowBelongsToAnotherProcessKillsNothing() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "300").start();
    spawned.add(stranger);
    Instant start = stranger.toHandle().info().startInstant().orElseThrow();
    AttemptKey key = new AttemptKey("j", "old", 3);
    Instant startedAt = Instant.parse("2026-01-01T00:00:00Z");
    new RunRecords(new AttemptPaths(dataDir)).write(new RunRecord(
        new AttemptReport(key, AttemptState.RUNNING, null, startedAt, null, null), stranger.pid(),
        start.minusMillis(20)));

    startWorker();
    ToLeader.RegisterWorker reg = awaitRegistration();
    AttemptReport lost = byKey(reg.attempts()).get(key);
    assertEquals(AttemptState.LOST, lost.state());
    assertTrue(lost.message().contains("was already gone"), lost.message());
    assertTrue(stranger.isAlive(), "a process that merely has the recorded pid is left alone");
  }

  @Test
  void aGracefullyStoppedWorkerRecordsItsKilledAttemptsAsLost() throws Exception {
    startWorker();
    ToLeader.RegisterWorker reg = accept(awaitRegistration());
    AttemptKey key = new AttemptKey("j", "long", 1);
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), List.of(new AttemptSpec(key,
        TaskSpec.command("long", List.of("/bin/sh", "-c", "echo $$ > pid; exec sleep 300"), List.of())))));
    long pid = readPid(new AttemptPaths(dataDir).workDir(key).resolve("pid"));
    ActorRef<WorkerAgent.Command> first = workers.remove(0);
    TestProbe<Object> watcher = KIT.createTestProbe();
    first.tell(new WorkerAgent.Stop());
    watcher.expectTerminated(first, WAIT);
    eventually("process " + pid + " gone", () -> !alive(pid));

    startWorker();
    AttemptReport lost = byKey(awaitRegistration().attempts()).get(key);
    assertEquals(AttemptState.LOST, lost.state());
    assertEquals("worker stopped; attempt killed", lost.message());
  }
}
