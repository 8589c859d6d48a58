package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} is served by this master itself and, with tokens configured, needs one of them (the read
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
