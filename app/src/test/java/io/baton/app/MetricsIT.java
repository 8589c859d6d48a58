package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.testkit.PrometheusText;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master and a worker as {@code Nodes} starts them (in-memory HA, plaintext Artery, one JVM): jobs that run on the
 * worker move the master's job, attempt, latency and worker metrics, parsed with the Prometheus parser.
 */
class MetricsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void jobsRunOnAWorkerMoveTheMastersCounters() throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("baton.rest.port", 0, "baton.insecure", true,
        "baton.data-dir", dir.toString())).withFallback(ConfigFactory.load());
    Settings settings = new Settings(config);
    InMemoryHaServices ha = new InMemoryHaServices();
    try (Nodes.Master master = Nodes.startMaster(config, settings, ha, 0, Optional.empty())) {
      ActorSystem<WorkerAgent.Command> worker = Nodes.startWorker(config,
          WorkerSettings.defaults("w1", dir.resolve("w1")).withHost("127.0.0.1").withResources(2, 1024)
              .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(10)), ha, 0, Optional.empty());
      try {
        String url = master.restUrl();
        eventually("a worker is ALIVE", WAIT, () -> scrape(url),
            m -> m.require("baton_workers", "state", "ALIVE") == 1.0);
        for (int i = 0; i < 5; i++) {
          String exit = i == 4 ? "1" : "0";
          HttpResponse<String> r = post(url + "/api/v1/jobs", "{\"name\":\"m" + i + "\",\"tasks\":[{\"id\":\"a\","
              + "\"command\":[\"/bin/sh\",\"-c\",\"exit " + exit + "\"]}]}");
          assertEquals(201, r.statusCode(), r.body());
        }
        PrometheusText done = eventually("five jobs finished", WAIT, () -> scrape(url),
            m -> m.require("baton_jobs_finished_total", "state", "SUCCEEDED")
                + m.require("baton_jobs_finished_total", "state", "FAILED") == 5.0
                // attempt counters move on their own events, which may come a scrape later than the job's
                && m.require("baton_attempts_finished_total", "state", "SUCCEEDED")
                + m.require("baton_attempts_finished_total", "state", "FAILED") == 5.0
                // a scrape reads each meter in turn while the meter actor updates them: one may lag the counter
                && m.require("baton_job_finish_latency_seconds_count") == 5.0);
        assertEquals(5.0, done.require("baton_jobs_submitted_total"));
        assertEquals(4.0, done.require("baton_jobs_finished_total", "state", "SUCCEEDED"));
        assertEquals(1.0, done.require("baton_jobs_finished_total", "state", "FAILED"));
        assertEquals(5.0, done.require("baton_attempts_started_total"));
        assertEquals(4.0, done.require("baton_attempts_finished_total", "state", "SUCCEEDED"));
        assertEquals(1.0, done.require("baton_attempts_finished_total", "state", "FAILED"));
        assertEquals(5.0, done.require("baton_job_start_latency_seconds_count"));
        assertEquals(5.0, done.require("baton_job_finish_latency_seconds_count"));
        assertEquals(0.0, done.require("baton_jobs", "state", "RUNNING"));
        assertEquals(2.0, done.require("baton_workers_cpus_offered"));
        assertTrue(done.require("baton_workers_heartbeat_lag_seconds") < 10, "a live worker's lag");
        assertTrue(done.require("baton_store_write_seconds_count", "op", "put", "outcome", "ok") >= 10);
        assertEquals(5.0, done.require("baton_http_server_requests_seconds_count", "route", "/api/v1/jobs",
            "method", "POST", "status", "201"));
      } finally {
        worker.terminate();
        worker.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
    } finally {
      ha.close();
    }
  }

  private PrometheusText scrape(String url) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return PrometheusText.parse(r.body());
  }

  private HttpResponse<String> post(String uri, String json) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
