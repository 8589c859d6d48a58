package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.MasterApi.StepDownResult;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/cluster}: answered locally on every master, leader or not. {@code POST
 * /api/v1/cluster/step-down}: a planned handover, on the leader (a standby forwards it there): 202 with the epoch
 * given up, 409 when no other master contends. Stateless.
 */
final class ClusterRoutes {
  private final MasterApi api;
  private final ApiCalls calls;

  ClusterRoutes(MasterApi api, ApiCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  Route route() {
    return concat(
        path("cluster", () -> get(() -> complete(Json.ok(Json.cluster(api.cluster()))))),
        path(segment("cluster").slash("step-down"), () -> post(() -> onSuccess(calls.call(api::stepDown), result -> {
          if (result instanceof StepDownResult.HandedOver handed) {
            return complete(Json.response(StatusCodes.ACCEPTED, Json.MAPPER.createObjectNode()
                .put("steppedDown", handed.epoch().value()).put("from", api.cluster().selfRestUrl())));
          }
          return complete(Problem.conflict("no other master contends for leadership: start a standby before "
              + "stepping down (this master keeps leading)").toResponse());
        }))));
  }
}
