package io.baton.web.metrics;

import java.util.Set;

/**
 * A request path as a low-cardinality route template for metrics: ids and names become {@code {id}},
 * {@code {name}}, {@code {taskId}}; a path Baton does not serve becomes {@code other}. Pure.
 */
public final class RouteTemplates {
  private static final Set<String> ROOT = Set.of("/", "/healthz", "/readyz", "/metrics");
  private static final Set<String> RESOURCES =
      Set.of("jobs", "workers", "schedules", "cluster", "events", "session", "healthz", "readyz", "openapi.json",
          "stats");
  private static final Set<String> ACTIONS =
      Set.of("cancel", "rerun", "tasks", "pause", "resume", "trigger", "drain", "undrain", "step-down");
  private static final Set<String> TASK_PARTS = Set.of("log", "result");

  private RouteTemplates() {}

  public static String of(String path) {
    if (ROOT.contains(path)) {
      return path;
    }
    if (path.startsWith("/assets/")) {
      return "/assets/{file}";
    }
    if (path.startsWith("/vendor/uplot/")) {
      return "/vendor/uplot/{file}";
    }
    if (!path.startsWith("/api/v1/")) {
      return "other";
    }
    String[] parts = path.substring("/api/v1/".length()).split("/", -1);
    if (!RESOURCES.contains(parts[0])) {
      return "other";
    }
    StringBuilder route = new StringBuilder("/api/v1/").append(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      String template = switch (i) {
        case 1 -> parts[0].equals("cluster") ? (ACTIONS.contains(part) ? part : null)
            : parts[0].equals("schedules") ? "{name}" : "{id}";
        case 2, 4 -> ACTIONS.contains(part) || TASK_PARTS.contains(part) ? part : null;
        case 3 -> parts[2].equals("tasks") ? "{taskId}" : null;
        default -> null;
      };
      if (template == null || part.isEmpty()) {
        return "other";
      }
      route.append('/').append(template);
    }
    return route.toString();
  }
}
