package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.WorkerView;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/events} against a real server, with ClusterEvents published on the test system. */
class EventsRoutesIT extends RestTestSupport {
  @Test
  void streamsHelloCoalescedJobSummariesAndWorkers() throws Exception {
    try (Stream stream = open(server.port())) {
      assertTrue(stream.next("hello").contains("\"isLeader\":true"));
      JobRecord job = job("coalesced");
      // many changes of one job inside one window leave as one summary
      for (int i = 0; i < 50; i++) {
        publish(new ClusterEvent.JobChanged(job));
      }
      publish(new ClusterEvent.WorkerChanged(new WorkerView("w1", "h", "DEAD", 2, 1024, 0, 0, Map.of(), 0,
          Instant.parse("2026-01-01T00:00:00Z"))));
      String worker = stream.next("worker");
      assertTrue(worker.contains("\"id\":\"w1\"") && worker.contains("\"state\":\"DEAD\""), worker);
      String summary = stream.next("job");
      assertTrue(summary.contains("\"id\":\"" + job.id() + "\"") && summary.contains("\"tasksTotal\":1")
          && summary.contains("\"name\":\"coalesced\"") && !summary.contains("\"tasks\":"), summary);
      publish(new ClusterEvent.JobChanged(job));
      stream.next("job");
      assertEquals(2, stream.count("job"), "50 changes in one window must give one event");
    }
  }

  @Test
  void anEventWithMissingFieldsIsSkippedAndTheFeedGoesOn() throws Exception {
    try (Stream stream = open(server.port())) {
      stream.next("hello");
      publish(new ClusterEvent.JobChanged(null));
      publish(new ClusterEvent.WorkerChanged(null));
      publish(new ClusterEvent.WorkerChanged(new WorkerView("w0", null, null, 1, 1, 0, 0, null, 0, null)));
      publish(new ClusterEvent.WorkerChanged(new WorkerView("w1", "h", "ALIVE", 2, 1024, 0, 0, Map.of(), 0,
          Instant.parse("2026-01-01T00:00:00Z"))));
      String first = stream.next("worker");
      assertTrue(first.contains("\"id\":\"w0\""), first);
      String second = stream.next("worker");
      assertTrue(second.contains("\"id\":\"w1\""), second);
      JobRecord job = job("after-the-bad-ones");
      publish(new ClusterEvent.JobChanged(job));
      assertTrue(stream.next("job").contains(job.id()));
    }
  }

  @Test
  void sendsKeepAlivesWhenIdle() throws Exception {
    server.close();
    server = RestServer.start(system, settings(), api,
        new EventFeed.Settings(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1)))
        .toCompletableFuture().join();
    try (Stream stream = open(server.port())) {
      stream.next("hello");
      stream.awaitLine(": keep-alive");
    }
  }

  @Test
  void aStandbyWithoutLeaderAnswers503() {
    api.setCluster(new ClusterView(Optional.empty(), "http://127.0.0.1:1", false, List.of(), "CONNECTED"));
    get("/api/v1/events").assertProblem(503, "no leader");
  }

  @Test
  void aStandbyRelaysTheLeadersStreamAsItComes() throws Exception {
    TestingMasterApi standbyApi = new TestingMasterApi();
    standbyApi.setCluster(new ClusterView(
        Optional.of(new LeaderInfo(new Epoch(3), "s", "pekko://baton@127.0.0.1:1", "http://127.0.0.1:" + server.port())),
        "http://127.0.0.1:2", false, List.of(), "CONNECTED"));
    api.setCluster(new ClusterView(
        Optional.of(new LeaderInfo(new Epoch(3), "s", "pekko://baton@127.0.0.1:1", "http://127.0.0.1:" + server.port())),
        "http://127.0.0.1:" + server.port(), true, List.of(), "CONNECTED"));
    try (RestServer standby = RestServer.start(system, settings(), standbyApi).toCompletableFuture().join();
         Stream stream = open(standby.port())) {
      assertTrue(stream.next("hello").contains("\"epoch\":3"));
      JobRecord job = job("relayed");
      publish(new ClusterEvent.JobChanged(job));
      assertTrue(stream.next("job").contains(job.id()));
      publish(new ClusterEvent.JobChanged(job));
      assertTrue(stream.next("job").contains(job.id()));
    }
  }

  private static JobRecord job(String name) {
    return JobRecord.submitted("job-" + name, new JobSpec(name, Map.of(),
        List.of(TaskSpec.command("a", List.of("/bin/true"), List.of()))), null, Instant.parse("2026-01-01T00:00:00Z"));
  }

  private void publish(ClusterEvent event) {
    system.eventStream().tell(new EventStream.Publish<>(event));
  }

  private Stream open(int port) throws Exception {
    HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/events")).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    return new Stream(r.body());
  }

  /** Reads an event stream line by line on a helper thread, each read with a deadline. */
  private static final class Stream implements AutoCloseable {
    private final InputStream in;
    private final BufferedReader reader;
    private final List<String> seen = new ArrayList<>();

    Stream(InputStream in) {
      this.in = in;
      this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    String line() throws Exception {
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return reader.readLine();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(10, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("the stream ended; seen " + seen);
      }
      return line;
    }

    void awaitLine(String expected) throws Exception {
      while (!line().equals(expected)) {
        // skip
      }
    }

    /** The data of the next event of this type; other events are skipped (and counted). */
    String next(String type) throws Exception {
      while (true) {
        String line = line();
        if (line.startsWith("event: ")) {
          String t = line.substring(7);
          String data = line();
          seen.add(t);
          if (t.equals(type)) {
            return data.substring("data: ".length());
          }
        }
      }
    }

    long count(String type) {
      return seen.stream().filter(type::equals).count();
    }

    @Override
    public void close() throws Exception {
      in.close();
    }
  }
}
