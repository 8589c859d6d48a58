package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.api.ClusterEvent;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A secretEnv value goes in with the job and comes out of no endpoint and no log line; its name is shown. */
class SecretEnvIT extends RestTestSupport {
  static final String SECRET = "s3cr3t-Value-42";
  static final String JOB = "{\"name\":\"with-secret\",\"tasks\":[{\"id\":\"a\",\"command\":[\"/bin/true\"],"
      + "\"env\":{\"PLAIN\":\"shown\"},\"secretEnv\":{\"DB_PASSWORD\":\"" + SECRET + "\"}}]}";

  @Test
  void theValueAppearsInNoAnswerAndNoLog() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try {
      Response created = postJson("/api/v1/jobs", JOB);
      assertEquals(201, created.status(), created.body());
      String id = created.json().path("id").asText();
      JobRecord stored = api.job(id).toCompletableFuture().join().orElseThrow();
      assertEquals(Map.of("DB_PASSWORD", SECRET), stored.spec().tasks().get(0).secretEnv(), "the master keeps it");

      Response detail = get("/api/v1/jobs/" + id);
      assertEquals(200, detail.status());
      assertEquals("***", detail.json().path("tasks").get(0).path("secretEnv").path("DB_PASSWORD").asText(), detail.body());
      assertEquals("shown", detail.json().path("tasks").get(0).path("env").path("PLAIN").asText());
      for (String path : new String[] {"/api/v1/jobs/" + id, "/api/v1/jobs", "/api/v1/jobs?name=secret"}) {
        Response r = get(path);
        assertEquals(200, r.status(), path);
        assertFalse(r.body().contains(SECRET), path + ": " + r.body());
      }
      // a bad spec echoes nothing of the secret either
      Response bad = postJson("/api/v1/jobs", JOB.replace("\"PLAIN\"", "\"DB_PASSWORD\""));
      bad.assertProblem(400, "");
      assertFalse(bad.body().contains(SECRET), bad.body());

      assertFalse(eventFor(stored).contains(SECRET));
      // what a log line holding the job prints
      LoggerFactory.getLogger(SecretEnvIT.class).warn("job {} spec {}", stored, stored.spec().tasks());
    } finally {
      root.detachAppender(logs);
    }
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("DB_PASSWORD=***")), "logged");
    for (ILoggingEvent e : logs.list) {
      assertFalse(e.getFormattedMessage().contains(SECRET), e.getFormattedMessage());
    }
  }

  /** The job event the live stream sends for {@code job}. */
  private String eventFor(JobRecord job) throws Exception {
    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri("/api/v1/events")).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    try (InputStream in = r.body()) {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      StringBuilder seen = new StringBuilder();
      boolean published = false;
      while (true) {
        String line = CompletableFuture.supplyAsync(() -> {
          try {
            return reader.readLine();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).get(10, TimeUnit.SECONDS);
        assertTrue(line != null, "stream ended: " + seen);
        seen.append(line).append('\n');
        if (!published && line.startsWith("event: hello")) {
          system.eventStream().tell(new EventStream.Publish<>(new ClusterEvent.JobChanged(job)));
          published = true;
        }
        if (line.startsWith("data: ") && line.contains(job.id())) {
          return seen.toString();
        }
      }
    }
  }
}
