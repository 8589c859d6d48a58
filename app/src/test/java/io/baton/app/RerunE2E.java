package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton rerun} of a half-failed DAG with real processes: the rerun runs only what did not succeed, as the
 * tasks' own marks on disk show, and the two jobs name each other.
 */
class RerunE2E {
  @TempDir Path dir;

  /** A task that appends its name to {@code marks}; with {@code gate} it fails (marking "-failed") until gate exists. */
  private static String task(String id, String dependsOn, Path marks, Path gate) {
    String script = gate == null
        ? "echo " + id + " >> " + marks
        : "if [ -f " + gate + " ]; then echo " + id + " >> " + marks + "; else echo " + id + "-failed >> " + marks
            + "; exit 3; fi";
    return "{\"id\":\"" + id + "\"" + (dependsOn == null ? "" : ",\"dependsOn\":[\"" + dependsOn + "\"]")
        + ",\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}";
  }

  @Test
  void aRerunOfAHalfFailedDagRunsOnlyWhatDidNotSucceed() throws Exception {
    Path marks = dir.resolve("marks.txt");
    Path gate = dir.resolve("fixed");
    try (HaCluster c = new HaCluster(dir, Duration.ofSeconds(4))) {
      c.startZooKeeper();
      String leader = c.startMaster("master-1");
      c.startWorker("w1");
      c.awaitLeader(Duration.ofSeconds(60));
      c.awaitWorkers(leader, 1, Duration.ofSeconds(30));
      Http http = new Http(leader);

      // extract -> transform (fails until fixed) -> load; report on its own
      String spec = "{\"name\":\"etl\",\"tasks\":[" + task("extract", null, marks, null) + ","
          + task("transform", "extract", marks, gate) + "," + task("load", "transform", marks, null) + ","
          + task("report", null, marks, null) + "]}";
      String first = http.submit(spec);
      JsonNode failed = http.awaitState(first, "FAILED", Duration.ofSeconds(60));
      assertEquals(Map.of("extract", 1, "transform-failed", 1, "report", 1), HaCluster.counts(marks));
      assertEquals("CANCELLED", failed.path("tasks").get(2).path("state").asText(), "load never started");

      Files.writeString(gate, "");
      BatonProcess.Result cli = BatonProcess.run(dir, "rerun", "--url", leader, first);
      assertEquals(0, cli.exitCode(), cli.output());
      String second = cli.output().trim();
      JsonNode done = http.awaitState(second, "SUCCEEDED", Duration.ofSeconds(60));

      assertEquals(Map.of("extract", 1, "transform-failed", 1, "transform", 1, "load", 1, "report", 1),
          HaCluster.counts(marks), "extract and report ran once, in the first job only");
      assertEquals(first, done.path("rerunOf").asText());
      for (int t : new int[] {0, 3}) {
        JsonNode reused = done.path("tasks").get(t);
        assertEquals("SUCCEEDED", reused.path("state").asText());
        assertTrue(reused.path("attempts").get(0).path("message").asText().startsWith("reused: succeeded in job " + first),
            reused.toString());
      }
      assertEquals(1, done.path("tasks").get(1).path("attempts").size(), "transform ran once more, as attempt 1");
      JsonNode old = http.get("/api/v1/jobs/" + first);
      assertEquals(second, old.path("reruns").get(0).asText());

      assertEquals(409, http.send("POST", "/api/v1/jobs/" + second + "/rerun", null).statusCode(),
          "a job that succeeded has nothing to rerun");
    }
  }
}
