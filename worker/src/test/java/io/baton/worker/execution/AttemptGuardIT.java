package io.baton.worker.execution;

import static io.baton.testkit.Eventually.eventually;
import static io.baton.testkit.Processes.alive;
import static io.baton.testkit.Processes.readPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.worker.execution.RunningAttempt.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attempt guard with real processes: what it kills, when, and what it says about it. */
class AttemptGuardIT {
  /** A shell that starts a daemon (its own session, double fork) and a plain child, writing their pids. */
  private static final String FAMILY = "echo $$ > main; (setsid sh -c 'echo $$ > daemon; exec sleep 300' &);"
      + " sleep 300 & echo $! > child; ";

  @TempDir Path dir;
  private AttemptGuard guard;
  private final List<Process> guards = new ArrayList<>();

  @BeforeEach
  void install() throws Exception {
    guard = AttemptGuard.install(dir);
  }

  @AfterEach
  void cleanUp() {
    guards.forEach(p -> ProcessTree.kill(p.toHandle()));
  }

  private Process start(Duration lease, List<String> argv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(guard.command(System.nanoTime() + lease.toNanos(), Duration.ofMinutes(1),
        argv)).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile()));
    Process p = pb.start();
    guards.add(p);
    return p;
  }

  private GuardedProcess run(Duration lease, String script) throws Exception {
    List<String> argv = List.of("/bin/sh", "-c", script);
    return new GuardedProcess(start(lease, argv), argv);
  }

  private static Outcome outcome(RunningAttempt attempt) throws Exception {
    return attempt.outcome().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private List<Long> family() throws Exception {
    return List.of(readPid(dir.resolve("main")), readPid(dir.resolve("daemon")), readPid(dir.resolve("child")));
  }

  private static void assertAllGone(List<Long> pids) throws Exception {
    for (long pid : pids) {
      eventually("process " + pid + " gone", () -> !alive(pid));
    }
  }

  @Test
  void theAttemptEndsWithItsMainProcessAndTakesWhatItLeftBehindAlong() throws Exception {
    GuardedProcess attempt = run(Duration.ofMinutes(1), FAMILY + "while [ ! -s daemon ]; do sleep 0.01; done; exit 3");
    assertEquals(Outcome.exit(3), outcome(attempt));
    assertAllGone(family());
  }

  @Test
  void aKillTakesTheWholeAttemptIncludingDaemons() throws Exception {
    GuardedProcess attempt = run(Duration.ofMinutes(1), FAMILY + "wait");
    List<Long> pids = family();
    pids.forEach(pid -> assertTrue(alive(pid)));
    attempt.kill();
    assertEquals(Outcome.error("killed"), outcome(attempt));
    assertAllGone(pids);
  }

  @Test
  void whenTheWorkerDiesItsPipeClosesAndTheGuardKillsEverything() throws Exception {
    List<String> argv = List.of("/bin/sh", "-c", FAMILY + "wait");
    Process process = start(Duration.ofMinutes(1), argv);
    GuardedProcess attempt = new GuardedProcess(process, argv);
    List<Long> pids = family();
    process.getOutputStream().close();   // what the kernel does to the pipe when the JVM dies
    assertTrue(outcome(attempt).lost());
    assertAllGone(pids);
  }

  @Test
  void theGuardKillsTheAttemptWhenItsLeaseRunsOut() throws Exception {
    GuardedProcess attempt = run(Duration.ofMillis(1500), FAMILY + "wait");
    List<Long> pids = family();
    Outcome outcome = outcome(attempt);
    assertTrue(outcome.lost(), outcome.toString());
    assertTrue(outcome.error().startsWith("self-fenced: "), outcome.error());
    assertAllGone(pids);
  }

  @Test
  void aRenewedLeaseKeepsTheAttemptRunning() throws Exception {
    GuardedProcess attempt = run(Duration.ofSeconds(2), "sleep 3; exit 7");
    attempt.renewLease(System.nanoTime() + Duration.ofMinutes(1).toNanos());
    assertEquals(Outcome.exit(7), outcome(attempt), "the first lease ended while the attempt slept");
  }

  @Test
  void aRenewalBeyondTheLongestLeaseIsCutShort() throws Exception {
    List<String> argv = List.of("/bin/sh", "-c", "sleep 300");
    Process process = new ProcessBuilder(guard.command(System.nanoTime() + Duration.ofSeconds(1).toNanos(),
        Duration.ofSeconds(1), argv)).start();
    guards.add(process);
    GuardedProcess attempt = new GuardedProcess(process, argv);
    attempt.renewLease(Long.MAX_VALUE);
    assertTrue(outcome(attempt).lost(), "a lease cannot be renewed further ahead than the longest lease");
  }

  @Test
  void aCommandThatCannotStartSaysWhyInItsOutcomeAndLog() throws Exception {
    List<String> argv = List.of("/nonexistent/program", "arg");
    GuardedProcess attempt = new GuardedProcess(start(Duration.ofMinutes(1), argv), argv);
    assertEquals(Outcome.error("could not start [/nonexistent/program, arg]: No such file or directory"),
        outcome(attempt));
    assertTrue(Files.readString(dir.resolve("log")).contains("could not start /nonexistent/program"));
  }

  @Test
  void theGuardsWordsBecomeOutcomes() {
    List<String> argv = List.of("x");
    assertEquals(Outcome.exit(0), GuardedProcess.outcomeOf(0, "exit 0\n", argv));
    assertEquals(Outcome.exit(137), GuardedProcess.outcomeOf(137, "signal 9\n", argv));
    assertEquals(Outcome.error("killed"), GuardedProcess.outcomeOf(137, "survivors 12,13\nkilled\n", argv));
    assertTrue(GuardedProcess.outcomeOf(137, "lease-expired\n", argv).lost());
    assertTrue(GuardedProcess.outcomeOf(137, "orphaned\n", argv).lost());
    assertEquals(Outcome.error("the attempt guard ended unexpectedly (exit 255): exit x"),
        GuardedProcess.outcomeOf(255, "exit x\n", argv));
    assertEquals(Outcome.error("the attempt guard ended unexpectedly (exit 2)"), GuardedProcess.outcomeOf(2, "", argv));
  }
}
