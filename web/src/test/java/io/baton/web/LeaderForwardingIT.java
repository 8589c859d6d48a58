package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.MasterApi.LogResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real servers: the inherited one leads (with a token), a second one is a standby whose cluster view
 * names the first as leader. The standby's own MasterApi always throws NotLeader, so any answer that is not a
 * 503 naming the leader came from the leader through the standby.
 */
class LeaderForwardingIT extends RestTestSupport {
  static final String TOKEN = "leader-token";
  static final String JOB = "{\"name\":\"n\",\"tasks\":[{\"id\":\"a\",\"handler\":\"noop\"}]}";
  static final Duration STANDBY_ASK_TIMEOUT = Duration.ofMillis(1500);

  TestingMasterApi standbyApi;
  RestServer standby;
  String leaderUrl;
  String standbyUrl;

  @Override
  RestSettings settings() {
    // a larger limit than the standby's, so that a 413 naming 1 MiB can only come from the standby
    return new RestSettings("127.0.0.1", 0, Optional.of(TOKEN), 2 * 1024 * 1024, Duration.ofSeconds(5));
  }

  @BeforeEach
  void startStandby() {
    standbyApi = new TestingMasterApi();
    standby = RestServer.start(system, new RestSettings("127.0.0.1", 0, Optional.of(TOKEN), 1024 * 1024,
        STANDBY_ASK_TIMEOUT), standbyApi).toCompletableFuture().join();
    leaderUrl = "http://127.0.0.1:" + server.port();
    standbyUrl = "http://127.0.0.1:" + standby.port();
    api.setCluster(new ClusterView(Optional.of(leader(leaderUrl)), leaderUrl, true, List.of(), "CONNECTED"));
    api.setReady(true);
    standbyLeaderIs(leaderUrl);
  }

  @AfterEach
  void stopStandby() {
    standby.close();
  }

  static LeaderInfo leader(String restUrl) {
    return new LeaderInfo(new Epoch(4), "sess", "pekko://baton@127.0.0.1:2552", restUrl);
  }

  void standbyLeaderIs(String url) {
    standbyApi.setCluster(new ClusterView(Optional.of(leader(url)), standbyUrl, false, List.of(), "CONNECTED"));
    standbyApi.notLeader(Optional.of(leader(url)));
  }

  HttpRequest.Builder toStandby(String path) {
    return HttpRequest.newBuilder(URI.create(standbyUrl + path));
  }

  /** A read with the token, which the standby checks and passes on to the leader. */
  Response standbyGet(String path) {
    return send(toStandby(path).header("Authorization", "Bearer " + TOKEN).GET());
  }

  @Test
  void credentialsReachTheLeaderWithTheForwardedRequest() {
    api.submit(new io.baton.protocol.job.JobSpec("n", java.util.Map.of(),
        List.of(io.baton.protocol.job.TaskSpec.handler("a", "noop", null, List.of()))), Optional.empty());
    assertEquals(1, standbyGet("/api/v1/jobs").json().get("jobs").size(), "the bearer token was passed on");
    send(toStandby("/api/v1/jobs").GET()).assertProblem(401, "Authorization: Bearer");
    Response session = send(toStandby("/api/v1/session").header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()));
    assertEquals(204, session.status(), "the standby opens a session itself: " + session.body());
    String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    Response viaCookie = send(toStandby("/api/v1/jobs").header("Cookie", cookie).GET());
    assertEquals(200, viaCookie.status(), "the cookie was passed on: " + viaCookie.body());
    assertEquals(1, viaCookie.json().get("jobs").size());
  }

  Response standbyPost(String path, String body, String... headers) {
    HttpRequest.Builder b = toStandby(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  @Test
  void scheduleCallsGoToTheLeader() {
    String auth = "Bearer " + TOKEN;
    Response put = send(toStandby("/api/v1/schedules/tick").header("Authorization", auth)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cron\": \"* * * * *\", \"job\": " + JOB + "}")));
    assertEquals(201, put.status(), put.body());
    assertEquals("/api/v1/schedules/tick", put.headers().firstValue("Location").orElse(""));
    assertEquals("* * * * *", api.storedSchedule("tick").orElseThrow().spec().cron());
    assertEquals(1, standbyGet("/api/v1/schedules").json().get("schedules").size());
    Response trigger = standbyPost("/api/v1/schedules/tick/trigger", "", "Authorization", auth);
    assertEquals(202, trigger.status(), trigger.body());
    assertEquals(1, api.jobCount());
    Response deleted = send(toStandby("/api/v1/schedules/tick").header("Authorization", auth).DELETE());
    assertEquals(204, deleted.status(), deleted.body());
    assertTrue(api.storedSchedule("tick").isEmpty());
    assertTrue(standbyApi.storedSchedule("tick").isEmpty(), "nothing was done on the standby");
  }

  @Test
  void submitGoesToTheLeaderAndHonoursTheIdempotencyKey() {
    Response created = standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN, "Idempotency-Key", "k-1");
    assertEquals(201, created.status(), created.body());
    assertEquals("application/json", created.contentType());
    assertEquals("job-000001", created.json().get("id").asText());
    assertEquals("/api/v1/jobs/job-000001", created.headers().firstValue("Location").orElse(""));
    assertEquals(1, api.jobCount());
    assertEquals("k-1", api.stored("job-000001").map(JobRecord::idempotencyKey).orElse(null));

    Response repeated = standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN, "Idempotency-Key", "k-1");
    assertEquals(200, repeated.status(), repeated.body());
    assertEquals("job-000001", repeated.json().get("id").asText());
    assertEquals(1, api.jobCount());
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void readsComeFromTheLeader() {
    standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);

    Response detail = standbyGet("/api/v1/jobs/job-000002");
    assertEquals(200, detail.status(), detail.body());
    assertEquals("job-000002", detail.json().get("id").asText());

    Response list = standbyGet("/api/v1/jobs");
    assertEquals(200, list.status(), list.body());
    assertEquals(2, list.json().get("jobs").size());
    Response page = standbyGet("/api/v1/jobs?state=PENDING&limit=1");
    assertEquals(1, page.json().get("jobs").size(), page.body());
    assertEquals("job-000002", page.json().get("nextBefore").asText());
    assertEquals("job-000001", standbyGet("/api/v1/jobs?before=job-000002").json().get("jobs").get(0).get("id").asText());

    assertEquals(200, standbyGet("/api/v1/workers").status());
    standbyGet("/api/v1/jobs/nope").assertProblem(404, "no job with id 'nope'");
    standbyGet("/api/v1/jobs?limit=0").assertProblem(400, "limit");
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void cancelAndLogsComeFromTheLeader() {
    standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    Response cancelled = standbyPost("/api/v1/jobs/job-000001/cancel", "", "Authorization", "Bearer " + TOKEN);
    assertEquals(202, cancelled.status(), cancelled.body());
    assertTrue(cancelled.json().get("cancelRequested").asBoolean());
    standbyPost("/api/v1/jobs/job-000001/cancel", "", "Authorization", "Bearer " + TOKEN)
        .assertProblem(409, "already finished");

    api.putLog("job-000001", "a", 2, new LogResult.Found("line one\nline two\n".getBytes(StandardCharsets.UTF_8)));
    Response log = standbyGet("/api/v1/jobs/job-000001/tasks/a/log?attempt=2");
    assertEquals(200, log.status(), log.body());
    assertEquals("text/plain; charset=UTF-8", log.contentType());
    assertEquals("line one\nline two\n", log.body());
    standbyGet("/api/v1/jobs/job-000001/tasks/a/log?attempt=3").assertProblem(404, "no attempt 3");
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void theLeadersAuthAnswersPassThrough() {
    Response missing = standbyPost("/api/v1/jobs", JOB);
    missing.assertProblem(401, "Authorization: Bearer");
    assertEquals("Bearer realm=\"baton\"", missing.headers().firstValue("WWW-Authenticate").orElse(""));
    standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer wrong").assertProblem(401, "wrong");
    assertEquals(0, api.jobCount());
  }

  @Test
  void clusterHealthReadinessAndPageAnswerLocally() {
    JsonNode cluster = standbyGet("/api/v1/cluster").json();
    assertEquals(standbyUrl, cluster.get("self").get("restUrl").asText());
    assertFalse(cluster.get("self").get("isLeader").asBoolean());
    assertEquals(leaderUrl, cluster.get("leader").get("restUrl").asText());
    for (String prefix : List.of("", "/api/v1")) {
      assertEquals(200, get(prefix + "/readyz").status());
      standbyGet(prefix + "/readyz").assertProblem(503, "not the leader");
      assertEquals(200, standbyGet(prefix + "/healthz").status());
    }
    Response page = standbyGet("/");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
  }

  @Test
  void oversizedBodiesAre413OnTheStandby() {
    String big = "x".repeat(1024 * 1024 + 1);
    standbyPost("/api/v1/jobs", big, "Authorization", "Bearer " + TOKEN).assertProblem(413, "1048576 bytes");
    byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
    Response chunked = send(toStandby("/api/v1/jobs")
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
    chunked.assertProblem(413, "1048576 bytes");
    assertEquals(0, api.leaderCalls());
  }

  @Test
  void aForwardedRequestIsNeverForwardedAgain() {
    Response r = send(toStandby("/api/v1/jobs").header(LeaderForwarding.FORWARDED_BY, "http://elsewhere:1")
        .header("Authorization", "Bearer " + TOKEN).GET());
    JsonNode p = r.assertProblem(503, "not the leader");
    assertEquals(leaderUrl, p.get("leader").asText());
    assertEquals(1, standbyApi.leaderCalls());
    assertEquals(0, api.leaderCalls());
  }

  @Test
  void twoStandbysNamingEachOtherDoNotLoop() {
    api.setCluster(new ClusterView(Optional.of(leader(standbyUrl)), leaderUrl, false, List.of(), "CONNECTED"));
    api.notLeader(Optional.of(leader(standbyUrl)));
    long start = System.nanoTime();
    JsonNode p = standbyGet("/api/v1/jobs").assertProblem(503, "not the leader");
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(STANDBY_ASK_TIMEOUT) < 0);
    // the first server answered itself (naming the standby) instead of sending the request back
    assertEquals(standbyUrl, p.get("leader").asText());
    assertEquals(1, api.leaderCalls());
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void aDeadLeaderIs503NamingIt() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String dead = "http://127.0.0.1:" + closedPort;
    standbyLeaderIs(dead);
    long start = System.nanoTime();
    for (Response r : List.of(standbyGet("/api/v1/jobs"),
        standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN))) {
      JsonNode p = r.assertProblem(503, "the leader at " + dead + " cannot be reached: ");
      assertEquals(dead, p.get("leader").asText());
      assertEquals("https://baton.dev/problems/leader-unreachable", p.get("type").asText());
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(STANDBY_ASK_TIMEOUT.multipliedBy(2)) < 0);
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void anEventStreamWhoseLeaderDiesEndsCleanlyOnTheStandby() throws Exception {
    try (ServerSocket leader = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread fake = new Thread(() -> {
        try (java.net.Socket c = leader.accept()) {
          java.io.InputStream in = c.getInputStream();
          int last4 = 0;
          while (last4 != 0x0d0a0d0a) { // the request head
            last4 = (last4 << 8) | (in.read() & 0xff);
          }
          java.io.OutputStream out = c.getOutputStream();
          String event = "event: hello\ndata: {}\n\n";
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(event.length()) + "\r\n" + event + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          // then the leader dies: the connection closes without the last chunk
        } catch (IOException e) {
          // the test fails on what the client sees
        }
      });
      fake.start();
      standbyLeaderIs("http://127.0.0.1:" + leader.getLocalPort());
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          toStandby("/api/v1/events").header("Authorization", "Bearer " + TOKEN).GET().timeout(Duration.ofSeconds(10))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("event: hello"), r.body());
      fake.join(5_000);
    }
  }

  @Test
  void aSilentLeaderIs503AfterTheAskTimeout() throws IOException {
    // accepts connections (the kernel's backlog) but never answers
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String url = "http://127.0.0.1:" + silent.getLocalPort();
      standbyLeaderIs(url);
      long start = System.nanoTime();
      JsonNode p = standbyGet("/api/v1/workers").assertProblem(503, "cannot be reached: no answer within 1500 ms");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(url, p.get("leader").asText());
      assertTrue(took.compareTo(STANDBY_ASK_TIMEOUT) >= 0, "took " + took);
      assertTrue(took.compareTo(STANDBY_ASK_TIMEOUT.plusSeconds(3)) < 0, "took " + took);
    }
  }

  @Test
  void theLeadersRetryAfterIsRelayed() {
    api.notLeader(Optional.empty()); // the leader was deposed since the standby last looked
    Response r = standbyPost("/api/v1/jobs", JOB, "Authorization", "Bearer " + TOKEN);
    r.assertProblem(503, "no leader");
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), r.headers().toString());
    assertEquals(1, api.leaderCalls());
    assertEquals(0, standbyApi.leaderCalls());
  }

  @Test
  void withoutAKnownLeaderTheStandbyAnswers503AsBefore() {
    standbyApi.setCluster(new ClusterView(Optional.empty(), standbyUrl, false, List.of(), "SUSPENDED"));
    standbyApi.notLeader(Optional.empty());
    JsonNode p = standbyGet("/api/v1/jobs").assertProblem(503, "no leader");
    assertFalse(p.has("leader"));
    assertEquals(0, api.leaderCalls());
  }

  @Test
  void aMasterThatJustLostLeadershipAnswersWithTheMapping() {
    // cluster() still says "I lead" but the call already fails: the existing 503 mapping, nothing forwarded
    standbyApi.setCluster(new ClusterView(Optional.of(leader(standbyUrl)), standbyUrl, true, List.of(), "CONNECTED"));
    standbyApi.notLeader(Optional.of(leader(leaderUrl)));
    JsonNode p = standbyGet("/api/v1/jobs").assertProblem(503, leaderUrl);
    assertEquals(leaderUrl, p.get("leader").asText());
    assertEquals(0, api.leaderCalls());

    // a leader entry naming this master itself is answered locally too
    standbyApi.setCluster(new ClusterView(Optional.of(leader(standbyUrl + "/")), standbyUrl, false, List.of(), "CONNECTED"));
    standbyGet("/api/v1/jobs").assertProblem(503, leaderUrl);
    assertEquals(0, api.leaderCalls());
  }
}
