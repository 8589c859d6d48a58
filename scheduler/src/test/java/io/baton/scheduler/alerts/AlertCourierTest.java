package io.baton.scheduler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingJobStore;
import io.baton.testkit.TestingJobs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertCourierTest {
  private static final Epoch EPOCH = new Epoch(3);
  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  private final ManualTime time = ManualTime.get(kit.system());
  private final TestingClock clock = new TestingClock(Instant.parse("2026-11-28T10:00:00Z"));
  private final TestingJobStore store = new TestingJobStore();
  private final TestingSender sender = new TestingSender();

  /** One POST the courier made, answered by the test. */
  private record Post(URI url, Map<String, String> headers, byte[] body, CompletableFuture<Integer> answer) {}

  /** Records every POST and lets the test answer it. Thread-safe. */
  private static final class TestingSender implements WebhookSender {
    final LinkedBlockingQueue<Post> posts = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Integer> post(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
      CompletableFuture<Integer> answer = new CompletableFuture<>();
      posts.add(new Post(url, headers, body, answer));
      return answer;
    }

    Post next() throws InterruptedException {
      Post p = posts.poll(5, TimeUnit.SECONDS);
      if (p == null) {
        throw new AssertionError("no POST came");
      }
      return p;
    }
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private static Alert alert(String id, String url) {
    return new Alert(id, url, "ops", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private void raise(Alert... alerts) {
    store.put(EPOCH, TestingJobs.job("j1", "job"), List.of(alerts));
  }

  private void start(int maxAttempts, int perUrl) {
    AlertSettings settings = new AlertSettings(Map.of("ops", "s3cr3t"),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0), maxAttempts, Duration.ofSeconds(10), perUrl,
        Duration.ofSeconds(1), "");
    kit.spawn(AlertCourier.create(EPOCH, store, settings, sender, clock, new Random(1), Runnable::run));
  }

  private void pass(Duration d) {
    clock.advance(d);
    time.timePasses(d);
  }

  /** Waits (real time, briefly: messages between the courier and its futures) until the outbox is as given. */
  private void awaitOutbox(List<String> ids) {
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(ids, store.pendingAlerts().stream().map(Alert::id).toList());
      return null;
    });
  }

  @Test
  void deliversSignedWithTheIdAndDeletesOnceAcknowledged() throws Exception {
    TestProbe<AlertDelivery> events = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(AlertDelivery.class, events.ref()));
    raise(alert("j1.FAILED.0", "https://a.example/hook"));
    start(5, 4);
    pass(Duration.ofSeconds(1));
    Post post = sender.next();
    assertEquals(URI.create("https://a.example/hook"), post.url());
    assertEquals("j1.FAILED.0", post.headers().get(AlertSigner.ID_HEADER));
    assertEquals("application/json", post.headers().get("Content-Type"));
    assertTrue(AlertSigner.verify("s3cr3t", post.headers().get(AlertSigner.HEADER), post.body(),
        clock.instant().getEpochSecond(), 5), post.headers().get(AlertSigner.HEADER));
    assertEquals("{\"id\":\"j1.FAILED.0\"}", new String(post.body(), StandardCharsets.UTF_8));
    assertEquals(List.of("j1.FAILED.0"), store.pendingAlerts().stream().map(Alert::id).toList(),
        "kept until acknowledged");
    post.answer().complete(204);
    awaitOutbox(List.of());
    assertEquals(new AlertDelivery("j1.FAILED.0", AlertDelivery.Outcome.DELIVERED, 0),
        events.receiveMessage());
  }

  /** Moves manual time in steps of 100 ms until the next POST; returns it and how much manual time passed. */
  private Map.Entry<Post, Duration> awaitNextPost() throws InterruptedException {
    Duration passed = Duration.ZERO;
    while (passed.compareTo(Duration.ofSeconds(30)) < 0) {
      Post p = sender.posts.poll(50, TimeUnit.MILLISECONDS);
      if (p != null) {
        return Map.entry(p, passed);
      }
      pass(Duration.ofMillis(100));
      passed = passed.plusMillis(100);
    }
    throw new AssertionError("no POST within 30 s of manual time");
  }

  @Test
  void retriesWithBackoffThenGivesUpAfterMaxAttempts() throws Exception {
    TestProbe<AlertDelivery> events = kit.createTestProbe();
    kit.system().eventStream().tell(new EventStream.Subscribe<>(AlertDelivery.class, events.ref()));
    raise(alert("j1.FAILED.0", "https://a.example/hook"));
    start(3, 4);
    pass(Duration.ofSeconds(1));
    sender.next().answer().complete(500);
    // attempt 1 failed: the next one no sooner than 1 s later, then 2 s
    Map.Entry<Post, Duration> second = awaitNextPost();
    assertTrue(second.getValue().compareTo(Duration.ofSeconds(1)) >= 0, "retried after " + second.getValue());
    second.getKey().answer().completeExceptionally(new java.net.ConnectException("refused"));
    Map.Entry<Post, Duration> third = awaitNextPost();
    assertTrue(third.getValue().compareTo(Duration.ofSeconds(2)) >= 0, "retried after " + third.getValue());
    assertEquals(second.getKey().headers().get(AlertSigner.ID_HEADER), third.getKey().headers().get(AlertSigner.ID_HEADER));
    assertTrue(java.util.Arrays.equals(second.getKey().body(), third.getKey().body()),
        "every delivery sends the same body");
    third.getKey().answer().complete(503);
    awaitOutbox(List.of());
    pass(Duration.ofSeconds(120));
    assertNull(sender.posts.poll(200, TimeUnit.MILLISECONDS), "given up after 3 attempts");
    // each attempt's outcome goes to the event stream (the metrics count them)
    assertEquals(List.of(new AlertDelivery("j1.FAILED.0", AlertDelivery.Outcome.FAILED, 1),
            new AlertDelivery("j1.FAILED.0", AlertDelivery.Outcome.FAILED, 1),
            new AlertDelivery("j1.FAILED.0", AlertDelivery.Outcome.GIVEN_UP, 0)),
        List.of(events.receiveMessage(), events.receiveMessage(), events.receiveMessage()));
  }

  @Test
  void holdsAtMostTheConcurrencyOfOneUrlInFlight() throws Exception {
    raise(alert("j1.FAILED.0", "https://a.example/hook"), alert("j1.FAILED.1", "https://a.example/hook"),
        alert("j1.FAILED.2", "https://b.example/hook"));
    start(5, 1);
    pass(Duration.ofSeconds(1));
    Post first = sender.next();
    Post other = sender.next();
    assertEquals(List.of("https://a.example/hook", "https://b.example/hook"),
        List.of(first.url().toString(), other.url().toString()));
    pass(Duration.ofSeconds(2));
    assertNull(sender.posts.poll(200, TimeUnit.MILLISECONDS), "a.example has one in flight already");
    first.answer().complete(200);
    Post second = sender.next();
    assertEquals("j1.FAILED.1", second.headers().get(AlertSigner.ID_HEADER));
    second.answer().complete(200);
    other.answer().complete(200);
    awaitOutbox(List.of());
  }

  @Test
  void anAlertWhoseSecretThisMasterLacksIsRetriedAndNeverSentUnsigned() throws Exception {
    store.put(EPOCH, TestingJobs.job("j1", "job"), List.of(new Alert("j1.FAILED.0", "https://a.example/", "nobody",
        new byte[] {'{', '}'})));
    start(2, 4);
    pass(Duration.ofSeconds(1));
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      pass(Duration.ofSeconds(1));
      assertEquals(List.of(), store.pendingAlerts(), "given up after 2 attempts");
      return null;
    });
    assertNull(sender.posts.poll(200, TimeUnit.MILLISECONDS), "nothing was sent");
  }
}
