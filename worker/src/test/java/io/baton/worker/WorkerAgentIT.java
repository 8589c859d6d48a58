package io.baton.worker;

import static io.baton.testkit.Eventually.eventually;
import static io.baton.testkit.Processes.alive;
import static io.baton.testkit.Processes.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.Eventually;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.worker.execution.AttemptPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerAgentIT {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final Duration WAIT = Eventually.WAIT;
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration LONG_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dataDir;
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

  private WorkerSettings settings(Duration heartbeatTimeout) {
    return WorkerSettings.defaults("w1", dataDir)
        .withResources(4, 4096)
        .withHeartbeat(INTERVAL, heartbeatTimeout)
        .withRegistrationBackoffMax(Duration.ofMillis(400));
  }

  private TestProbe<ToLeader> leader(String address) throws Exception {
    TestProbe<ToLeader> probe = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, probe.ref());
    new TestingLeader(address).start(ha.leaderElection(address));
    return probe;
  }

  private void startWorker(Duration heartbeatTimeout) {
    worker = KIT.spawn(WorkerAgent.create(settings(heartbeatTimeout), ha.leaderRetrieval(), resolver));
  }

  @SuppressWarnings("unchecked")
  private static <T extends ToLeader> T await(TestProbe<ToLeader> probe, Class<T> type, Predicate<T> matches) {
    List<ToLeader> seen = probe.fishForMessage(WAIT, m -> type.isInstance(m) && matches.test((T) m)
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
    return (T) seen.get(seen.size() - 1);
  }

  /** Waits for the worker to register, accepts it and returns the registration. */
  private ToLeader.RegisterWorker accept(TestProbe<ToLeader> probe) {
    ToLeader.RegisterWorker reg = await(probe, ToLeader.RegisterWorker.class, r -> true);
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

  private static AttemptSpec command(AttemptKey key, String... argv) {
    return new AttemptSpec(key, TaskSpec.command(key.taskId(), List.of(argv), List.of()));
  }

  private static AttemptSpec handler(AttemptKey key, String name, String argsJson) {
    return new AttemptSpec(key, TaskSpec.handler(key.taskId(), name, argsJson, List.of()));
  }

  private static void start(ToLeader.RegisterWorker reg, AttemptSpec... specs) {
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), List.of(specs)));
  }

  private WorkerAgent.Status status() {
    TestProbe<WorkerAgent.Status> probe = KIT.createTestProbe(WorkerAgent.Status.class);
    worker.tell(new WorkerAgent.GetStatus(probe.ref()));
    return probe.receiveMessage(WAIT);
  }

  private static LogChunk fetchLog(ToLeader.RegisterWorker reg, AttemptKey key, long offset, int max) {
    TestProbe<LogChunk> probe = KIT.createTestProbe(LogChunk.class);
    reg.worker().tell(new ToWorker.FetchLog(reg.epoch(), key, offset, max, probe.ref()));
    return probe.receiveMessage(WAIT);
  }


  private Path workDir(AttemptKey key) {
    return new AttemptPaths(dataDir).workDir(key);
  }

  // ---- tests

  @Test
  void registersWithThePublishedLeaderAndHeartbeats() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    assertEquals(new Epoch(1), reg.epoch());
    assertEquals("w1", reg.info().workerId());
    assertEquals(4.0, reg.info().cpus());
    assertEquals(4096, reg.info().memoryMb());
    assertEquals(List.of(), reg.attempts());
    ToLeader.Heartbeat hb = await(leader, ToLeader.Heartbeat.class, h -> true);
    assertEquals(new Epoch(1), hb.epoch());
    assertEquals("w1", hb.workerId());
    assertTrue(status().registered());
  }

  @Test
  void retriesRegistrationUntilAccepted() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker first = await(leader, ToLeader.RegisterWorker.class, r -> true);
    first.worker().tell(new ToWorker.RegistrationRejected(first.epoch(), "not ready"));
    ToLeader.RegisterWorker second = accept(leader);
    assertEquals(first.epoch(), second.epoch());
    await(leader, ToLeader.Heartbeat.class, h -> true);
  }

  @Test
  void keepsResolvingAGatewayThatIsNotReachableYet() throws Exception {
    String address = "pekko://baton@127.0.0.1:3";
    new TestingLeader(address).start(ha.leaderElection(address));
    startWorker(LONG_TIMEOUT);
    eventually("leader seen", () -> status().leader().isPresent());
    TestProbe<ToLeader> late = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, late.ref());
    accept(late);
    assertTrue(status().registered());
  }

  @Test
  void commandReportsRunningThenFailedWithExitCodeAndKeepsItsLog() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("job1", "t1", 1);
    start(reg, command(key, "/bin/sh", "-c", "echo hi; echo oops >&2; exit 3"));
    AttemptReport running = awaitReport(leader, key, AttemptState.RUNNING);
    assertTrue(running.startedAt() != null);
    AttemptReport failed = awaitReport(leader, key, AttemptState.FAILED);
    assertEquals(3, failed.exitCode());
    assertTrue(failed.finishedAt() != null);

    LogChunk log = fetchLog(reg, key, 0, 1024);
    assertTrue(log.found());
    String text = new String(log.data(), StandardCharsets.UTF_8);
    assertTrue(text.contains("hi") && text.contains("oops"), text);
    assertTrue(log.eof());
    assertEquals(log.data().length, log.nextOffset());
    LogChunk tail = fetchLog(reg, key, 3, 2);
    assertEquals("oo", new String(tail.data(), StandardCharsets.UTF_8));
    assertEquals(5, tail.nextOffset());
    assertFalse(tail.eof());

    reg.worker().tell(new ToWorker.AckReports(reg.epoch(), List.of(new ToWorker.Acked(key, AttemptState.FAILED))));
    assertEquals(List.of(), status().attempts(), "forgotten once the terminal report is acked");
    assertTrue(fetchLog(reg, key, 0, 1024).found(), "the log stays");
    assertFalse(fetchLog(reg, new AttemptKey("job1", "nope", 1), 0, 1024).found());
  }

  @Test
  void commandRunsInItsWorkDirWithTheTaskEnvAndNoShell() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("job1", "env", 1);
    TaskSpec task = new TaskSpec("env", List.of("/bin/sh", "-c", "pwd; echo \"stage=$STAGE\"; echo \"secret=$PASSWORD\""),
        null, null, java.util.Map.of("STAGE", "7"), 1, 128, 0, 0, null, null, java.util.Map.of("PASSWORD", "hunter2"));
    start(reg, new AttemptSpec(key, task));
    awaitReport(leader, key, AttemptState.SUCCEEDED);
    String text = new String(fetchLog(reg, key, 0, 4096).data(), StandardCharsets.UTF_8);
    assertTrue(text.contains(workDir(key).toRealPath().toString()), text);
    assertTrue(text.contains("stage=7"), text);
    assertTrue(text.contains("secret=hunter2"), "secretEnv reaches the process: " + text);

    AttemptKey noShell = new AttemptKey("job1", "echo", 1);
    start(reg, command(noShell, "/bin/echo", "$HOME", "a;b"));
    awaitReport(leader, noShell, AttemptState.SUCCEEDED);
    assertEquals("$HOME a;b\n", new String(fetchLog(reg, noShell, 0, 4096).data(), StandardCharsets.UTF_8));
  }

  @Test
  void programThatCannotStartFailsWithAMessageInTheLog() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("job1", "missing", 1);
    start(reg, command(key, "/no/such/program"));
    AttemptReport failed = awaitReport(leader, key, AttemptState.FAILED);
    assertNull(failed.exitCode());
    assertTrue(failed.message().contains("/no/such/program"), failed.message());
    String log = new String(fetchLog(reg, key, 0, 4096).data(), StandardCharsets.UTF_8);
    assertTrue(log.contains("could not start"), log);
  }

  @Test
  void builtInHandlersRunWithoutCreatingEmptyLogs() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey noop = new AttemptKey("j", "noop", 1);
    AttemptKey sleep = new AttemptKey("j", "sleep", 1);
    AttemptKey fail = new AttemptKey("j", "fail", 1);
    AttemptKey failDefault = new AttemptKey("j", "fail", 2);
    AttemptKey boom = new AttemptKey("j", "boom", 1);
    AttemptKey unknown = new AttemptKey("j", "unknown", 1);
    AttemptKey badArgs = new AttemptKey("j", "badargs", 1);
    start(reg,
        handler(noop, "noop", null),
        handler(sleep, "sleep", "{\"millis\": 50}"),
        handler(fail, "fail", "{\"exitCode\": 7}"),
        handler(failDefault, "fail", "{}"),
        handler(boom, "boom", "{}"),
        handler(unknown, "no-such-handler", "{}"),
        handler(badArgs, "noop", "{not json"));
    awaitReport(leader, noop, AttemptState.SUCCEEDED);
    awaitReport(leader, sleep, AttemptState.SUCCEEDED);
    assertEquals(7, awaitReport(leader, fail, AttemptState.FAILED).exitCode());
    assertEquals(1, awaitReport(leader, failDefault, AttemptState.FAILED).exitCode());
    assertEquals("boom!", awaitReport(leader, boom, AttemptState.FAILED).message());
    assertTrue(awaitReport(leader, unknown, AttemptState.FAILED).message().contains("no-such-handler"));
    awaitReport(leader, badArgs, AttemptState.FAILED);

    AttemptPaths paths = new AttemptPaths(dataDir);
    assertFalse(Files.exists(paths.logFile(noop)), "noop writes nothing, so no file");
    LogChunk empty = fetchLog(reg, noop, 0, 100);
    assertTrue(empty.found());
    assertEquals(0, empty.data().length);
    assertTrue(empty.eof());
    String failLog = new String(fetchLog(reg, fail, 0, 1000).data(), StandardCharsets.UTF_8);
    assertTrue(failLog.contains("exit code 7"), failLog);
  }

  @Test
  void timeoutKillsTheProcessAndEndsTimedOut() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "slow", 1);
    TaskSpec task = TaskSpec.command("slow", List.of("/bin/sh", "-c", "echo $$ > pid; sleep 300 & wait"), List.of())
        .withTimeoutSeconds(1);
    start(reg, new AttemptSpec(key, task));
    long pid = readPid(workDir(key).resolve("pid"));
    assertTrue(alive(pid));
    AttemptReport timedOut = awaitReport(leader, key, AttemptState.TIMED_OUT);
    assertTrue(timedOut.message().contains("timed out"), timedOut.message());
    eventually("process " + pid + " gone", () -> !alive(pid));
  }

  @Test
  void killEndsCancelledAndKillsTheWholeProcessTree() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "tree", 1);
    start(reg, command(key, "/bin/sh", "-c", "sleep 300 & echo $! > child; echo $$ > parent; wait"));
    long parent = readPid(workDir(key).resolve("parent"));
    long child = readPid(workDir(key).resolve("child"));
    assertTrue(alive(child));
    reg.worker().tell(new ToWorker.KillAttempts(reg.epoch(), List.of(key, new AttemptKey("j", "unknown", 1)),
        AttemptState.CANCELLED));
    awaitReport(leader, key, AttemptState.CANCELLED);
    eventually("child " + child + " gone", () -> !alive(child));
    eventually("parent " + parent + " gone", () -> !alive(parent));
    assertEquals(List.of(AttemptState.CANCELLED), status().attempts().stream().map(AttemptReport::state).toList(),
        "an unknown key is ignored");
  }

  @Test
  void duplicateStartIsReReportedNotReRun() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "once", 1);
    AttemptSpec spec = command(key, "/bin/sh", "-c", "echo run >> ../../runs; sleep 300");
    start(reg, spec);
    AttemptReport first = awaitReport(leader, key, AttemptState.RUNNING);
    Path runs = workDir(key).getParent().getParent().resolve("runs");
    eventually("first run", () -> Files.exists(runs));
    start(reg, spec);
    AttemptReport again = awaitReport(leader, key, AttemptState.RUNNING);
    assertEquals(first.startedAt(), again.startedAt());
    reg.worker().tell(new ToWorker.KillAttempts(reg.epoch(), List.of(key), AttemptState.CANCELLED));
    awaitReport(leader, key, AttemptState.CANCELLED);
    assertEquals(List.of("run"), Files.readAllLines(runs));
  }

  @Test
  void commandsFromAnOlderEpochAreIgnoredAfterALeaderChange() throws Exception {
    TestProbe<ToLeader> leader1 = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg1 = accept(leader1);
    TestProbe<ToLeader> leader2 = leader("pekko://baton@127.0.0.1:2");
    ha.revokeCurrentLeader();
    ToLeader.RegisterWorker reg2 = accept(leader2);
    assertEquals(new Epoch(2), reg2.epoch());

    AttemptKey stale = new AttemptKey("j", "stale", 1);
    AttemptKey borrowed = new AttemptKey("j", "borrowed", 1);
    AttemptKey fresh = new AttemptKey("j", "fresh", 1);
    reg1.worker().tell(new ToWorker.StartAttempts(new Epoch(1), List.of(handler(stale, "noop", null))));
    // the new epoch on the deposed leader's inbox: refused too (commands come only on the followed leader's inbox)
    reg1.worker().tell(new ToWorker.StartAttempts(new Epoch(2), List.of(handler(borrowed, "noop", null))));
    reg2.worker().tell(new ToWorker.StartAttempts(new Epoch(2), List.of(handler(fresh, "noop", null))));
    awaitReport(leader2, fresh, AttemptState.SUCCEEDED);
    Set<AttemptKey> known = new HashSet<>();
    status().attempts().forEach(r -> known.add(r.key()));
    assertEquals(Set.of(fresh), known);
    assertEquals(new Epoch(2), status().newestEpoch());
  }

  @Test
  void leaderChangeReRegistersWithRunningAttemptsWithoutTouchingThem() throws Exception {
    TestProbe<ToLeader> leader1 = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg1 = accept(leader1);
    AttemptKey key = new AttemptKey("j", "long", 1);
    start(reg1, command(key, "/bin/sh", "-c", "echo $$ > pid; exec sleep 300"));
    awaitReport(leader1, key, AttemptState.RUNNING);
    long pid = readPid(workDir(key).resolve("pid"));

    TestProbe<ToLeader> leader2 = leader("pekko://baton@127.0.0.1:2");
    ha.revokeCurrentLeader();
    ToLeader.RegisterWorker reg2 = accept(leader2);
    assertTrue(find(reg2, key, AttemptState.RUNNING).isPresent(), "registration carries the running attempt");
    await(leader2, ToLeader.Heartbeat.class, h -> h.epoch().equals(new Epoch(2)) && h.runningAttempts() == 1);
    assertTrue(alive(pid));
    assertEquals(AttemptState.RUNNING, status().attempts().get(0).state());
  }

  @Test
  void notRegisteredLeadsToARegistrationWithEveryUnackedAttempt() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey running = new AttemptKey("j", "running", 1);
    AttemptKey done = new AttemptKey("j", "done", 1);
    start(reg, handler(running, "sleep", "{\"millis\": 60000}"), handler(done, "noop", null));
    awaitReport(leader, done, AttemptState.SUCCEEDED);
    reg.worker().tell(new ToWorker.AckReports(reg.epoch(), List.of(new ToWorker.Acked(running, AttemptState.RUNNING))));
    reg.worker().tell(new ToWorker.NotRegistered(reg.epoch()));
    ToLeader.RegisterWorker again = await(leader, ToLeader.RegisterWorker.class, r -> true);
    assertTrue(find(again, running, AttemptState.RUNNING).isPresent(), again.attempts().toString());
    assertTrue(find(again, done, AttemptState.SUCCEEDED).isPresent(), again.attempts().toString());
  }

  @Test
  void unackedReportsAreResentUntilAcked() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "noop", 1);
    start(reg, handler(key, "noop", null));
    awaitReport(leader, key, AttemptState.SUCCEEDED);
    awaitReport(leader, key, AttemptState.SUCCEEDED); // resent: not acked yet
    assertEquals(1, status().unackedReports());
    reg.worker().tell(new ToWorker.AckReports(reg.epoch(), List.of(new ToWorker.Acked(key, AttemptState.SUCCEEDED))));
    WorkerAgent.Status s = status();
    assertEquals(0, s.unackedReports());
    assertEquals(List.of(), s.attempts());
  }

  @Test
  void selfFencesWhenNoLeaderIsHeardForLongerThanTheTimeout() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(Duration.ofMillis(700));
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "fenced", 1);
    start(reg, command(key, "/bin/sh", "-c", "echo $$ > pid; exec sleep 300"));
    long pid = readPid(workDir(key).resolve("pid"));
    // the leader goes silent: no heartbeat acks
    AttemptReport lost = awaitReport(leader, key, AttemptState.LOST);
    assertTrue(lost.message().startsWith("self-fenced: "), lost.message());
    eventually("process " + pid + " gone", () -> !alive(pid));
    assertTrue(status().attempts().stream().anyMatch(r -> r.key().equals(key) && r.state() == AttemptState.LOST),
        "kept until a leader acks it");

    // a start that arrives now (e.g. it waited in the socket while the worker was frozen) is refused
    AttemptKey late = new AttemptKey("j", "late", 1);
    start(reg, command(late, "/bin/sh", "-c", "echo ran > ran"));
    AttemptReport refused = awaitReport(leader, late, AttemptState.LOST);
    assertEquals("not started: this worker's lease had ended (no leader answered it in time)", refused.message());
    assertTrue(!java.nio.file.Files.exists(workDir(late).resolve("ran")), "the command never ran");
  }

  @Test
  void heartbeatAcksKeepAttemptsAlive() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(Duration.ofMillis(1500));   // the lease: 1125 ms after each answered heartbeat was sent
    ToLeader.RegisterWorker reg = accept(leader);
    AttemptKey key = new AttemptKey("j", "kept", 1);
    start(reg, handler(key, "sleep", "{\"millis\": 60000}"));
    for (int i = 0; i < 30; i++) {   // 3 s of heartbeats at 100 ms: twice the timeout
      ToLeader.Heartbeat hb = await(leader, ToLeader.Heartbeat.class, h -> true);
      reg.worker().tell(new ToWorker.HeartbeatAck(hb.epoch(), hb.sentAtNanos()));
    }
    assertEquals(AttemptState.RUNNING, status().attempts().get(0).state());
  }

  @Test
  void thousandsOfNoopAttemptsAreReportedInFewMessages() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startWorker(LONG_TIMEOUT);
    ToLeader.RegisterWorker reg = accept(leader);
    int n = 3000;
    List<AttemptSpec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(handler(new AttemptKey("bulk", "t" + i, 1), "noop", null));
    }
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(), specs));
    Set<AttemptKey> done = new HashSet<>();
    int[] reportMessages = {0};
    leader.fishForMessage(WAIT, m -> {
      if (m instanceof ToLeader.Reports r) {
        reportMessages[0]++;
        r.reports().stream().filter(a -> a.state() == AttemptState.SUCCEEDED).forEach(a -> done.add(a.key()));
      }
      return done.size() == n ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    assertTrue(reportMessages[0] < n / 10, reportMessages[0] + " Reports messages for " + n + " attempts");
    assertFalse(Files.exists(dataDir.resolve("logs")), "noop attempts create no log files");
  }
}
