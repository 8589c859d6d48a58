package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.WorkerView;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.Test;

class ClusterWorkersHealthTest extends RestTestSupport {

  @Test
  void workersHaveTheSpecShape() {
    api.setWorkers(List.of(
        new WorkerView("w1", "host-a", "ALIVE", 8, 16384, 1.5, 512, Map.of("zone", "a"), 2,
            Instant.parse("2026-05-06T07:08:09.5Z")),
        new WorkerView("w2", "host-b", "DEAD", 2, 1024, 0, 0, Map.of(), 0, null)));
    Response r = get("/api/v1/workers");
    assertEquals(200, r.status());
    assertEquals("application/json", r.contentType());
    JsonNode w1 = r.json().get("workers").get(0);
    assertEquals(List.of("id", "host", "state", "cpus", "memoryMb", "cpusUsed", "memoryMbUsed", "labels",
        "runningAttempts", "lastHeartbeatAt"), JobsRoutesTest.fieldNames(w1));
    assertEquals("w1", w1.get("id").asText());
    assertEquals("host-a", w1.get("host").asText());
    assertEquals("ALIVE", w1.get("state").asText());
    assertEquals(8.0, w1.get("cpus").asDouble());
    assertEquals(16384, w1.get("memoryMb").asLong());
    assertEquals(1.5, w1.get("cpusUsed").asDouble());
    assertEquals(512, w1.get("memoryMbUsed").asLong());
    assertEquals("a", w1.get("labels").get("zone").asText());
    assertEquals(2, w1.get("runningAttempts").asInt());
    assertEquals("2026-05-06T07:08:09.500Z", w1.get("lastHeartbeatAt").asText());
    assertEquals("DEAD", r.json().get("workers").get(1).get("state").asText());
  }

  @Test
  void drainAndUndrainAnswerWithTheWorkerOr404Or409() {
    api.setWorkers(List.of(
        new WorkerView("w1", "host-a", "ALIVE", 8, 16384, 1.5, 512, Map.of(), 2, Instant.parse("2026-05-06T07:08:09Z")),
        new WorkerView("w2", "host-b", "DEAD", 2, 1024, 0, 0, Map.of(), 0, null)));
    Response drained = postJson("/api/v1/workers/w1/drain", "");
    assertEquals(200, drained.status(), drained.body());
    assertEquals("w1", drained.json().get("id").asText());
    assertEquals("DRAINING", drained.json().get("state").asText());
    assertEquals("DRAINING", get("/api/v1/workers").json().get("workers").get(0).get("state").asText());

    Response undrained = postJson("/api/v1/workers/w1/undrain", "");
    assertEquals(200, undrained.status(), undrained.body());
    assertEquals("ALIVE", undrained.json().get("state").asText());

    postJson("/api/v1/workers/nobody/drain", "").assertProblem(404, "nobody");
    postJson("/api/v1/workers/w2/drain", "").assertProblem(409, "DEAD");
    assertEquals(405, get("/api/v1/workers/w1/drain").status());
  }

  @Test
  void stepDownHandsOverOrSaysThereIsNoStandby() {
    api.setStepDown(new io.baton.scheduler.api.MasterApi.StepDownResult.HandedOver(new Epoch(4)));
    Response handed = postJson("/api/v1/cluster/step-down", "");
    assertEquals(202, handed.status(), handed.body());
    assertEquals(4, handed.json().get("steppedDown").asLong());
    assertEquals(api.cluster().selfRestUrl(), handed.json().get("from").asText());

    api.setStepDown(new io.baton.scheduler.api.MasterApi.StepDownResult.NoStandby());
    Response alone = postJson("/api/v1/cluster/step-down", "");
    assertEquals(409, alone.status());
    assertTrue(alone.json().get("detail").asText().contains("start a standby"), alone.body());
    assertEquals(405, get("/api/v1/cluster/step-down").status(), "a read cannot step the leader down");
  }

  @Test
  void clusterShowsLeaderSelfMastersAndZooKeeper() {
    api.setCluster(new ClusterView(
        Optional.of(new LeaderInfo(new Epoch(3), "sess", "pekko://baton@10.0.0.1:2552", "http://10.0.0.1:8080")),
        "http://10.0.0.2:8080", false, List.of("http://10.0.0.1:8080", "http://10.0.0.2:8080"), "CONNECTED"));
    JsonNode c = get("/api/v1/cluster").json();
    assertEquals(3, c.get("leader").get("epoch").asLong());
    assertEquals("pekko://baton@10.0.0.1:2552", c.get("leader").get("address").asText());
    assertEquals("http://10.0.0.1:8080", c.get("leader").get("restUrl").asText());
    assertEquals("http://10.0.0.2:8080", c.get("self").get("restUrl").asText());
    assertEquals(false, c.get("self").get("isLeader").asBoolean());
    assertEquals(2, c.get("masters").size());
    assertEquals("CONNECTED", c.get("zookeeper").asText());

    api.setCluster(new ClusterView(Optional.empty(), "http://x:1", false, List.of(), "SUSPENDED"));
    JsonNode none = get("/api/v1/cluster").json();
    assertTrue(none.get("leader").isNull());
    assertEquals("SUSPENDED", none.get("zookeeper").asText());
  }

  @Test
  void clusterAnswersEvenWhenNotLeader() {
    api.notLeader(Optional.empty());
    assertEquals(200, get("/api/v1/cluster").status());
  }

  @Test
  void healthAndReadiness() {
    for (String prefix : List.of("", "/api/v1")) {
      Response health = get(prefix + "/healthz");
      assertEquals(200, health.status());
      assertEquals("UP", health.json().get("status").asText());
      api.setReady(false);
      get(prefix + "/readyz").assertProblem(503, "not the leader or no worker");
      api.setReady(true);
      assertEquals(200, get(prefix + "/readyz").status());
    }
  }

  @Test
  void healthFailsOnceTheZooKeeperSessionIsLostAndRecovers() {
    for (String state : List.of("LOST", "NONE")) {
      api.setCluster(new ClusterView(Optional.empty(), "http://x:1", false, List.of(), state));
      for (String prefix : List.of("", "/api/v1")) {
        get(prefix + "/healthz").assertProblem(503, "ZooKeeper connection is " + state);
      }
    }
    // a suspended connection may come back within the session: still healthy
    api.setCluster(new ClusterView(Optional.empty(), "http://x:1", false, List.of(), "SUSPENDED"));
    assertEquals(200, get("/healthz").status());
  }

  @Test
  void healthFailsWhenTheActorSystemIsGone() {
    ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), "doomed");
    Route route = RestServer.routes(other, settings(), api);
    other.terminate();
    other.getWhenTerminated().toCompletableFuture().join();
    // the route of a terminated system, run on the live test system's server
    ServerBinding binding = Http.get(system)
        .newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().join();
    try {
      Response r = send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + binding.localAddress().getPort() + "/healthz")).GET());
      r.assertProblem(503, "actor system has terminated");
    } finally {
      binding.unbind().toCompletableFuture().join();
    }
  }
}
