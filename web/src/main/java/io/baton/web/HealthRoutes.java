package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.baton.scheduler.api.MasterApi;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /healthz} (200 while this master can work: its actor system runs and its ZooKeeper session is not
 * lost; else 503 saying which) and {@code GET /readyz} (200 only on the leader
 * with workers registered, else 503). Mounted both at the root and under {@code /api/v1}. Stateless.
 */
final class HealthRoutes {
  private final MasterApi api;
  private final BooleanSupplier systemAlive;

  HealthRoutes(MasterApi api, BooleanSupplier systemAlive) {
    this.api = api;
    this.systemAlive = systemAlive;
  }

  /** Why this master is unhealthy, or empty when it is healthy. */
  private Optional<String> unhealthy() {
    if (!systemAlive.getAsBoolean()) {
      return Optional.of("the actor system has terminated");
    }
    String zookeeper = api.cluster().zookeeper();
    if (zookeeper.equals("LOST") || zookeeper.equals("NONE")) {
      return Optional.of("the ZooKeeper connection is " + zookeeper);
    }
    return Optional.empty();
  }

  Route route() {
    return concat(
        path("healthz", () -> get(() -> unhealthy()
            .map(why -> complete(Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "unhealthy", "Unhealthy", why).toResponse()))
            .orElseGet(() -> complete(Json.ok(Json.MAPPER.createObjectNode().put("status", "UP")))))),
        path("readyz", () -> get(() -> {
          if (api.ready()) {
            return complete(Json.ok(Json.MAPPER.createObjectNode().put("status", "READY")));
          }
          return complete(Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "not-ready", "Not ready",
              "this master is not the leader or no worker is registered yet").toResponse());
        })));
  }
}
