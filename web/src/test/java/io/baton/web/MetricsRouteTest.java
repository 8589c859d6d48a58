package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} is served by this master itself (never forwarded: it is outside {@code /api/v1}) and, with
 * tokens configured, needs one of them (the read
 * token suffices: a Prometheus scrape config sends it as a bearer token). Its text is Micrometer's.
 */
class MetricsRouteTest extends RestTestSupport {
  private static final String WRITE = "write-secret";
  private static final String READ = "read-secret";

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(WRITE), 1024 * 1024, Duration.ofSeconds(5)).withReadToken(READ);
  }

  private Response getWith(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET().header("Authorization", "Bearer " + token));
  }

  @Test
  void metricsNeedAToken() {
    assertEquals(401, get("/metrics").status());
    assertEquals(401, getWith("/metrics", "wrong").status());
  }

  @Test
  void theReadTokenScrapes() {
    Response r = getWith("/metrics", READ);
    assertEquals(200, r.status());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
    assertTrue(r.body().contains("# TYPE jvm_memory_used_bytes gauge"), "JVM metrics are bound");
    assertTrue(r.body().contains("# TYPE baton_jobs_submitted_total counter"), "the job counters are registered");
  }

  @Test
  void aStandbyAnswersItselfAndIsNotForwarded() {
    // the leader is at a port nothing listens on: a forwarded request would come back 503 naming it
    api.setCluster(new ClusterView(
        Optional.of(new LeaderInfo(new Epoch(3), "sess", "pekko://baton@127.0.0.1:1", "http://127.0.0.1:1")),
        "http://127.0.0.1:2", false, List.of("http://127.0.0.1:1", "http://127.0.0.1:2"), "CONNECTED"));
    Response r = getWith("/metrics", READ);
    assertEquals(200, r.status());
    assertTrue(r.body().contains("baton_leader 0.0"), "this standby's own view");
    assertTrue(r.body().contains("baton_leader_epoch 3.0"), "the leader it knows of");
  }

  @Test
  void requestsAreCountedByRouteTemplateNeverByRawPath() {
    getWith("/api/v1/jobs/job-secret-id-42", READ);
    getWith("/api/v1/jobs/job-secret-id-42", READ);
    get("/api/v1/jobs");
    String text = getWith("/metrics", READ).body();
    assertTrue(text.contains("baton_http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/jobs/{id}\","
        + "status=\"404\"} 2"), text);
    assertTrue(text.contains("baton_http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/jobs\","
        + "status=\"401\"} 1"), text);
    assertFalse(text.contains("job-secret-id-42"), "no raw path in a label");
  }
}
