package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.baton.scheduler.api.MasterApi;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/cluster}: answered locally on every master, leader or not. Stateless. */
final class ClusterRoutes {
  private final MasterApi api;

  ClusterRoutes(MasterApi api) {
    this.api = api;
  }

  Route route() {
    return path("cluster", () -> get(() -> complete(Json.ok(Json.cluster(api.cluster())))));
  }
}
