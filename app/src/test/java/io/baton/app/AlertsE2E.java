package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.baton.scheduler.alerts.AlertSigner;
import io.baton.testkit.Eventually;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts survive a leader's {@code kill -9} (README, "Alerts"): a webhook receiver (a real HTTP server in the test)
 * answers 500 until the leader that raised the alerts is dead, so their delivery is still pending when it dies; the
 * new leader delivers them from the outbox. Every request is checked against its HMAC signature, and the receiver
 * accepts each alert id once: at-least-once, deduplicated by id, none missing.
 */
class AlertsE2E {
  private static final String SECRET = "e2e-alert-secret";

  @TempDir Path dir;

  /** One request the receiver got. */
  private record Received(String id, String bodyId, String event, String jobId, boolean signed, int answered) {}

  @Test
  void eachAlertArrivesSignedAcrossALeaderKill() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean answering = new java.util.concurrent.atomic.AtomicBoolean();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String id = exchange.getRequestHeaders().getFirst(AlertSigner.ID_HEADER);
      boolean signed = AlertSigner.verify(SECRET, exchange.getRequestHeaders().getFirst(AlertSigner.HEADER), body,
          System.currentTimeMillis() / 1000, 300);
      JsonNode json = Http.JSON.readTree(body);
      int status = !signed ? 401 : answering.get() ? 200 : 500;
      if (status == 200) {
        accepted.add(id);
      }
      received.add(new Received(id, json.path("id").asText(), json.path("event").asText(),
          json.path("job").path("id").asText(), signed, status));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    String hook = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    Path secrets = Files.writeString(dir.resolve("alert-secrets.properties"), "ops=" + SECRET + "\n");
    Path config = Files.writeString(dir.resolve("alerts.conf"),
        "baton.alerts { poll-interval = 200ms, backoff-base = 200ms, backoff-max = 1s, max-attempts = 1000 }\n");
    try (HaCluster c = new HaCluster(dir, Duration.ofSeconds(2))) {
      c.startZooKeeper();
      String[] flags = {"--alert-secrets-file", secrets.toString(), "--config", config.toString()};
      c.startMaster("master-1", flags);
      c.startMaster("master-2", flags);
      c.startWorker("w1");
      String leader = c.awaitLeader(Duration.ofSeconds(60));
      c.awaitWorkers(leader, 1, Duration.ofSeconds(30));
      Http http = new Http(leader);
      String failing = http.submit("{\"name\":\"fails\",\"notify\":[{\"url\":\"" + hook + "\",\"secret\":\"ops\","
          + "\"on\":[\"FAILED\",\"SUCCEEDED\"]}],\"tasks\":[{\"id\":\"t\",\"command\":[\"/bin/sh\",\"-c\",\"exit 3\"]}]}");
      String succeeding = http.submit("{\"name\":\"works\",\"notify\":[{\"url\":\"" + hook + "\",\"secret\":\"ops\","
          + "\"on\":[\"SUCCEEDED\"]}],\"tasks\":[{\"id\":\"t\",\"command\":[\"/bin/true\"]}]}");
      http.awaitState(failing, "FAILED", Duration.ofSeconds(60));
      http.awaitState(succeeding, "SUCCEEDED", Duration.ofSeconds(60));
      Set<String> expected = Set.of(failing + ".FAILED.0", succeeding + ".SUCCEEDED.0");
      // both alerts were tried (and refused): delivery is pending when the leader dies
      Eventually.eventually("a refused delivery of each alert", Duration.ofSeconds(30),
          () -> received.stream().filter(r -> r.answered() == 500).map(Received::id).collect(Collectors.toSet()),
          ids -> ids.containsAll(expected));
      c.masters.get(leader).kill9();
      String next = c.awaitLeader(Duration.ofSeconds(60));
      assertNotEquals(leader, next);
      answering.set(true);
      Eventually.eventually("each alert accepted", Duration.ofSeconds(60), () -> new TreeSet<>(accepted),
          ids -> ids.containsAll(expected));

      assertEquals(new TreeSet<>(expected), new TreeSet<>(accepted), "each alert, and no other, accepted");
      for (Received r : received) {
        assertTrue(r.signed(), "every delivery is signed with the secret: " + r);
        assertTrue(expected.contains(r.id()), "only the expected alerts were sent: " + r);
        assertEquals(r.id(), r.bodyId(), "the idempotency id is in the header and the body");
      }
      Received failed = received.stream().filter(r -> r.id().equals(failing + ".FAILED.0")).findFirst().orElseThrow();
      assertEquals(List.of("FAILED", failing), List.of(failed.event(), failed.jobId()));
      Received done = received.stream().filter(r -> r.id().equals(succeeding + ".SUCCEEDED.0")).findFirst().orElseThrow();
      assertEquals(List.of("SUCCEEDED", succeeding), List.of(done.event(), done.jobId()));
      // the job's spec shows the secret's name, never a secret
      JsonNode job = new Http(next).get("/api/v1/jobs/" + failing);
      assertEquals("ops", job.path("notify").path(0).path("secret").asText());
      assertTrue(!job.toString().contains(SECRET));
      // the new leader delivered both, and its metrics say so
      java.util.regex.Pattern deliveredLine = java.util.regex.Pattern
          .compile("(?m)^baton_alerts_deliveries_total\\{[^}]*outcome=\"delivered\"[^}]*\\} ([0-9.eE+]+)$");
      Eventually.eventually("the new leader's metrics count both deliveries", Duration.ofSeconds(10), () -> {
        java.util.regex.Matcher m = deliveredLine.matcher(new Http(next).send("GET", "/metrics", null).body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
      }, n -> n == 2.0);
      // a webhook naming a secret no master has is refused at submit, naming the ones there are
      var refused = new Http(next).send("POST", "/api/v1/jobs", "{\"name\":\"typo\",\"notify\":[{\"url\":\"" + hook
          + "\",\"secret\":\"opz\"}],\"tasks\":[{\"id\":\"t\",\"command\":[\"/bin/true\"]}]}");
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("no secret named 'opz' on this master; it has [ops]"), refused.body());
    } finally {
      server.stop(0);
    }
  }
}
