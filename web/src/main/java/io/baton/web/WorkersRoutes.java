package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.MasterApi.DrainResult;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/workers}, {@code POST /api/v1/workers/{id}/drain} and {@code …/undrain} (200 with the worker,
 * 404 unknown, 409 DEAD or, for undrain, stopping). Stateless; Pekko runs the route on its dispatcher.
 */
final class WorkersRoutes {
  private final MasterApi api;
  private final ApiCalls calls;

  WorkersRoutes(MasterApi api, ApiCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  Route route() {
    return concat(
        path("workers", () -> get(() ->
            onSuccess(calls.call(api::workers), workers -> complete(Json.ok(Json.workers(workers)))))),
        path(segment("workers").slash(segment()).slash("drain"), id -> post(() -> drain(id, true))),
        path(segment("workers").slash(segment()).slash("undrain"), id -> post(() -> drain(id, false))));
  }

  private Route drain(String workerId, boolean drain) {
    return onSuccess(calls.call(() -> api.drain(workerId, drain)), result -> {
      if (result instanceof DrainResult.Done done) {
        return complete(Json.ok(Json.worker(done.worker())));
      }
      if (result instanceof DrainResult.NotFound notFound) {
        return complete(Problem.notFound(notFound.detail()).toResponse());
      }
      return complete(Problem.conflict(((DrainResult.Conflict) result).detail()).toResponse());
    });
  }
}
