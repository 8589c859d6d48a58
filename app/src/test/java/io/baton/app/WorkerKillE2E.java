package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee 3 when a worker process dies for good: {@code kill -9} of a busy worker that is never restarted.
 * Every process of its attempts, also one that made itself a daemon (its own session, double fork), is gone
 * within a second, and the retries on another worker start only after that; its attempts are LOST and retried
 * there, and it is listed DEAD. Checked by what the tasks wrote and what the leader recorded.
 */
class WorkerKillE2E {
  private static final Duration SESSION = Duration.ofSeconds(2);
  private static final int TASKS = 2;   // the test workers offer 2 cpus

  @TempDir Path dir;

  /**
   * A task that, as attempt 1, writes a start line, leaves a daemon and a child behind, writes their pids and
   * its own, and waits; as a later attempt it only writes its start line.
   */
  private static String task(String id, Path starts, Path pids) {
    String script = "echo \\\"$BATON_TASK_ID $BATON_ATTEMPT $BATON_WORKER_ID $(date +%s%N)\\\" >> " + starts + ";"
        + " [ \\\"$BATON_ATTEMPT\\\" -gt 1 ] && exit 0;"
        + " (setsid sh -c 'echo $$ >> " + pids + "; exec sleep 300' &);"
        + " sleep 300 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait";
    return "{\"id\":\"" + id + "\",\"retries\":1,\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}";
  }

  @Test
  void theProcessesOfAKilledWorkerDieWithItBeforeAnyRetryStarts() throws Exception {
    Path starts = dir.resolve("starts.txt");
    Path pids = dir.resolve("pids.txt");
    try (HaCluster c = new HaCluster(dir, SESSION)) {
      c.startZooKeeper();
      String leader = c.startMaster("master-1");
      c.startWorker("w1");
      c.awaitLeader(Duration.ofSeconds(60));
      c.awaitWorkers(leader, 1, Duration.ofSeconds(30));
      List<String> tasks = new ArrayList<>();
      for (int t = 0; t < TASKS; t++) {
        tasks.add(task("t" + t, starts, pids));
      }
      Http http = new Http(leader);
      String job = http.submit("{\"name\":\"busy\",\"tasks\":[" + String.join(",", tasks) + "]}");
      List<Long> started = awaitLines(pids, 3 * TASKS);
      c.startWorker("w2");
      c.awaitWorkers(leader, 2, Duration.ofSeconds(30));

      long killedAt = System.nanoTime();
      c.workers.get("w1").kill9();
      long deadline = killedAt + Duration.ofSeconds(10).toNanos();
      while (started.stream().anyMatch(WorkerKillE2E::alive) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      long goneAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
      long goneAtEpochNanos = System.currentTimeMillis() * 1_000_000;
      assertTrue(started.stream().noneMatch(WorkerKillE2E::alive),
          "processes of w1's attempts still alive 10 s after its kill -9: " + started.stream().filter(WorkerKillE2E::alive).toList());
      System.out.println("worker kill -9: all " + started.size() + " attempt processes gone after " + goneAfterMillis + " ms");
      assertTrue(goneAfterMillis < 1000, "the attempt processes took " + goneAfterMillis + " ms to go");

      JsonNode done = http.awaitState(job, "SUCCEEDED", Duration.ofSeconds(90));
      for (JsonNode t : done.path("tasks")) {
        JsonNode attempts = t.path("attempts");
        assertEquals(2, attempts.size(), t.toString());
        assertEquals("LOST", attempts.get(0).path("state").asText());
        assertEquals("w1", attempts.get(0).path("workerId").asText());
        assertEquals("w2", attempts.get(1).path("workerId").asText());
      }
      int retries = 0;
      for (String line : Files.readAllLines(starts)) {
        String[] f = line.trim().split(" ");
        if (!f[1].equals("1")) {
          assertEquals("w2", f[2], line);
          assertTrue(Long.parseLong(f[3]) > goneAtEpochNanos, "a retry started before w1's processes were gone: " + line);
          retries++;
        }
      }
      assertEquals(TASKS, retries);
      JsonNode w1 = null;
      for (JsonNode w : http.get("/api/v1/workers").path("workers")) {
        if (w.path("id").asText().equals("w1")) {
          w1 = w;
        }
      }
      assertEquals("DEAD", w1 == null ? null : w1.path("state").asText(), "the killed worker is listed DEAD");
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static List<Long> awaitLines(Path file, int count) throws Exception {
    List<String> lines = eventually(count + " pids in " + file, Duration.ofSeconds(60),
        () -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(), l -> l.size() >= count);
    return lines.stream().map(String::trim).map(Long::parseLong).toList();
  }
}
