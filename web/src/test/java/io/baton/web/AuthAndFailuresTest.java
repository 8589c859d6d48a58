package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.LeaderInfo;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Token auth on mutating requests, and how MasterApi failures reach the client. */
class AuthAndFailuresTest extends RestTestSupport {
  static final String TOKEN = "s3cret-token";
  static final String JOB = "{\"name\":\"n\",\"tasks\":[{\"id\":\"a\",\"handler\":\"noop\"}]}";

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(TOKEN), 1024 * 1024, Duration.ofMillis(400));
  }

  @Test
  void mutatingRequestsNeedTheBearerToken() {
    Response missing = postJson("/api/v1/jobs", JOB);
    missing.assertProblem(401, "Authorization: Bearer");
    assertEquals("Bearer realm=\"baton\"", missing.headers().firstValue("WWW-Authenticate").orElse(""));
    postJson("/api/v1/jobs", JOB, "Authorization", "Bearer wrong").assertProblem(401, "wrong");
    postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN + "x").assertProblem(401, "wrong");
    postJson("/api/v1/jobs", JOB, "Authorization", "Basic " + TOKEN).assertProblem(401, "Bearer");
    postJson("/api/v1/jobs/x/cancel", "").assertProblem(401, "");
    send(HttpRequest.newBuilder(uri("/api/v1/jobs")).DELETE()).assertProblem(401, "");
    assertEquals(0, api.jobCount());

    Response ok = postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    assertEquals(201, ok.status(), ok.body());
    assertEquals(1, api.jobCount());
  }

  @Test
  void readsStayOpen() {
    assertEquals(200, get("/api/v1/jobs").status());
    assertEquals(200, get("/api/v1/cluster").status());
    assertEquals(200, get("/healthz").status());
  }

  @Test
  void notLeaderIs503NamingTheLeader() {
    api.notLeader(Optional.of(new LeaderInfo(7, "s", "pekko://baton@10.0.0.2:2552", "http://10.0.0.2:8080")));
    JsonNode p = get("/api/v1/jobs").assertProblem(503, "http://10.0.0.2:8080");
    assertEquals("http://10.0.0.2:8080", p.get("leader").asText());
    assertEquals("https://baton.dev/problems/not-leader", p.get("type").asText());
    postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN).assertProblem(503, "http://10.0.0.2:8080");
    get("/api/v1/jobs/x").assertProblem(503, "leader");
    get("/api/v1/workers").assertProblem(503, "leader");
    get("/api/v1/jobs/x/tasks/t/log").assertProblem(503, "leader");
  }

  @Test
  void noLeaderIs503WithoutLeaderField() {
    api.notLeader(Optional.empty());
    JsonNode p = get("/api/v1/jobs").assertProblem(503, "no leader");
    assertFalse(p.has("leader"));
  }

  @Test
  void slowLeaderIs503AfterTheAskTimeout() {
    api.hang(true);
    get("/api/v1/jobs/x").assertProblem(503, "did not answer in time");
    api.hang(false);
    api.failWith(new java.util.concurrent.CompletionException(new java.util.concurrent.TimeoutException("t")));
    get("/api/v1/jobs/x").assertProblem(503, "did not answer in time");
  }

  @Test
  void unexpectedFailureIs500WithoutInternals() {
    api.failWith(new IllegalStateException("secret internal detail"));
    Response r = get("/api/v1/workers");
    r.assertProblem(500, "see the master's log");
    assertFalse(r.body().contains("secret internal detail"));
    assertTrue(get("/healthz").status() == 200);
  }
}
