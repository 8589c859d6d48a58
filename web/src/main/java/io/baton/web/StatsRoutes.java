package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.scheduler.api.MasterApi;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/stats}: what the cluster holds now, read from the leader's job gauges (the ones
 * {@code /metrics} shows): {@code placementQueue} (tasks ready and waiting for a worker), unfinished {@code jobs}
 * and their {@code tasks} by state, {@code leader} (whether the master that answered leads: a standby forwards
 * this route, so it is false only while no leader is known). The web page samples it for its queue-depth chart.
 * Stateless; any thread.
 */
final class StatsRoutes {
  private static final List<String> JOB_STATES = List.of("PENDING", "RUNNING");
  private static final List<String> TASK_STATES = List.of("PENDING", "SCHEDULED", "RUNNING");

  private final MasterApi api;
  private final MeterRegistry registry;
  private final Clock clock;

  StatsRoutes(MasterApi api, MeterRegistry registry, Clock clock) {
    this.api = api;
    this.registry = registry;
    this.clock = clock;
  }

  Route route() {
    return path("stats", () -> get(() -> complete(Json.ok(stats()))));
  }

  ObjectNode stats() {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("at", Json.time(clock.instant()));
    node.put("leader", api.cluster().selfIsLeader());
    node.put("placementQueue", gauge("baton.placement.queue", null));
    ObjectNode jobs = node.putObject("jobs");
    JOB_STATES.forEach(s -> jobs.put(s, gauge("baton.jobs", s)));
    ObjectNode tasks = node.putObject("tasks");
    TASK_STATES.forEach(s -> tasks.put(s, gauge("baton.tasks", s)));
    return node;
  }

  private long gauge(String name, String state) {
    Gauge g = state == null ? registry.find(name).gauge() : registry.find(name).tag("state", state).gauge();
    return g == null ? 0 : Math.round(g.value());
  }
}
