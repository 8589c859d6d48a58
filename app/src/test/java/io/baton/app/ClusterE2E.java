package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.app.security.LocalClusterCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate real processes: {@code baton zookeeper}, one {@code baton master}, two {@code baton worker}s with
 * different labels. Checked by what the jobs and tasks themselves recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterE2E {
  @TempDir static Path dir;
  private final List<BatonProcess> processes = new ArrayList<>();
  private Http http;
  private String url;

  @BeforeAll
  void startCluster() throws Exception {
    int zkPort = BatonProcess.freePort();
    int rest = BatonProcess.freePort();
    url = "http://127.0.0.1:" + rest;
    String zk = "127.0.0.1:" + zkPort;
    BatonProcess zookeeper = start("zookeeper", "zookeeper", "--port", String.valueOf(zkPort), "--data-dir", dir.resolve("zk").toString());
    zookeeper.awaitOutput("zookeeper listening", Duration.ofSeconds(60));
    LocalClusterCerts certs = new LocalClusterCerts(dir.resolve("tls"));
    start("master", "master", "--zk", zk, "--rest-port", String.valueOf(rest), "--port", "0",
        "--data-dir", dir.resolve("master").toString(), "--tls-dir", certs.master("master").toString());
    start("worker-a", "worker", "--zk", zk, "--cpus", "4", "--memory-mb", "4096", "--labels", "zone=a",
        "--worker-id", "wa", "--data-dir", dir.resolve("wa").toString(), "--tls-dir", certs.worker("wa").toString());
    start("worker-b", "worker", "--zk", zk, "--cpus", "4", "--memory-mb", "4096", "--labels", "zone=b",
        "--worker-id", "wb", "--data-dir", dir.resolve("wb").toString(), "--tls-dir", certs.worker("wb").toString());
    http = new Http(url);
    http.awaitReady(Duration.ofSeconds(60));
    eventually("both workers registered", Duration.ofSeconds(30),
        () -> http.get("/api/v1/workers").path("workers").size(), n -> n >= 2);
  }

  private BatonProcess start(String name, String... args) throws Exception {
    BatonProcess p = BatonProcess.start(dir, name, args);
    processes.add(p);
    return p;
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }

  @Test
  void runsAHundredJobsAndHonoursConstraints() throws Exception {
    Path marks = Files.createDirectories(dir.resolve("marks"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String zone = i % 2 == 0 ? "a" : "b";
      ids.add(http.submit("""
          {"name": "job-%d", "tasks": [
            {"id": "first", "command": ["/bin/sh", "-c", "echo %d >> %s/first-%d"], "constraints": {"zone": "%s"}},
            {"id": "second", "handler": "noop", "dependsOn": ["first"]}
          ]}""".formatted(i, i, marks, i, zone)));
    }
    for (int i = 0; i < ids.size(); i++) {
      JsonNode job = http.awaitState(ids.get(i), "SUCCEEDED", Duration.ofSeconds(60));
      String worker = job.path("tasks").get(0).path("attempts").get(0).path("workerId").asText();
      assertEquals(i % 2 == 0 ? "wa" : "wb", worker, "constrained task of job " + i + " ran on " + worker);
      assertEquals(i + "\n", Files.readString(marks.resolve("first-" + i)), "task of job " + i + " ran exactly once");
    }
    Map<String, String> labels = new HashMap<>();
    for (JsonNode w : http.get("/api/v1/workers").path("workers")) {
      labels.put(w.path("id").asText(), w.path("labels").path("zone").asText());
      assertEquals("ALIVE", w.path("state").asText());
    }
    assertEquals(Map.of("wa", "a", "wb", "b"), labels);
  }

  @Test
  void cancellingALongJobKillsItsProcess() throws Exception {
    Path pidFile = dir.resolve("long.pid");
    String id = http.submit("""
        {"name": "long", "tasks": [{"id": "sleeper", "command": ["/bin/sh", "-c", "echo $$ > %s; exec sleep 300"]}]}"""
        .formatted(pidFile));
    http.awaitJob(id, j -> j.path("tasks").get(0).path("state").asText().equals("RUNNING"), Duration.ofSeconds(30));
    long pid = io.baton.testkit.Processes.readPid(pidFile);
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertEquals(202, http.send("POST", "/api/v1/jobs/" + id + "/cancel", null).statusCode());
    JsonNode job = http.awaitJob(id, j -> j.path("state").asText().equals("CANCELLED")
        && j.path("tasks").get(0).path("attempts").get(0).path("state").asText().equals("CANCELLED"), Duration.ofSeconds(30));
    assertEquals("CANCELLED", job.path("tasks").get(0).path("state").asText());
    eventually("the task's process " + pid + " gone", () -> !io.baton.testkit.Processes.alive(pid));
    assertEquals(409, http.send("POST", "/api/v1/jobs/" + id + "/cancel", null).statusCode());
  }

  @Test
  void aTimedOutTaskIsRetriedAsItsRetriesSay() throws Exception {
    String id = http.submit("""
        {"name": "slow", "tasks": [{"id": "slow", "command": ["sleep", "30"], "timeoutSeconds": 1, "retries": 1}]}""");
    JsonNode job = http.awaitState(id, "FAILED", Duration.ofSeconds(40));
    JsonNode attempts = job.path("tasks").get(0).path("attempts");
    assertEquals(2, attempts.size());
    for (JsonNode a : attempts) {
      assertEquals("TIMED_OUT", a.path("state").asText());
    }
    assertEquals("TIMED_OUT", job.path("tasks").get(0).path("state").asText());
  }

  @Test
  void aFailingCommandShowsItsExitCode() throws Exception {
    String id = http.submit("""
        {"name": "three", "tasks": [{"id": "bad", "command": ["/bin/sh", "-c", "echo failing; exit 3"]}]}""");
    JsonNode job = http.awaitState(id, "FAILED", Duration.ofSeconds(30));
    JsonNode attempt = job.path("tasks").get(0).path("attempts").get(0);
    assertEquals("FAILED", attempt.path("state").asText());
    assertEquals(3, attempt.path("exitCode").asInt());
    assertEquals("failing\n", http.send("GET", "/api/v1/jobs/" + id + "/tasks/bad/log", null).body());
  }

  @Test
  void badInputChangesNothing() throws Exception {
    int before = http.get("/api/v1/jobs?limit=1000").path("jobs").size();
    var r = http.send("POST", "/api/v1/jobs", "{\"name\": \"x\", \"tasks\": [{\"id\": \"a\", \"command\": []}]}");
    assertEquals(400, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertFalse(Http.JSON.readTree(r.body()).path("detail").asText().isBlank());
    assertEquals(before, http.get("/api/v1/jobs?limit=1000").path("jobs").size());
  }
}
