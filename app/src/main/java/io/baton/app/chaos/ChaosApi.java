package io.baton.app.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The REST calls of the chaos run, on the JDK client (HTTP/1.1, short timeouts: a master may be paused or dead).
 * Thread-safe. Methods that probe return empty or false on any error; {@link #submit} reports what happened.
 */
final class ChaosApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1)).build();

  /** The answer to one submission: an HTTP status and body, or status -1 and the error. */
  record Answer(int status, String body) {
    boolean accepted() {
      return status == 201 || status == 200;
    }

    /** Worth repeating with the same key: no answer, a 5xx (503 included) or 429. */
    boolean retryable() {
      return status < 0 || status >= 500 || status == 429;
    }

    String jobId() {
      try {
        return JSON.readTree(body).path("id").asText();
      } catch (IOException e) {
        throw new IllegalStateException("accepted without a job id: " + body, e);
      }
    }
  }

  Answer submit(String master, String key, String spec) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(master + "/api/v1/jobs")).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json").header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(spec)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new Answer(-1, e.toString());
    }
  }

  /** The leader's REST URL as {@code master} reports it. */
  Optional<String> leaderOf(String master) {
    return get(master + "/api/v1/cluster", Duration.ofSeconds(2))
        .map(c -> c.path("leader").path("restUrl").asText(""))
        .filter(url -> !url.isEmpty());
  }

  boolean ready(String master) {
    return status(master + "/readyz", Duration.ofSeconds(2)) == 200;
  }

  /** Ids of the workers {@code leader} lists as ALIVE. */
  Set<String> aliveWorkers(String leader) {
    Set<String> alive = new HashSet<>();
    get(leader + "/api/v1/workers", Duration.ofSeconds(2)).ifPresent(body -> body.path("workers").forEach(w -> {
      if (w.path("state").asText().equals("ALIVE")) {
        alive.add(w.path("id").asText());
      }
    }));
    return alive;
  }

  /** Every job in the list, following {@code nextBefore}; empty if any page fails. */
  Optional<List<JobRecord.Listed>> listAll(String master) {
    List<JobRecord.Listed> all = new ArrayList<>();
    String before = null;
    do {
      String url = master + "/api/v1/jobs?limit=1000"
          + (before == null ? "" : "&before=" + URLEncoder.encode(before, StandardCharsets.UTF_8));
      Optional<JsonNode> page = get(url, Duration.ofSeconds(10));
      if (page.isEmpty()) {
        return Optional.empty();
      }
      page.get().path("jobs").forEach(j -> all.add(new JobRecord.Listed(j.path("id").asText(), j.path("name").asText(),
          j.path("state").asText())));
      JsonNode next = page.get().path("nextBefore");
      before = next.isTextual() && page.get().path("jobs").size() > 0 ? next.asText() : null;
    } while (before != null);
    return Optional.of(all);
  }

  /** The job's record; empty when it cannot be read, and {@code NOT_FOUND} state when the master says 404. */
  Optional<JobRecord> job(String master, String id) {
    Optional<HttpResponse<String>> r = send(master + "/api/v1/jobs/" + id, Duration.ofSeconds(10),
        HttpResponse.BodyHandlers.ofString());
    if (r.isPresent() && r.get().statusCode() == 404) {
      return Optional.of(new JobRecord(id, "", "NOT_FOUND", List.of()));
    }
    return r.filter(ok -> ok.statusCode() == 200).flatMap(ok -> json(ok.body())).map(ChaosApi::parseJob);
  }

  static JobRecord parseJob(JsonNode job) {
    List<JobRecord.Task> tasks = new ArrayList<>();
    for (JsonNode t : job.path("tasks")) {
      List<JobRecord.Attempt> attempts = new ArrayList<>();
      for (JsonNode a : t.path("attempts")) {
        attempts.add(new JobRecord.Attempt(a.path("attempt").asInt(), a.path("state").asText(),
            text(a, "workerId"), instant(a, "startedAt"), instant(a, "finishedAt")));
      }
      tasks.add(new JobRecord.Task(t.path("id").asText(), t.path("state").asText(), List.copyOf(attempts)));
    }
    return new JobRecord(job.path("id").asText(), job.path("name").asText(), job.path("state").asText(), List.copyOf(tasks));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() ? v.asText() : null;
  }

  private static Instant instant(JsonNode node, String field) {
    String v = text(node, field);
    return v == null ? null : Instant.parse(v);
  }

  private Optional<JsonNode> get(String url, Duration timeout) {
    return send(url, timeout, HttpResponse.BodyHandlers.ofString()).filter(r -> r.statusCode() == 200)
        .flatMap(r -> json(r.body()));
  }

  private int status(String url, Duration timeout) {
    return send(url, timeout, HttpResponse.BodyHandlers.discarding()).map(HttpResponse::statusCode).orElse(-1);
  }

  /** A GET; empty when it could not be sent or answered (a master may be paused or dead). */
  private <T> Optional<HttpResponse<T>> send(String url, Duration timeout, HttpResponse.BodyHandler<T> body) {
    try {
      return Optional.of(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(), body));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Optional<JsonNode> json(String body) {
    try {
      return Optional.of(JSON.readTree(body));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
