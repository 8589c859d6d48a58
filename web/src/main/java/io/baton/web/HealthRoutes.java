package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.baton.scheduler.api.MasterApi;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /healthz} (200 while the process serves HTTP) and {@code GET /readyz} (200 only on the leader
 * with workers registered, else 503). Mounted both at the root and under {@code /api/v1}. Stateless.
 */
final class HealthRoutes {
  private final MasterApi api;

  HealthRoutes(MasterApi api) {
    this.api = api;
  }

  Route route() {
    return concat(
        path("healthz", () -> get(() -> complete(Json.ok(Json.MAPPER.createObjectNode().put("status", "UP"))))),
        path("readyz", () -> get(() -> {
          if (api.ready()) {
            return complete(Json.ok(Json.MAPPER.createObjectNode().put("status", "READY")));
          }
          return complete(Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "not-ready", "Not ready",
              "this master is not the leader or no worker is registered yet").toResponse());
        })));
  }
}
