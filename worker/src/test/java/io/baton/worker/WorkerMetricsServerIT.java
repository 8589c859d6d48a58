package io.baton.worker;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.PrometheusText;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.worker.metrics.WorkerMetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's own {@code GET /metrics}: Prometheus text that parses, its registration and its attempts. */
class WorkerMetricsServerIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String LEADER = "pekko://baton@127.0.0.1:1";

  @TempDir Path dataDir;
  private final ActorTestKit kit = ActorTestKit.create();
  private final InMemoryHaServices ha = new InMemoryHaServices();
  private final HttpClient client = HttpClient.newHttpClient();
  private ActorSystem<WorkerAgent.Command> worker;
  private WorkerMetricsServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (worker != null) {
      worker.terminate();
      worker.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    kit.shutdownTestKit();
    ha.close();
  }

  @Test
  void servesTheWorkersRegistrationAndAttempts() throws Exception {
    TestingLeaderResolver resolver = new TestingLeaderResolver();
    TestProbe<ToLeader> leader = kit.createTestProbe(ToLeader.class);
    resolver.put(LEADER, leader.ref());
    worker = ActorSystem.create(WorkerAgent.create(WorkerSettings.defaults("w1", dataDir).withResources(2, 1024)
        .withHeartbeat(Duration.ofMillis(100), Duration.ofSeconds(60)), ha.leaderRetrieval(), resolver), "w1");
    server = WorkerMetricsServer.start("127.0.0.1", 0, worker);

    PrometheusText alone = scrape();
    assertEquals(0.0, alone.require("baton_worker_registered"), "no leader yet");
    assertTrue(alone.require("process_uptime_seconds") > 0);
    assertTrue(alone.samples().stream().anyMatch(s -> s.name().equals("jvm_memory_used_bytes")), "JVM binders");

    new TestingLeader(LEADER).start(ha.leaderElection(LEADER));
    List<ToLeader> seen = leader.fishForMessage(WAIT, m -> m instanceof ToLeader.RegisterWorker
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    ToLeader.RegisterWorker reg = (ToLeader.RegisterWorker) seen.get(seen.size() - 1);
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(),
        ha.leaderRetrieval().current().orElseThrow().sessionId(), reg.sentAtNanos()));
    PrometheusText registered = eventually("registered", WAIT, this::scrape,
        m -> m.require("baton_worker_registered") == 1.0);
    assertEquals((double) reg.epoch().value(), registered.require("baton_worker_leader_epoch"));

    AttemptKey key = new AttemptKey("job1", "t1", 1);
    reg.worker().tell(new ToWorker.StartAttempts(reg.epoch(),
        List.of(new AttemptSpec(key, TaskSpec.command("t1", List.of("/bin/sleep", "30"), List.of())))));
    PrometheusText running = eventually("the attempt runs", WAIT, this::scrape,
        m -> m.require("baton_worker_attempts", "state", "RUNNING") == 1.0);
    assertEquals(0.0, running.require("baton_worker_attempts", "state", "SUCCEEDED"));
    assertEquals("gauge", running.typeOf("baton_worker_attempts").orElseThrow());
  }

  @Test
  void answersOnlyGetMetrics() throws Exception {
    worker = ActorSystem.create(WorkerAgent.create(WorkerSettings.defaults("w2", dataDir), ha.leaderRetrieval(),
        new TestingLeaderResolver()), "w2");
    server = WorkerMetricsServer.start("127.0.0.1", 0, worker);
    assertEquals(404, send("GET", "/other").statusCode());
    assertEquals(405, send("POST", "/metrics").statusCode());
    HttpResponse<String> ok = send("GET", "/metrics");
    assertEquals(200, ok.statusCode());
    assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> r = send("GET", "/metrics");
    assertEquals(200, r.statusCode());
    return PrometheusText.parse(r.body());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
