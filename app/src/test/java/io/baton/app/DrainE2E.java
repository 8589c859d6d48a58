package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining workers with real processes: {@code baton drain} keeps a worker's attempts running and gives it no new
 * ones ({@code baton undrain} gives it work again); a rolling restart of both workers by SIGTERM under a stream of
 * jobs loses no job, and kills no attempt (each finishes well within the drain timeout; one placed on a stopping
 * worker before it started is moved, never run twice). Checked by what the tasks
 * wrote and by the attempts the leader recorded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainE2E {
  private static final Duration SESSION = Duration.ofSeconds(4);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] W1 = {"--labels", "node=one"};
  private static final String[] W2 = {"--labels", "node=two"};

  /**
   * One cluster for two of the tests (two masters, w1 labelled node=one and w2 node=two, a 4 s session): drain and
   * undrain, then the leader's kill -9. The rolling restart runs on a cluster of its own.
   */
  @TempDir static Path dir;
  private static HaCluster c;
  private static String leader;

  @BeforeAll
  static void startCluster() throws Exception {
    c = new HaCluster(dir, SESSION);
    leader = c.startWithTwoMasters(List.of("w1", "w2"), id -> id.equals("w1") ? W1 : W2);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (c != null) {
      c.close();
    }
  }

  /** One task pinned by label {@code node} (null: anywhere) that writes "start"/"end" lines around a sleep. */
  private static String job(String name, String node, double seconds, Path marks) {
    String script = "echo start-" + name + "-$BATON_ATTEMPT-$BATON_WORKER_ID >> " + marks + "; sleep " + seconds
        + "; echo end-" + name + " >> " + marks;
    String constraints = node == null ? "" : ",\"constraints\":{\"node\":\"" + node + "\"}";
    return "{\"name\":\"" + name + "\",\"tasks\":[{\"id\":\"t\",\"retries\":2,\"cpus\":0.5" + constraints
        + ",\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}]}";
  }

  private static String state(Http http, String workerId) throws Exception {
    for (JsonNode w : http.get("/api/v1/workers").path("workers")) {
      if (w.path("id").asText().equals(workerId)) {
        return w.path("state").asText();
      }
    }
    return "";
  }

  private static int running(Http http, String workerId) throws Exception {
    for (JsonNode w : http.get("/api/v1/workers").path("workers")) {
      if (w.path("id").asText().equals(workerId)) {
        return w.path("runningAttempts").asInt();
      }
    }
    return 0;
  }

  @Test
  @Order(1)
  void aDrainedWorkerFinishesItsAttemptsAndTakesNoNewOnes() throws Exception {
    Path marks = dir.resolve("marks-drain.txt");
    Http http = new Http(leader);

    String running = http.submit(job("running", "one", 6, marks));
    http.awaitJob(running, j -> j.path("tasks").get(0).path("state").asText().equals("RUNNING"), Duration.ofSeconds(30));

    BatonProcess.Result drain = BatonProcess.run(dir, "drain", "-o", "json", "--url", leader, "w1");
    assertEquals(0, drain.exitCode(), drain.output());
    assertEquals("DRAINING", JSON.readTree(drain.output()).path("state").asText(), drain.output());
    assertEquals("DRAINING", state(http, "w1"));
    assertEquals(404, http.send("POST", "/api/v1/workers/nobody/drain", null).statusCode());

    String pinned = http.submit(job("pinned", "one", 0.1, marks));   // only w1 may run it: it waits
    String free = http.submit(job("free", null, 0.1, marks));         // goes to w2
    JsonNode freeDone = http.awaitState(free, "SUCCEEDED", Duration.ofSeconds(30));
    assertEquals("w2", freeDone.path("tasks").get(0).path("attempts").get(0).path("workerId").asText());

    JsonNode runningDone = http.awaitState(running, "SUCCEEDED", Duration.ofSeconds(30));
    JsonNode attempts = runningDone.path("tasks").get(0).path("attempts");
    assertEquals(1, attempts.size(), "the drained worker's attempt ran to its end: " + attempts);
    assertEquals("w1", attempts.get(0).path("workerId").asText());
    assertEquals("PENDING", http.get("/api/v1/jobs/" + pinned).path("tasks").get(0).path("state").asText(),
        "nothing new on a DRAINING worker");
    assertEquals(0, HaCluster.counts(marks).getOrDefault("start-pinned-1-w1", 0));

    BatonProcess.Result undrain = BatonProcess.run(dir, "undrain", "-o", "json", "--url", leader, "w1");
    assertEquals(0, undrain.exitCode(), undrain.output());
    assertEquals("ALIVE", JSON.readTree(undrain.output()).path("state").asText());
    http.awaitState(pinned, "SUCCEEDED", Duration.ofSeconds(30));
    Map<String, Integer> counts = HaCluster.counts(marks);
    assertEquals(1, counts.get("start-running-1-w1"), counts.toString());
    assertEquals(1, counts.get("end-running"), counts.toString());
    assertEquals(1, counts.get("start-pinned-1-w1"), counts.toString());
  }

  @Test
  @Order(3)
  void aDrainAskedOfAStandbyOutlivesTheLeadersKill9() throws Exception {
    String standby = c.masters.keySet().stream().filter(u -> !u.equals(leader)).findFirst().orElseThrow();

    var drained = new Http(standby).send("POST", "/api/v1/workers/w1/drain", null);   // forwarded to the leader
    assertEquals(200, drained.statusCode(), drained.body());
    assertEquals("DRAINING", state(new Http(leader), "w1"));

    c.masters.get(leader).kill9();
    String next = eventually("a new leader", Duration.ofSeconds(60), () -> c.awaitLeader(Duration.ofSeconds(30)),
        l -> !l.equals(leader));
    Http http = new Http(next);
    // the worker says it in its registration with the new leader: no store holds it
    eventually("w1 DRAINING and w2 ALIVE under the new leader", Duration.ofSeconds(30),
        () -> state(http, "w1") + "/" + state(http, "w2"), s -> s.equals("DRAINING/ALIVE"));
    for (int i = 0; i < 3; i++) {
      JsonNode done = http.awaitState(http.submit(job("after-" + i, null, 0.1, dir.resolve("marks-kill.txt"))),
          "SUCCEEDED", Duration.ofSeconds(30));
      assertEquals("w2", done.path("tasks").get(0).path("attempts").get(0).path("workerId").asText());
    }
    assertEquals(200, http.send("POST", "/api/v1/workers/w1/undrain", null).statusCode());
    assertEquals("ALIVE", state(http, "w1"));
  }

  /** On a cluster of its own (one master; its workers restart with fresh state). */
  @Test
  @Order(2)
  void aRollingRestartOfBothWorkersUnderAStreamOfJobsLosesNothingAndKillsNothing() throws Exception {
    Path marks = dir.resolve("marks-rolling.txt");
    Map<String, String> jobs = Collections.synchronizedMap(new java.util.LinkedHashMap<>());   // id -> name
    List<Throwable> submitErrors = Collections.synchronizedList(new ArrayList<>());
    try (HaCluster c = new HaCluster(Files.createDirectories(dir.resolve("rolling")), SESSION)) {
      c.startZooKeeper();
      String leader = c.startMaster("master-1");
      String[] workerFlags = {"--drain-timeout", "30s"};
      c.startWorker("w1", workerFlags);
      c.startWorker("w2", workerFlags);
      c.awaitLeader(Duration.ofSeconds(60));
      c.awaitWorkers(leader, 2, Duration.ofSeconds(30));
      Http http = new Http(leader);

      AtomicBoolean submitting = new AtomicBoolean(true);
      Thread submitter = new Thread(() -> {
        int n = 0;
        while (submitting.get()) {
          try {
            String name = "j" + n++;
            jobs.put(http.submit(job(name, null, 2, marks)), name);
            Thread.sleep(250);
          } catch (Exception e) {
            submitErrors.add(e);
          }
        }
      }, "submitter");
      submitter.start();
      try {
        for (String id : List.of("w1", "w2")) {
          eventually(id + " busy", Duration.ofSeconds(30), () -> running(http, id), n -> n > 0);
          BatonProcess worker = c.workers.get(id);
          long sent = System.nanoTime();
          worker.signal("TERM");
          eventually(id + " DRAINING or gone", Duration.ofSeconds(10), () -> state(http, id),
              s -> s.equals("DRAINING") || s.equals("DEAD"));
          int code;
          try {
            code = worker.awaitExit(Duration.ofSeconds(60));
          } catch (AssertionError stuck) {
            throw new AssertionError(stuck.getMessage() + "; its output:\n" + worker.output(), stuck);
          }
          System.out.printf("rolling restart: %s drained and exited %d after %d ms%n", id, code,
              (System.nanoTime() - sent) / 1_000_000);
          assertEquals(0, code, worker.output());
          assertTrue(worker.output().contains("drained"), worker.output());
          c.startWorker(id, workerFlags);
          c.awaitWorkers(leader, 2, Duration.ofSeconds(60));
        }
        Thread.sleep(3000);
      } finally {
        submitting.set(false);
        submitter.join();
      }
      assertTrue(submitErrors.isEmpty(), "submissions failed: " + submitErrors);
      assertTrue(jobs.size() > 20, "a stream of jobs: " + jobs.size());

      int moved = 0;
      for (String id : List.copyOf(jobs.keySet())) {
        JsonNode done = http.awaitState(id, "SUCCEEDED", Duration.ofSeconds(120));
        JsonNode attempts = done.path("tasks").get(0).path("attempts");
        // a placement on a worker that was stopping before it started goes elsewhere; nothing that started is lost
        for (int a = 0; a < attempts.size() - 1; a++) {
          JsonNode earlier = attempts.get(a);
          assertEquals("LOST", earlier.path("state").asText(), done.toString());
          assertTrue(earlier.path("startedAt").isNull(), "an attempt that started was killed: " + done);
          assertTrue(earlier.path("message").asText().contains("never started"), done.toString());
          moved++;
        }
        assertEquals("SUCCEEDED", attempts.get(attempts.size() - 1).path("state").asText(), done.toString());
      }
      Map<String, Integer> counts = HaCluster.counts(marks);
      for (String name : jobs.values()) {
        long starts = counts.entrySet().stream().filter(e -> e.getKey().startsWith("start-" + name + "-"))
            .mapToInt(Map.Entry::getValue).sum();
        assertEquals(1, starts, name + " started once: " + counts);
        assertEquals(1, counts.getOrDefault("end-" + name, 0), name + " ran to its end once");
      }
      System.out.printf("rolling restart: %d jobs, every one SUCCEEDED, each task started once; %d placements on a "
          + "stopping worker moved before they started%n", jobs.size(), moved);
      assertTrue(Files.exists(marks));
    }
  }
}
