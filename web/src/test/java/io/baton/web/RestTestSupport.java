package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One ActorSystem per test class, a fresh {@link TestingMasterApi} and a real server on port 0 per test. */
abstract class RestTestSupport {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static ActorSystem<Void> system;
  static HttpClient client;

  TestingMasterApi api;
  RestServer server;

  /** One ActorSystem for the whole test JVM: starting and terminating one per class costs seconds. */
  @BeforeAll
  static synchronized void startSystem() {
    if (system == null) {
      system = ActorSystem.create(Behaviors.empty(), "web-test", ConfigFactory.parseString("""
          pekko.loglevel = WARNING
          pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
          pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
          pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on
          """).withFallback(ConfigFactory.load()));
      client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
  }

  /** Settings for this class's server; override to add a token or shorten the ask timeout. */
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.empty(), 1024 * 1024, Duration.ofSeconds(5));
  }

  @BeforeEach
  void startServer() {
    api = new TestingMasterApi();
    server = RestServer.start(system, settings(), api).toCompletableFuture().join();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Response postJson(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new AssertionError("request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  record Response(int status, java.net.http.HttpHeaders headers, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }

    /** Asserts a problem+json answer with this status and a detail containing {@code fragment}; returns it. */
    JsonNode assertProblem(int expectedStatus, String fragment) {
      assertEquals(expectedStatus, status, () -> "body: " + body);
      assertEquals("application/problem+json", contentType(), body);
      JsonNode p = json();
      assertEquals(expectedStatus, p.path("status").asInt(), body);
      assertTrue(p.path("type").isTextual() && !p.path("type").asText().isEmpty(), body);
      assertTrue(p.path("title").isTextual() && !p.path("title").asText().isEmpty(), body);
      String detail = p.path("detail").asText("");
      assertTrue(detail.contains(fragment), () -> "detail '" + detail + "' lacks '" + fragment + "'");
      assertFalse(body.contains("\tat ") || body.contains("Exception"), () -> "leaks internals: " + body);
      return p;
    }
  }
}
