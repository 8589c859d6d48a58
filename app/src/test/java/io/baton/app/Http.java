package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.testkit.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A small JSON-over-HTTP client for end-to-end tests. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  /**
   * One client, so one connection pool, for every instance: a client per instance (HaCluster probes make one every
   * poll, 50 a second) leaves each connection open on the master until its 15 s idle timeout, and past 64 open
   * connections from this address the master refuses new ones (its per-address cap), which a test saw as submissions
   * failing with "header parser received no bytes".
   */
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final Duration timeout;

  Http(String base) {
    this(base, Duration.ofSeconds(30));
  }

  /** A client whose every request gives up after {@code timeout} (for probing masters that may be paused). */
  Http(String base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
  }

  HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpRequest request = b.build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      if (e.getMessage() == null || !e.getMessage().contains("header parser received no bytes")) {
        throw e;
      }
      // a pooled connection the master closed as idle (its 15 s idle timeout) just as this request went out: the
      // master read nothing of it, so it is sent once more on a new connection (the JDK client retries only GETs)
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = send("GET", path, null);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  String submit(String spec) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/jobs", spec);
    if (r.statusCode() != 201) {
      throw new AssertionError("submit answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("id").asText();
  }

  JsonNode awaitJob(String id, Predicate<JsonNode> condition, Duration timeout) {
    return Eventually.eventually("job " + id + " to get there", timeout, () -> get("/api/v1/jobs/" + id),
        condition);
  }

  JsonNode awaitState(String id, String state, Duration timeout) throws Exception {
    return awaitJob(id, j -> j.path("state").asText().equals(state), timeout);
  }

  void awaitReady(Duration timeout) {
    Eventually.eventually(base + " ready", timeout, () -> send("GET", "/readyz", null).statusCode(),
        status -> status == 200);
  }
}
