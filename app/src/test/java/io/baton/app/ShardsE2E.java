package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded tasks and their results on real processes: the seed example (split, a 4-shard partial sum, reduce) on two
 * workers against a sum this test computes itself; a shard's worker killed with {@code kill -9} reruns that shard
 * alone; a leader failover in the middle of a 20-shard task adopts the running shards and loses no result. Checked
 * by what the shards themselves wrote and by the results the cluster serves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardsE2E {
  /**
   * One cluster for the three (two masters, two 2-cpu workers, a 4 s session), in this order: the example, then the
   * leader's kill -9 mid 20 shards, then a worker's kill -9 under the new leader. Each starts from two live workers.
   */
  @TempDir static Path dir;
  private static HaCluster c;
  private static String leader;

  @BeforeAll
  static void startCluster() throws Exception {
    c = new HaCluster(dir, Duration.ofSeconds(4));
    leader = c.startWithTwoMasters(List.of("w1", "w2"), id -> new String[0]);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (c != null) {
      c.close();
    }
  }

  @Test
  @Order(1)
  void theSeedExampleSplitsSumsFourShardsOnTwoWorkersAndReduces() throws Exception {
    long expected = 0;
    for (long i = 1; i <= 1000; i++) {
      expected += (i * i) % 1009; // what the example's split writes, one number a line
    }
    String spec = Files.readString(BatonProcess.HOME.resolve("docs/examples/partial-sum.json"));
    Http http = new Http(leader);

    String job = http.submit(spec);
    JsonNode done = http.awaitState(job, "SUCCEEDED", Duration.ofSeconds(90));

    JsonNode sharded = done.path("tasks").get(1);
    assertEquals("partial-sum", sharded.path("id").asText());
    assertEquals(4, sharded.path("shards").asInt());
    assertEquals(4, sharded.path("shardStates").size());
    Set<String> workers = new HashSet<>();
    sharded.path("shardStates").forEach(s -> workers.add(s.path("attempts").get(0).path("workerId").asText()));
    assertEquals(Set.of("w1", "w2"), workers, "the shards were placed on both workers");

    JsonNode partials = http.get("/api/v1/jobs/" + job + "/tasks/partial-sum/result").path("results");
    assertEquals(4, partials.size());
    long sumOfPartials = 0;
    for (int s = 0; s < 4; s++) {
      assertEquals(s, partials.get(s).path("shard").asInt());
      sumOfPartials += Long.parseLong(partials.get(s).path("result").asText().trim());
    }
    assertEquals(expected, sumOfPartials);

    JsonNode reduce = http.get("/api/v1/jobs/" + job + "/tasks/reduce/result").path("results").get(0);
    assertEquals(expected, reduce.path("json").asLong(), reduce.toString());
    String log = http.send("GET", "/api/v1/jobs/" + job + "/tasks/reduce/log", null).body();
    assertTrue(log.contains("total " + expected + " from 4 partial sums"), log);
  }

  /** A shard that marks its start, runs {@code seconds} as its first attempt, and leaves its index as result. */
  private static String shardedTask(String id, int shards, double cpus, int seconds, Path marks) {
    String script = "echo \\\"$BATON_TASK_ID $BATON_ATTEMPT $BATON_WORKER_ID\\\" >> " + marks + ";"
        + " [ \\\"$BATON_ATTEMPT\\\" = 1 ] && sleep " + seconds + ";"
        + " echo $BATON_SHARD_INDEX > \\\"$BATON_RESULT\\\"";
    return "{\"id\":\"" + id + "\",\"shards\":" + shards + ",\"cpus\":" + cpus
        + ",\"retries\":2,\"command\":[\"/bin/sh\",\"-c\",\"" + script + "\"]}";
  }

  private static List<String> awaitMarks(Path marks, int count) {
    return eventually(count + " lines in " + marks, Duration.ofSeconds(60),
        () -> Files.exists(marks) ? Files.readAllLines(marks) : List.<String>of(), l -> l.size() >= count);
  }

  @Test
  @Order(3)
  void aShardWhoseWorkerIsKilledRunsAgainAloneAndItsResultStillReachesTheDependent() throws Exception {
    Path marks = dir.resolve("marks-two.txt");
    Http http = new Http(leader);
    // one shard fills a worker (2 cpus): one shard on each
    String job = http.submit("{\"name\":\"two-shards\",\"tasks\":[" + shardedTask("part", 2, 2, 6, marks)
        + ",{\"id\":\"join\",\"dependsOn\":[\"part\"],\"command\":[\"/bin/sh\",\"-c\","
        + "\"cat \\\"$BATON_INPUTS\\\"/part/* | tr '\\\\n' ' ' > \\\"$BATON_RESULT\\\"\"]}]}");
    List<String> started = awaitMarks(marks, 2);
    String victimShard = started.stream().filter(l -> l.endsWith(" w1")).findFirst().orElseThrow().split(" ")[0];

    c.workers.get("w1").kill9();
    JsonNode done = http.awaitState(job, "SUCCEEDED", Duration.ofSeconds(120));

    for (JsonNode shard : done.path("tasks").get(0).path("shardStates")) {
      JsonNode attempts = shard.path("attempts");
      String unit = "part#" + shard.path("shard").asInt();
      if (unit.equals(victimShard)) {
        assertEquals(2, attempts.size(), shard.toString());
        assertEquals("LOST", attempts.get(0).path("state").asText());
        assertEquals("w2", attempts.get(1).path("workerId").asText());
      } else {
        assertEquals(1, attempts.size(), "the other shard ran once: " + shard);
      }
    }
    Map<String, Integer> runs = new HashMap<>();
    Files.readAllLines(marks).forEach(l -> runs.merge(l.split(" ")[0], 1, Integer::sum));
    assertEquals(Map.of("part#0", victimShard.equals("part#0") ? 2 : 1, "part#1", victimShard.equals("part#1") ? 2 : 1),
        runs, "only the killed worker's shard ran again");
    JsonNode join = http.get("/api/v1/jobs/" + job + "/tasks/join/result").path("results").get(0);
    assertEquals("0 1", join.path("result").asText().trim(), "both shards' results reached the dependent");
  }

  @Test
  @Order(2)
  void aLeaderFailoverInTheMiddleOfTwentyShardsAdoptsTheRunningOnesAndLosesNoResult() throws Exception {
    Path marks = dir.resolve("marks-twenty.txt");
    // 0.5 cpu each: 8 shards run at a time on the two workers, for 6 s each
    String job = new Http(leader).submit("{\"name\":\"twenty\",\"tasks\":[" + shardedTask("s", 20, 0.5, 6, marks)
        + "]}");
    awaitMarks(marks, 8);

    c.masters.get(leader).kill9();
    String old = leader;
    String next = eventually("a new leader", Duration.ofSeconds(60), () -> c.awaitLeader(Duration.ofSeconds(30)),
        l -> !l.equals(old));
    leader = next; // the next test runs under it
    c.awaitWorkers(next, 2, Duration.ofSeconds(30));
    Http http = new Http(next);
    JsonNode done = http.awaitState(job, "SUCCEEDED", Duration.ofSeconds(180));

    JsonNode shards = done.path("tasks").get(0).path("shardStates");
    assertEquals(20, shards.size());
    List<String> rerun = new ArrayList<>();
    shards.forEach(s -> {
      if (s.path("attempts").size() != 1) {
        rerun.add(s.toString());
      }
    });
    assertEquals(List.of(), rerun, "every shard ran once: the running ones were adopted, not started again");
    assertEquals(20, Files.readAllLines(marks).size(), "20 starts in all");
    JsonNode results = http.get("/api/v1/jobs/" + job + "/tasks/s/result").path("results");
    assertEquals(20, results.size(), results.toString());
    for (int s = 0; s < 20; s++) {
      assertEquals(s, results.get(s).path("shard").asInt());
      assertEquals(Integer.toString(s), results.get(s).path("result").asText().trim(), "no result lost");
    }
  }
}
