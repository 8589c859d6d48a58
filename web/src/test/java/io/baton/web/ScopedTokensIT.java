package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.scheduler.api.QueueFullException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A read token and a write token: every request but probes and the page's files needs one; reads need no more. */
class ScopedTokensIT extends RestTestSupport {
  static final String WRITE = "write-token-1";
  static final String READ = "read-token-1";
  static final String JOB = "{\"name\":\"n\",\"tasks\":[{\"id\":\"a\",\"handler\":\"noop\"}]}";

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(WRITE), 1024 * 1024, Duration.ofSeconds(5)).withReadToken(READ);
  }

  private Response getWith(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  @Test
  void everyReadNeedsAToken() {
    for (String path : new String[] {"/api/v1/jobs", "/api/v1/jobs/x", "/api/v1/jobs/x/tasks/a/log", "/api/v1/workers",
        "/api/v1/cluster", "/api/v1/events"}) {
      Response missing = get(path);
      missing.assertProblem(401, "Authorization: Bearer");
      assertEquals("Bearer realm=\"baton\"", missing.headers().firstValue("WWW-Authenticate").orElse(""), path);
      getWith(path, "Authorization", "Bearer nope").assertProblem(401, "wrong");
    }
    assertEquals(200, getWith("/api/v1/jobs", "Authorization", "Bearer " + READ).status());
    assertEquals(200, getWith("/api/v1/jobs", "Authorization", "Bearer " + WRITE).status(), "the write token reads too");
  }

  @Test
  void probesAndThePageItselfStayOpen() {
    assertEquals(200, get("/healthz").status());
    assertEquals(200, get("/api/v1/healthz").status());
    assertEquals(503, get("/readyz").status(), "open, and not ready in this test");
    assertEquals(200, get("/").status());
    assertEquals(200, get("/assets/api.js").status());
  }

  @Test
  void theReadTokenCannotWrite() {
    Response forbidden = postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + READ);
    forbidden.assertProblem(403, "read token");
    postJson("/api/v1/jobs/x/cancel", "", "Authorization", "Bearer " + READ).assertProblem(403, "");
    assertEquals(0, api.jobCount());
    assertEquals(201, postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + WRITE).status());
    assertEquals(1, api.jobCount());
  }

  @Test
  void aSessionCookieAllowsReadsButNeverWrites() {
    postJson("/api/v1/session", "").assertProblem(401, "");
    postJson("/api/v1/session", "", "Authorization", "Bearer wrong").assertProblem(401, "wrong");
    Response session = postJson("/api/v1/session", "", "Authorization", "Bearer " + WRITE);
    assertEquals(204, session.status(), session.body());
    String setCookie = session.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
    assertFalse(setCookie.contains(WRITE), "the cookie holds a digest, not the token: " + setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    assertEquals(200, getWith("/api/v1/jobs", "Cookie", cookie).status());
    postJson("/api/v1/jobs", JOB, "Cookie", cookie).assertProblem(401, "");
    assertEquals(0, api.jobCount(), "a cookie never authorizes a write, even one made from the write token");
    getWith("/api/v1/jobs", "Cookie", "baton_token=00ff").assertProblem(401, "wrong");
    getWith("/api/v1/jobs", "Cookie", "baton_token=zz").assertProblem(401, "wrong");

    Response logout = send(HttpRequest.newBuilder(uri("/api/v1/session")).DELETE());
    assertEquals(204, logout.status());
    assertTrue(logout.headers().firstValue("Set-Cookie").orElse("").contains("Max-Age=0"));
  }

  @Test
  void aFullQueueIs503WithRetryAfterAndNothingIsCreated() {
    api.failWith(new QueueFullException(99_999, 10, 100_000));
    Response full = postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + WRITE);
    full.assertProblem(503, "exceed the limit of 100000");
    assertTrue(full.headers().firstValue("Retry-After").isPresent(), full.headers().toString());
    assertEquals(0, api.jobCount());
  }

  @Test
  void aReadTokenAloneOrEqualToTheWriteTokenIsRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RestSettings.of("127.0.0.1", 0).withReadToken(READ));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RestSettings.of("127.0.0.1", 0).withToken(WRITE).withReadToken(WRITE));
  }
}
