package io.baton.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTemplatesTest {

  @ParameterizedTest
  @CsvSource({
      "/, /",
      "/metrics, /metrics",
      "/healthz, /healthz",
      "/assets/app.js, /assets/{file}",
      "/api/v1/jobs, /api/v1/jobs",
      "/api/v1/jobs/job-000123, /api/v1/jobs/{id}",
      "/api/v1/jobs/job-000123/cancel, /api/v1/jobs/{id}/cancel",
      "/api/v1/jobs/j1/tasks/extract/log, /api/v1/jobs/{id}/tasks/{taskId}/log",
      "/api/v1/jobs/j1/tasks/extract/result, /api/v1/jobs/{id}/tasks/{taskId}/result",
      "/api/v1/schedules/nightly/trigger, /api/v1/schedules/{name}/trigger",
      "/api/v1/workers/w-7/drain, /api/v1/workers/{id}/drain",
      "/api/v1/cluster, /api/v1/cluster",
      "/api/v1/cluster/step-down, /api/v1/cluster/step-down",
      "/api/v1/events, /api/v1/events",
      "/api/v1/stats, /api/v1/stats",
      "/vendor/uplot/uPlot.esm.js, /vendor/uplot/{file}",
      // anything Baton does not serve collapses, so a scanner cannot grow the label set
      "/api/v1/cluster/xyz, other",
      "/api/v1/jobs/j1/whatever, other",
      "/api/v1/jobs/j1/tasks/t/log/more, other",
      "/api/v1/nope/1, other",
      "/api/v1/jobs/, other",
      "/wp-login.php, other",
  })
  void pathsBecomeTemplates(String path, String route) {
    assertEquals(route, RouteTemplates.of(path));
  }
}
