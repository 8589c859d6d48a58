package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.ha.FencedException;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Token auth on mutating requests, and how MasterApi failures reach the client. */
class AuthAndFailuresIT extends RestTestSupport {
  static final String TOKEN = "s3cret-token";
  static final String JOB = "{\"name\":\"n\",\"tasks\":[{\"id\":\"a\",\"handler\":\"noop\"}]}";

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(TOKEN), 1024 * 1024, Duration.ofMillis(400));
  }

  /** Reads carry the token here; {@link #readsNeedTheTokenToo} sends without. */
  @Override
  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).GET());
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
  void readsNeedTheTokenToo() {
    send(HttpRequest.newBuilder(uri("/api/v1/jobs")).GET()).assertProblem(401, "Authorization: Bearer");
    send(HttpRequest.newBuilder(uri("/api/v1/cluster")).GET()).assertProblem(401, "Authorization: Bearer");
    assertEquals(200, get("/api/v1/jobs").status());
    assertEquals(200, send(HttpRequest.newBuilder(uri("/healthz")).GET()).status());
  }

  @Test
  void notLeaderIs503NamingTheLeader() {
    api.notLeader(Optional.of(new LeaderInfo(new Epoch(7), "s", "pekko://baton@10.0.0.2:2552", "http://10.0.0.2:8080")));
    JsonNode p = get("/api/v1/jobs").assertProblem(503, "http://10.0.0.2:8080");
    assertEquals("http://10.0.0.2:8080", p.get("leader").asText());
    assertEquals("https://baton.dev/problems/not-leader", p.get("type").asText());
    postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN).assertProblem(503, "http://10.0.0.2:8080");
    get("/api/v1/jobs/x").assertProblem(503, "leader");
    get("/api/v1/workers").assertProblem(503, "leader");
    get("/api/v1/jobs/x/tasks/t/log").assertProblem(503, "leader");
  }

  @Test
  void every503SaysWhenToRetry() {
    api.notLeader(Optional.of(new LeaderInfo(new Epoch(7), "s", "pekko://baton@10.0.0.2:2552", "http://10.0.0.2:8080")));
    Response r = postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    r.assertProblem(503, "http://10.0.0.2:8080");
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), r.headers().toString());
    api.hang(true);
    Response slow = get("/api/v1/jobs/x");
    slow.assertProblem(503, "did not answer in time");
    assertEquals("1", slow.headers().firstValue("Retry-After").orElse(""));
    Response notReady = get("/readyz");
    notReady.assertProblem(503, "not the leader");
    assertEquals("1", notReady.headers().firstValue("Retry-After").orElse(""));
  }

  @Test
  void aFencedWriteIs503NamingTheLeaderNotA500() {
    // a deposed leader that does not know it yet: its cluster view still says it leads, the new leader is known
    String newLeader = "http://127.0.0.1:18080";
    api.setCluster(new ClusterView(Optional.of(new LeaderInfo(new Epoch(9), "s", "pekko://baton@127.0.0.1:2552", newLeader)),
        "http://127.0.0.1:0", true, List.of(), "CONNECTED"));
    api.failWith(new CompletionException(new FencedException(new Epoch(8), "fencing check failed on ZooKeeper")));
    for (Response r : List.of(
        postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN),
        postJson("/api/v1/jobs/job-1/cancel", "", "Authorization", "Bearer " + TOKEN))) {
      JsonNode p = r.assertProblem(503, newLeader);
      assertEquals("https://baton.dev/problems/not-leader", p.get("type").asText());
      assertEquals(newLeader, p.get("leader").asText());
      assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
      assertFalse(r.body().contains("epoch 8"), r.body());
    }
  }

  @Test
  void aFencedWriteWithoutAKnownLeaderNeverNamesThisMaster() {
    api.setCluster(new ClusterView(Optional.of(new LeaderInfo(new Epoch(8), "s", "pekko://baton@127.0.0.1:2552",
        "http://127.0.0.1:0")), "http://127.0.0.1:0", true, List.of(), "SUSPENDED"));
    api.failWith(new IllegalStateException("store failed",
        new FencedException(new Epoch(8), "leadership was revoked")));
    Response r = postJson("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    JsonNode p = r.assertProblem(503, "no leader");
    assertFalse(p.has("leader"), r.body());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
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
