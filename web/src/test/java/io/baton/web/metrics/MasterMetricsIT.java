package io.baton.web.metrics;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.baton.ha.HaServices;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.scheduler.MasterGuardian;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.PrometheusText;
import io.baton.web.RestServer;
import io.baton.web.RestSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real leader (MasterGuardian, its session and dispatcher, over in-memory HA) behind a real REST server: work
 * done through the API moves the counters that {@code GET /metrics} shows, and the text parses with the
 * Prometheus text-format parser.
 */
class MasterMetricsIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(Duration.ofMillis(100),
      Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1), Duration.ofSeconds(3));
  private static final String JOB = """
      {"name": "metered", "tasks": [{"id": "a", "command": ["/bin/true"]}, {"id": "b", "command": ["/bin/true"],
       "dependsOn": ["a"]}]}""";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final InMemoryHaServices ha = new InMemoryHaServices();
  private ActorSystem<MasterGuardian.Command> system;
  private RestServer server;
  private String url;

  @BeforeEach
  void start() throws Exception {
    MasterMetrics metrics = new MasterMetrics();
    HaServices metered = metrics.meter(ha);
    CompletableFuture<DefaultMasterApi> apiReady = new CompletableFuture<>();
    system = ActorSystem.create(Behaviors.setup(ctx -> {
      DefaultMasterApi api = new DefaultMasterApi(ctx.getSystem(), SETTINGS, metered);
      apiReady.complete(api);
      return MasterGuardian.create(metered, SETTINGS, api, Clock.systemUTC());
    }), "metrics-it", ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    DefaultMasterApi api = apiReady.get(30, TimeUnit.SECONDS);
    server = RestServer.start(system, new RestSettings("127.0.0.1", 0, Optional.empty(), 1 << 20,
        Duration.ofSeconds(5)), api, metrics).toCompletableFuture().get(30, TimeUnit.SECONDS);
    url = "http://127.0.0.1:" + server.port();
    system.tell(new MasterGuardian.Start(url));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    ha.close();
  }

  @Test
  void countersMoveWithTheWork() throws Exception {
    eventually("the leader serves", WAIT, () -> send("GET", "/api/v1/jobs", null).statusCode(), s -> s == 200);
    PrometheusText before = scrape();
    assertEquals(1.0, before.require("baton_leadership_grants_total"));
    assertEquals("counter", before.typeOf("baton_leadership_grants_total").orElseThrow());
    double epoch = before.require("baton_leadership_epoch");
    assertTrue(epoch > 0, "leads in epoch " + epoch);
    assertEquals(epoch, before.require("baton_leader_epoch"), "the published leader is this master");
    assertEquals(1.0, before.require("baton_leader"));
    assertEquals(1.0, before.require("baton_zookeeper_state", "state", "CONNECTED"));
    assertEquals(0.0, before.require("baton_zookeeper_state", "state", "LOST"));
    assertEquals(0.0, before.require("baton_jobs_submitted_total"));
    assertTrue(before.samples().stream().anyMatch(s -> s.name().equals("jvm_memory_used_bytes")), "JVM binders");
    assertTrue(before.require("process_uptime_seconds") > 0);

    HttpResponse<String> submitted = send("POST", "/api/v1/jobs", JOB);
    assertEquals(201, submitted.statusCode(), submitted.body());
    String id = MAPPER.readTree(submitted.body()).get("id").asText();
    PrometheusText queued = eventually("the submit counted", WAIT, this::scrape,
        m -> m.require("baton_jobs_submitted_total") == 1.0);
    // taken up by its JobMaster (RUNNING), its tasks wait: a for a worker, b for a
    assertEquals(1.0, queued.require("baton_jobs", "state", "RUNNING"));
    assertEquals(0.0, queued.require("baton_jobs", "state", "PENDING"));
    assertEquals(2.0, queued.require("baton_tasks", "state", "PENDING"));
    assertEquals(1.0, queued.require("baton_placement_queue_tasks"), "a waits for a worker, b for a");
    assertTrue(queued.require("baton_store_write_seconds_count", "op", "put", "outcome", "ok") >= 1,
        "the job was written");
    assertEquals("histogram", queued.typeOf("baton_store_write_seconds_bucket").orElseThrow());
    assertEquals(0.0, queued.require("baton_store_write_batch_writes_count"), "the in-memory store does not batch");
    assertEquals(1.0, queued.require("baton_http_server_requests_seconds_count", "route", "/api/v1/jobs",
        "method", "POST", "status", "201"));
    assertEquals(0.0, queued.require("baton_workers", "state", "ALIVE"));

    assertEquals(202, send("POST", "/api/v1/jobs/" + id + "/cancel", null).statusCode());
    PrometheusText cancelled = eventually("the cancel counted", WAIT, this::scrape,
        m -> m.require("baton_jobs_finished_total", "state", "CANCELLED") == 1.0);
    assertEquals(0.0, cancelled.require("baton_jobs", "state", "RUNNING"));
    assertEquals(0.0, cancelled.require("baton_tasks", "state", "PENDING"));
    assertEquals(0.0, cancelled.require("baton_placement_queue_tasks"));
    assertEquals(0.0, cancelled.require("baton_jobs_finished_total", "state", "SUCCEEDED"));
    assertEquals(1.0, cancelled.require("baton_job_finish_latency_seconds_count"));
    assertEquals(1.0, cancelled.require("baton_job_finish_latency_seconds_bucket", "le", "+Inf"));
    assertEquals(0.0, cancelled.require("baton_job_start_latency_seconds_count"), "no attempt ever ran");
    assertEquals(1.0, cancelled.require("baton_http_server_requests_seconds_count",
        "route", "/api/v1/jobs/{id}/cancel", "method", "POST", "status", "202"));
    assertEquals(1.0, cancelled.require("baton_jobs_submitted_total"), "still one");

    send("GET", "/api/v1/jobs/" + id, null);
    String text = send("GET", "/metrics", null).body();
    assertFalse(text.contains(id), "no job id in any label");
  }

  private PrometheusText scrape() throws Exception {
    HttpResponse<String> r = send("GET", "/metrics", null);
    assertEquals(200, r.statusCode());
    return PrometheusText.parse(r.body());
  }

  private HttpResponse<String> send(String method, String path, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10));
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
