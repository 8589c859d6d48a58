package io.baton.web;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * An RFC 9457 problem detail, rendered as {@code application/problem+json}
 * {@code {"type","title","status","detail"}} plus {@code errors} (validation failures) and {@code leader}
 * (on 503 when a leader is known); a 503 also carries {@code Retry-After}. Immutable value; safe on any thread.
 */
public record Problem(
    StatusCode status, String type, String title, String detail, List<Violation> errors, Optional<String> leader) {

  public static final String TYPE_PREFIX = "https://baton.dev/problems/";
  /** How long a client should wait before retrying a 503: about one leader hand-over step. */
  public static final long RETRY_AFTER_SECONDS = 1;
  public static final ContentType PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8));

  public Problem {
    errors = List.copyOf(errors);
  }

  public static Problem of(StatusCode status, String slug, String title, String detail) {
    return new Problem(status, slug == null ? "about:blank" : TYPE_PREFIX + slug, title, detail, List.of(), Optional.empty());
  }

  public static Problem malformedJson(String detail) {
    return of(StatusCodes.BAD_REQUEST, "malformed-json", "Malformed JSON", detail);
  }

  public static Problem invalidJob(List<Violation> violations) {
    String detail = violations.size() == 1
        ? "the job spec is invalid: " + violations.get(0)
        : "the job spec has " + violations.size() + " problems; first: " + violations.get(0);
    return new Problem(StatusCodes.BAD_REQUEST, TYPE_PREFIX + "invalid-job", "Invalid job spec", detail, violations,
        Optional.empty());
  }

  public static Problem invalidSchedule(List<Violation> violations) {
    String detail = violations.size() == 1
        ? "the schedule is invalid: " + violations.get(0)
        : "the schedule has " + violations.size() + " problems; first: " + violations.get(0);
    return new Problem(StatusCodes.BAD_REQUEST, TYPE_PREFIX + "invalid-schedule", "Invalid schedule", detail,
        violations, Optional.empty());
  }

  public static Problem invalidParameters(List<Violation> violations) {
    String detail = violations.stream().map(Violation::toString).reduce((a, b) -> a + "; " + b).orElse("");
    return new Problem(StatusCodes.BAD_REQUEST, TYPE_PREFIX + "invalid-parameter", "Invalid request parameter",
        detail, violations, Optional.empty());
  }

  public static Problem notFound(String detail) {
    return of(StatusCodes.NOT_FOUND, "not-found", "Not found", detail);
  }

  public static Problem conflict(String detail) {
    return of(StatusCodes.CONFLICT, "conflict", "Conflict", detail);
  }

  public static Problem tooLarge(long limit) {
    return of(StatusCodes.PAYLOAD_TOO_LARGE, "payload-too-large", "Request body too large",
        "the request body exceeds the limit of " + limit + " bytes");
  }

  public static Problem unauthorized(String detail) {
    return of(StatusCodes.UNAUTHORIZED, "unauthorized", "Unauthorized", detail);
  }

  public static Problem notLeader(Optional<String> leaderRestUrl) {
    String detail = leaderRestUrl
        .map(url -> "this master is not the leader; send the request to the leader at " + url)
        .orElse("no leader is elected right now; retry shortly");
    return new Problem(StatusCodes.SERVICE_UNAVAILABLE, TYPE_PREFIX + "not-leader", "Not the leader", detail,
        List.of(), leaderRestUrl);
  }

  public static Problem leaderUnreachable(String leaderRestUrl, String reason) {
    return new Problem(StatusCodes.SERVICE_UNAVAILABLE, TYPE_PREFIX + "leader-unreachable", "Leader unreachable",
        "the leader at " + leaderRestUrl + " cannot be reached: " + reason, List.of(), Optional.of(leaderRestUrl));
  }

  public static Problem timeout(String detail) {
    return of(StatusCodes.SERVICE_UNAVAILABLE, "leader-timeout", "Leader did not answer in time", detail);
  }

  public static Problem internal() {
    return of(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "Internal server error",
        "the server failed to handle the request; see the master's log");
  }

  public ObjectNode toJson() {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("type", type);
    node.put("title", title);
    node.put("status", status.intValue());
    node.put("detail", detail);
    leader.ifPresent(l -> node.put("leader", l));
    if (!errors.isEmpty()) {
      ArrayNode array = node.putArray("errors");
      errors.forEach(v -> array.addObject().put("path", v.path()).put("message", v.message()));
    }
    return node;
  }

  public HttpResponse toResponse() {
    return toResponse(List.of());
  }

  /** Every 503 (no leader, not the leader, a leader too slow, not ready) carries {@code Retry-After}. */
  public HttpResponse toResponse(List<HttpHeader> headers) {
    HttpResponse response = HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(PROBLEM_JSON, Json.bytes(toJson()));
    if (status.equals(StatusCodes.SERVICE_UNAVAILABLE) && response.getHeader("Retry-After").isEmpty()) {
      response = response.addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
    }
    return response;
  }
}
