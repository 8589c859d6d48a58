package io.baton.app.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chaos clients: a few threads that submit jobs through random masters, each with its own
 * {@code Idempotency-Key}. After an error, a connection failure, a 5xx (503 included) or a 429 a client retries
 * the same key, possibly at another master, until a 201 or 200 comes back: then the key is acknowledged, with its
 * job id. A key given up (its deadline passed, or another 4xx) is reported, never silently dropped. Starts are
 * spread to at most {@code rate} new keys per second in all, and {@code maxJobs} keys in all. Every answer is
 * logged to {@code submissions.log}.
 */
final class Submitters {
  private final ChaosApi api;
  private final List<String> masters;
  private final ChaosJobs jobs;
  private final long seed;
  private final int threads;
  private final long intervalNanos;
  private final int maxJobs;
  private final Duration keyDeadline;
  private final PrintWriter log;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, String> givenUp = new ConcurrentHashMap<>();
  private final AtomicInteger keys = new AtomicInteger();
  private final AtomicLong nextStart = new AtomicLong(System.nanoTime());
  private final List<Thread> running = new ArrayList<>();
  private volatile boolean stopping;

  Submitters(ChaosApi api, List<String> masters, ChaosJobs jobs, long seed, int threads, double rate, int maxJobs,
      Duration keyDeadline, Path log) {
    this.api = api;
    this.masters = List.copyOf(masters);
    this.jobs = jobs;
    this.seed = seed;
    this.threads = threads;
    this.intervalNanos = (long) (1_000_000_000L / rate);
    this.maxJobs = maxJobs;
    this.keyDeadline = keyDeadline;
    try {
      this.log = new PrintWriter(Files.newBufferedWriter(log), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void start() {
    for (int i = 0; i < threads; i++) {
      Random random = new Random(seed * 31 + i);
      Thread t = new Thread(() -> loop(random), "chaos-client-" + i);
      t.setDaemon(true);
      running.add(t);
      t.start();
    }
  }

  /** Starts no new key; waits until every key in flight is acknowledged or given up. */
  void stop() throws InterruptedException {
    stopping = true;
    for (Thread t : running) {
      t.join();
    }
    log.flush();
  }

  /** Keys submitted (acknowledged or not). */
  int submitted() {
    return keys.get();
  }

  Map<String, String> acknowledged() {
    return Map.copyOf(acknowledged);
  }

  /** Keys never acknowledged, with the last answer. */
  Map<String, String> givenUp() {
    return new LinkedHashMap<>(givenUp);
  }

  private void loop(Random random) {
    while (!stopping) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextStart.getAndUpdate(previous -> Math.max(previous, now) + intervalNanos));
      long wait = slot - now;
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      if (stopping) {
        return;
      }
      int n = keys.incrementAndGet();
      if (n > maxJobs) {
        keys.decrementAndGet();
        return;
      }
      String key = "chaos-" + seed + "-" + n;
      submitUntilAcknowledged(key, jobs.spec(key, random), random);
    }
  }

  private void submitUntilAcknowledged(String key, String spec, Random random) {
    long deadline = System.nanoTime() + keyDeadline.toNanos();
    for (int attempt = 1; ; attempt++) {
      String master = masters.get(random.nextInt(masters.size()));
      ChaosApi.Answer answer = api.submit(master, key, spec);
      log.printf("%s %s try %d at %s: %d %s%n", Instant.now(), key, attempt, master, answer.status(),
          answer.body().replace('\n', ' '));
      if (answer.accepted()) {
        acknowledged.put(key, answer.jobId());
        return;
      }
      if (!answer.retryable() || System.nanoTime() > deadline) {
        givenUp.put(key, answer.status() + " " + answer.body());
        return;
      }
      try {
        Thread.sleep(100 + random.nextInt(200));
      } catch (InterruptedException e) {
        givenUp.put(key, "interrupted");
        return;
      }
    }
  }
}
