package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.baton.scheduler.api.MasterApi;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/workers}. Stateless; Pekko runs the route on its dispatcher. */
final class WorkersRoutes {
  private final MasterApi api;
  private final ApiCalls calls;

  WorkersRoutes(MasterApi api, ApiCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  Route route() {
    return path("workers", () -> get(() ->
        onSuccess(calls.call(api::workers), workers -> complete(Json.ok(Json.workers(workers))))));
  }
}
