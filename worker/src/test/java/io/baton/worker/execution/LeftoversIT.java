package io.baton.worker.execution;

import static io.baton.testkit.Eventually.eventually;
import static io.baton.testkit.Processes.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversIT {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dataDir;
  private final List<Process> spawned = new ArrayList<>();

  @AfterEach
  void killSpawned() {
    spawned.forEach(p -> ProcessTree.kill(p.toHandle()));
  }

  /** A shell with a child, as a command attempt of a previous life would have left it; returns the child's pid. */
  private long spawnTree(Process[] shell) throws Exception {
    Path childFile = dataDir.resolve("child");
    Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 300 & echo $! > child.tmp; mv child.tmp child; wait")
        .directory(dataDir.toFile()).start();
    spawned.add(p);
    shell[0] = p;
    eventually("the child's pid in " + childFile, () -> Files.exists(childFile));
    return Long.parseLong(Files.readString(childFile).trim());
  }

  @Test
  void killsTheRecordedProcessTreeAndReportsItLostUntilAcked() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    Process[] shell = new Process[1];
    long child = spawnTree(shell);
    AttemptKey key = new AttemptKey("j", "cmd", 1);
    store.write(RunRecord.running(key, T0, Optional.of(shell[0].toHandle())));

    Leftovers.Result result = Leftovers.reap(store, "w1", NOW, WAIT);
    assertEquals(List.of(), result.problems());
    AttemptReport lost = result.reports().get(0);
    assertEquals(new AttemptReport(key, AttemptState.LOST, null, T0, NOW,
        "worker restarted; process " + shell[0].pid() + " killed"), lost);
    assertFalse(alive(child), "the child is gone");
    assertFalse(shell[0].toHandle().isAlive(), "the shell is gone");

    RunRecord rewritten = store.load().records().get(0);
    assertEquals(RunRecord.ended(lost), rewritten);
    Leftovers.Result again = Leftovers.reap(store, "w1", NOW.plusSeconds(60), WAIT);
    assertEquals(List.of(lost), again.reports(), "a second restart before the ack reports the same");
  }

  @Test
  void processesThatLeftTheTreeAreFoundByTheirEnvironmentAndOnlyThisWorkersOnes() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    AttemptKey key = new AttemptKey("j", "escaped", 1);
    Process ours = marked(key, "w1");
    Process otherWorkers = marked(key, "w2");
    Process otherAttempts = marked(new AttemptKey("j", "escaped", 2), "w1");
    store.write(RunRecord.running(key, T0, Optional.empty()));

    Leftovers.Result result = Leftovers.reap(store, "w1", NOW, WAIT);
    assertEquals(List.of(), result.problems());
    assertEquals("worker restarted; no process recorded; 1 process(es) of the attempt found by their environment"
        + " and killed", result.reports().get(0).message());
    assertFalse(ours.toHandle().isAlive());
    assertTrue(otherWorkers.isAlive(), "the same attempt key on another worker of this machine is not ours");
    assertTrue(otherAttempts.isAlive());
  }

  /** A process as an attempt of {@code workerId} would have started it, in a session of its own. */
  private Process marked(AttemptKey key, String workerId) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("setsid", "sleep", "300");
    pb.environment().putAll(AttemptLauncher.identity(workerId, key));
    Process p = pb.start();
    spawned.add(p);
    return p;
  }

  @Test
  void aReusedPidIsNotKilled() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    Process stranger = new ProcessBuilder("sleep", "300").start();
    spawned.add(stranger);
    Instant start = stranger.toHandle().info().startInstant().orElseThrow();
    AttemptKey key = new AttemptKey("j", "reused", 1);
    store.write(new RunRecord(new AttemptReport(key, AttemptState.RUNNING, null, T0, null, null), stranger.pid(),
        start.minusSeconds(30)));

    AttemptReport lost = Leftovers.reap(store, "w1", NOW, WAIT).reports().get(0);
    assertEquals(AttemptState.LOST, lost.state());
    assertEquals("worker restarted; process " + stranger.pid()
        + " was already gone (its pid now belongs to another process)", lost.message());
    assertTrue(stranger.isAlive(), "another process's pid is left alone");
  }

  @Test
  void handlersGoneProcessesAndEndedAttemptsAreAccountedFor() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    AttemptKey handler = new AttemptKey("j", "handler", 1);
    AttemptKey gone = new AttemptKey("j", "gone", 1);
    AttemptKey done = new AttemptKey("j", "done", 1);
    Process quick = new ProcessBuilder("true").start();
    quick.waitFor();
    store.write(RunRecord.running(handler, T0, Optional.empty()));
    store.write(new RunRecord(new AttemptReport(gone, AttemptState.RUNNING, null, T0, null, null), quick.pid(), T0));
    AttemptReport succeeded = new AttemptReport(done, AttemptState.SUCCEEDED, 0, T0, T0.plusSeconds(2), null);
    store.write(RunRecord.ended(succeeded));

    List<AttemptReport> reports = Leftovers.reap(store, "w1", NOW, WAIT).reports();
    assertEquals(3, reports.size());
    for (AttemptReport r : reports) {
      if (r.key().equals(handler)) {
        assertEquals(AttemptState.LOST, r.state());
        assertEquals("worker restarted; no process recorded", r.message());
      } else if (r.key().equals(gone)) {
        assertEquals(AttemptState.LOST, r.state());
        assertTrue(r.message().startsWith("worker restarted; process " + quick.pid() + " was already gone"),
            r.message());
        assertNull(r.exitCode());
      } else {
        assertEquals(succeeded, r, "an ended, unacknowledged attempt keeps its outcome");
      }
    }
  }
}
