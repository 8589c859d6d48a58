package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/stats} reads the job gauges now, and answers on a real server. */
class StatsRoutesTest extends RestTestSupport {

  @Test
  void readsTheJobGaugesNow() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong queue = new AtomicLong(3);
    AtomicLong running = new AtomicLong(2);
    Gauge.builder("baton.placement.queue", queue, AtomicLong::get).register(registry);
    Gauge.builder("baton.tasks", running, AtomicLong::get).tag("state", "RUNNING").register(registry);
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T15:00:00Z"), ZoneOffset.UTC);
    StatsRoutes routes = new StatsRoutes(api, registry, clock);

    JsonNode stats = routes.stats();
    assertEquals(3, stats.path("placementQueue").asLong());
    assertEquals(2, stats.path("tasks").path("RUNNING").asLong());
    assertEquals(0, stats.path("tasks").path("PENDING").asLong(), "a gauge not registered reads 0");
    assertEquals("2026-11-28T15:00:00Z", stats.path("at").asText());
    queue.set(7);
    assertEquals(7, routes.stats().path("placementQueue").asLong(), "read at each call, not cached");
  }

  @Test
  void isServedUnderTheApi() {
    Response r = get("/api/v1/stats");
    assertEquals(200, r.status());
    JsonNode body = r.json();
    assertTrue(body.has("placementQueue") && body.path("jobs").has("RUNNING") && body.path("tasks").has("SCHEDULED"),
        r.body());
  }
}
