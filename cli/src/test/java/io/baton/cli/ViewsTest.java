package io.baton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.client.BatonClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The human views as pure functions of a REST answer and the time now. */
class ViewsTest {
  private static final Instant NOW = Instant.parse("2026-11-28T10:00:10Z");

  private static JsonNode json(String s) throws Exception {
    return BatonClient.JSON.readTree(s.replace('\'', '"'));
  }

  private static List<String> render(java.util.function.Consumer<PrintWriter> view) {
    StringWriter out = new StringWriter();
    view.accept(new PrintWriter(out));
    return out.toString().lines().toList();
  }

  @Test
  void aJobShowsWhyATaskFailedWaitsOrNeverStarted() throws Exception {
    JsonNode job = json("{'id': 'j1', 'name': 'etl', 'state': 'RUNNING', 'tasksTotal': 4, 'tasksSucceeded': 0,"
        + " 'labels': {}, 'submittedAt': '2026-11-28T10:00:00Z', 'startedAt': '2026-11-28T10:00:01Z', 'finishedAt': null,"
        + " 'tasks': ["
        + "  {'id': 'a', 'state': 'FAILED', 'retryAt': '2026-11-28T10:00:12Z', 'dependsOn': [], 'attempts': ["
        + "    {'attempt': 1, 'state': 'FAILED', 'workerId': 'w1', 'exitCode': 3, 'startedAt': '2026-11-28T10:00:01Z',"
        + "     'finishedAt': '2026-11-28T10:00:01.250Z', 'message': 'exit code 3'}]},"
        + "  {'id': 'b', 'state': 'RUNNING', 'dependsOn': [], 'attempts': [{'attempt': 1, 'state': 'RUNNING',"
        + "     'workerId': 'w2', 'exitCode': null, 'startedAt': '2026-11-28T09:58:00Z', 'finishedAt': null}]},"
        + "  {'id': 'c', 'state': 'PENDING', 'dependsOn': ['a', 'b'], 'attempts': []},"
        + "  {'id': 'd', 'state': 'CANCELLED', 'dependsOn': [], 'attempts': []}]}");
    List<String> lines = render(out -> Views.job(job, false, NOW, out));
    assertEquals("job j1  etl  RUNNING  0/4 tasks succeeded", lines.get(0));
    assertEquals("submitted 2026-11-28T10:00:00Z, started 2026-11-28T10:00:01Z, running for 9.0 s", lines.get(1));
    assertEquals("", lines.get(2));
    assertEquals(List.of(
        "TASK  STATE      ATTEMPTS  WORKER  EXIT  DURATION  MESSAGE",
        "a     FAILED     1         w1      3     250 ms    exit code 3; retry at 2026-11-28T10:00:12Z",
        "b     RUNNING    1         w2      -     2m10s",
        "c     PENDING    0         -       -     -         waits for a, b",
        "d     CANCELLED  0         -       -     -         never started"), lines.subList(3, 8));
  }

  @Test
  void aShardedTaskIsOneRowWithItsShardsCountedAndOnlyTheShardsThatDidNotSucceedBelowIt() throws Exception {
    String attempt = "{'attempt': 1, 'state': 'SUCCEEDED', 'workerId': 'w1', 'exitCode': 0,"
        + " 'startedAt': '2026-11-28T10:00:01Z', 'finishedAt': '2026-11-28T10:00:02Z'}";
    JsonNode job = json("{'id': 'j1', 'name': 'sum', 'state': 'RUNNING', 'tasksTotal': 3, 'tasksSucceeded': 2,"
        + " 'labels': {}, 'submittedAt': '2026-11-28T10:00:00Z', 'startedAt': '2026-11-28T10:00:01Z', 'finishedAt': null,"
        + " 'tasks': [{'id': 'part', 'state': 'RUNNING', 'dependsOn': [], 'attempts': [], 'shards': 3,"
        + "  'shardStates': [{'shard': 0, 'state': 'SUCCEEDED', 'attempts': [" + attempt + "]},"
        + "   {'shard': 1, 'state': 'SUCCEEDED', 'attempts': [" + attempt + "]},"
        + "   {'shard': 2, 'state': 'RUNNING', 'attempts': [{'attempt': 1, 'state': 'RUNNING', 'workerId': 'w2',"
        + "    'exitCode': null, 'startedAt': '2026-11-28T10:00:08Z', 'finishedAt': null}]}]}]}");
    List<String> lines = render(out -> Views.job(job, false, NOW, out));
    assertEquals(List.of(
        "TASK  STATE    ATTEMPTS  WORKER  EXIT  DURATION  MESSAGE",
        "part  RUNNING  3         -       -     -         3 shards: 1 RUNNING, 2 SUCCEEDED",
        "  #2  RUNNING  1         w2      -     2.0 s"), lines.subList(3, 6));
    assertEquals(6, lines.size());
    assertEquals(1 + 3 + 3 + 1, render(out -> Views.job(job, true, NOW, out)).size(), "wide: every shard's attempts");
  }

  @Test
  void durations() {
    assertEquals(List.of("0 ms", "999 ms", "1.0 s", "59.9 s", "1m00s", "59m59s", "1h00m", "26h03m"),
        List.of(Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(1), Duration.ofMillis(59_949),
            Duration.ofSeconds(60), Duration.ofSeconds(3599), Duration.ofHours(1), Duration.ofMinutes(26 * 60 + 3))
            .stream().map(Views::format).toList());
  }

  @Test
  void workersShowUsedOverTotalAndTheHeartbeatsAge() throws Exception {
    JsonNode workers = json("{'workers': [{'id': 'w1', 'host': 'h', 'state': 'ALIVE', 'cpus': 4.0, 'cpusUsed': 1.5,"
        + " 'memoryMb': 2048, 'memoryMbUsed': 512, 'runningAttempts': 2, 'labels': {'zone': 'a'},"
        + " 'lastHeartbeatAt': '2026-11-28T10:00:09.600Z'}]}");
    assertEquals(List.of("ID  HOST  STATE  CPUS   MEMORY MB  RUNNING  HEARTBEAT   LABELS",
        "w1  h     ALIVE  1.5/4  512/2048   2        400 ms ago  zone=a"),
        render(out -> Views.workers(workers, true, NOW, out)));
    JsonNode none = json("{'workers': []}");
    assertEquals(List.of("no workers registered"), render(out -> Views.workers(none, false, NOW, out)));
  }

  @Test
  void aClusterWithoutALeaderSaysAnElectionIsUnderWay() throws Exception {
    JsonNode cluster = json("{'leader': null, 'self': {'restUrl': 'http://m2:8080', 'isLeader': false},"
        + " 'masters': ['http://m2:8080'], 'zookeeper': 'CONNECTED', 'quarantined': []}");
    assertEquals(List.of("leader       none: an election is under way", "answered by  http://m2:8080  (a standby)",
        "masters      http://m2:8080", "zookeeper    CONNECTED", "quarantined  none"),
        render(out -> Views.cluster(cluster, false, out)));
  }
}
