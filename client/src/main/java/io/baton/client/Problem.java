package io.baton.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An RFC 9457 problem detail as the masters send it: {@code type}, {@code title}, {@code status}, {@code detail},
 * every validation error in {@code errors}, and the leader's REST URL in {@code leader} on a 503 when one is known.
 */
public record Problem(int status, String type, String title, String detail, List<Violation> errors,
    Optional<String> leader) {

  /** One validation failure: where ({@code tasks[1].cpus}) and what. */
  public record Violation(String path, String message) {
    @Override
    public String toString() {
      return path == null || path.isEmpty() ? message : path + ": " + message;
    }
  }

  public Problem {
    errors = List.copyOf(errors);
  }

  /** The slug of {@code type} ({@code not-leader} for {@code https://baton.dev/problems/not-leader}). */
  public String slug() {
    return type == null ? "" : type.substring(type.lastIndexOf('/') + 1);
  }

  static Problem from(int status, JsonNode body, String rawBody) {
    if (body == null || !body.isObject()) {
      String text = rawBody == null ? "" : rawBody.strip();
      return new Problem(status, "about:blank", reason(status), text.length() > 500 ? text.substring(0, 500) : text,
          List.of(), Optional.empty());
    }
    List<Violation> errors = new ArrayList<>();
    for (JsonNode e : body.path("errors")) {
      errors.add(new Violation(e.path("path").asText(""), e.path("message").asText("")));
    }
    JsonNode leader = body.get("leader");
    return new Problem(status, body.path("type").asText("about:blank"), body.path("title").asText(reason(status)),
        body.path("detail").asText(""), errors,
        leader != null && leader.isTextual() && !leader.asText().isEmpty() ? Optional.of(leader.asText()) : Optional.empty());
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 409 -> "Conflict";
      case 413 -> "Request body too large";
      case 503 -> "Service unavailable";
      default -> "HTTP " + status;
    };
  }
}
