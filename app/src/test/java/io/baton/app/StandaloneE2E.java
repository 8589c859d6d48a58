package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import io.baton.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/baton standalone} as a user runs it: a DAG over REST, its logs over REST and the CLI; SIGTERM lets the
 * running task finish (the embedded worker drains) and exits 0.
 */
class StandaloneE2E {
  @TempDir Path dir;

  @Test
  void runsAThreeTaskDagAndServesItsLogs() throws Exception {
    int rest = BatonProcess.freePort();
    String url = "http://127.0.0.1:" + rest;
    try (BatonProcess standalone = BatonProcess.start(dir, "standalone", "standalone", "--zk-port", "0",
        "--rest-port", String.valueOf(rest), "--data-dir", dir.resolve("data").toString(), "--drain-timeout", "60s")) {
      standalone.awaitOutput("Baton standalone is up", Duration.ofSeconds(60));
      Http http = new Http(url);
      http.awaitReady(Duration.ofSeconds(30));
      String id = http.submit("""
          {"name": "tour", "tasks": [
            {"id": "shell", "command": ["/bin/sh", "-c", "echo out-$STAGE; echo err-line >&2"], "env": {"STAGE": "1"}},
            {"id": "nap", "handler": "sleep", "args": {"millis": 300}},
            {"id": "last", "command": ["/bin/echo", "after both"], "dependsOn": ["shell", "nap"]}
          ]}""");
      JsonNode job = http.awaitState(id, "SUCCEEDED", Duration.ofSeconds(30));
      assertEquals(3, job.path("tasksSucceeded").asInt());
      Http.JSON.readTree(job.toString());
      String shellStarted = job.path("tasks").get(0).path("attempts").get(0).path("finishedAt").asText();
      String lastStarted = job.path("tasks").get(2).path("attempts").get(0).path("startedAt").asText();
      assertTrue(lastStarted.compareTo(shellStarted) >= 0, "the dependent task started before its dependency ended");

      HttpResponse<String> log = http.send("GET", "/api/v1/jobs/" + id + "/tasks/shell/log", null);
      assertEquals(200, log.statusCode());
      assertTrue(log.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertEquals("out-1\nerr-line\n", log.body());
      assertEquals("after both\n", http.send("GET", "/api/v1/jobs/" + id + "/tasks/last/log?attempt=1", null).body());
      assertEquals(200, http.send("GET", "/api/v1/jobs/" + id + "/tasks/nap/log", null).statusCode());

      BatonProcess.Result cli = BatonProcess.run(dir, "logs", "--url", url, id, "shell");
      assertEquals(0, cli.exitCode());
      assertEquals("out-1\nerr-line\n", cli.output());
      BatonProcess.Result jobs = BatonProcess.run(dir, "jobs", "--url", url);
      assertTrue(jobs.output().contains(id) && jobs.output().contains("SUCCEEDED"), jobs.output());
      BatonProcess.Result missing = BatonProcess.run(dir, "job", "--url", url, "no-such-job");
      assertEquals(1, missing.exitCode());

      // delete: the job goes, and its worker deletes its logs
      Path logs = dir.resolve("data/worker/logs").resolve(id);
      assertTrue(Files.isDirectory(logs), "the worker keeps the job's logs: " + logs);
      BatonProcess.Result deleted = BatonProcess.run(dir, "delete", "--url", url, id);
      assertEquals(0, deleted.exitCode(), deleted.output());
      assertEquals("deleted " + id + "\n", deleted.output());
      assertEquals(404, http.send("GET", "/api/v1/jobs/" + id, null).statusCode());
      assertEquals(404, http.send("DELETE", "/api/v1/jobs/" + id, null).statusCode());
      Eventually.eventually("the worker deleted the job's logs", Duration.ofSeconds(10), () -> !Files.exists(logs));

      // SIGTERM while a task runs: it finishes (its mark is written after its sleep), then the process exits 0
      Path mark = dir.resolve("finished-while-draining");
      String running = http.submit("{\"name\": \"drained\", \"tasks\": [{\"id\": \"t\", \"command\": "
          + "[\"/bin/sh\", \"-c\", \"sleep 2; echo done > " + mark + "\"]}]}");
      http.awaitJob(running, j -> j.path("tasks").path(0).path("state").asText().equals("RUNNING"),
          Duration.ofSeconds(30));
      standalone.signal("TERM");
      assertEquals(0, standalone.awaitExit(Duration.ofSeconds(60)), standalone.output());
      assertEquals("done\n", Files.readString(mark), "the running task finished before the exit");
    }
  }
}
