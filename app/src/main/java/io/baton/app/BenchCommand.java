package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The throughput benchmark's load generator (see BENCHMARKS.md). After an unmeasured warm-up, phase 1 submits {@code --tasks} noop tasks as
 * jobs of {@code --tasks-per-job} independent tasks and measures tasks/s from the first submit until the last job
 * SUCCEEDED. Phase 2 submits {@code --latency-jobs} one-task jobs at {@code --rate} per second and reports p50/p99
 * of finishedAt - submittedAt as the server recorded them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, hidden = true,
    description = "Throughput and latency benchmark against a running cluster (see BENCHMARKS.md).")
final class BenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--url", defaultValue = "http://localhost:8080") String url;

  @Option(names = "--tasks", defaultValue = "20000") int tasks;

  @Option(names = "--tasks-per-job", defaultValue = "100") int tasksPerJob;

  @Option(names = "--latency-jobs", defaultValue = "1000") int latencyJobs;

  @Option(names = "--rate", defaultValue = "200", description = "one-task jobs per second in phase 2") int rate;

  @Option(names = "--in-flight", defaultValue = "16") int inFlight;

  @Option(names = "--warmup-tasks", defaultValue = "10000", description = "tasks run first, unmeasured (JIT warm-up)")
  int warmupTasks;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() throws Exception {
    waitReady();
    String spec = jobSpec("bench-throughput", tasksPerJob);
    if (warmupTasks > 0) {
      long w0 = System.nanoTime();
      awaitAll(submitAll(Math.max(1, warmupTasks / tasksPerJob), spec, 0));
      System.out.printf("warm-up: %d tasks in %.2f s (not measured)%n", warmupTasks, (System.nanoTime() - w0) / 1e9);
    }
    int jobs = Math.max(1, tasks / tasksPerJob);
    long start = System.nanoTime();
    List<String> ids = submitAll(jobs, spec, 0);
    long submitted = System.nanoTime();
    awaitAll(ids);
    long done = System.nanoTime();
    double seconds = (done - start) / 1e9;
    System.out.printf("throughput: %d tasks in %d jobs, submitted in %.2f s, all SUCCEEDED after %.2f s: %.0f tasks/s%n",
        jobs * tasksPerJob, jobs, (submitted - start) / 1e9, seconds, jobs * tasksPerJob / seconds);

    String one = jobSpec("bench-latency", 1);
    List<String> latencyIds = submitAll(latencyJobs, one, rate);
    List<JsonNode> finished = awaitAll(latencyIds);
    List<Long> millis = new ArrayList<>();
    for (JsonNode j : finished) {
      millis.add(Duration.between(Instant.parse(j.path("submittedAt").asText()), Instant.parse(j.path("finishedAt").asText())).toMillis());
    }
    Collections.sort(millis);
    System.out.printf("latency (one-task jobs at %d/s, submit to SUCCEEDED, server clock): p50 %d ms, p99 %d ms, max %d ms over %d jobs%n",
        rate, pct(millis, 0.50), pct(millis, 0.99), millis.get(millis.size() - 1), millis.size());
    return 0;
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static String jobSpec(String name, int n) {
    StringBuilder b = new StringBuilder("{\"name\":\"" + name + "\",\"tasks\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("{\"id\":\"t").append(i)
          .append("\",\"handler\":\"noop\",\"cpus\":0.01,\"memoryMb\":1}");
    }
    return b.append("]}").toString();
  }

  private void waitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException ignored) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(url + " did not become ready");
      }
      Thread.sleep(200);
    }
  }

  private List<String> submitAll(int count, String spec, int perSecond) throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<String>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (perSecond > 0) {
        long due = start + (long) (i * 1e9 / perSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      permits.acquire();
      HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(spec)).build();
      futures.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> permits.release())
          .thenApply(r -> {
            if (r.statusCode() != 201) {
              throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
            }
            try {
              return JSON.readTree(r.body()).path("id").asText();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
    }
    List<String> ids = new ArrayList<>();
    for (CompletableFuture<String> f : futures) {
      ids.add(f.get());
    }
    return ids;
  }

  private List<JsonNode> awaitAll(List<String> ids) throws Exception {
    List<JsonNode> done = new ArrayList<>();
    for (String id : ids) {
      while (true) {
        JsonNode job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs/" + id)).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        String state = job.path("state").asText();
        if ("SUCCEEDED".equals(state)) {
          done.add(job);
          break;
        }
        if (!"PENDING".equals(state) && !"RUNNING".equals(state)) {
          throw new IllegalStateException("job " + id + " ended " + state);
        }
        Thread.sleep(20);
      }
    }
    return done;
  }
}
