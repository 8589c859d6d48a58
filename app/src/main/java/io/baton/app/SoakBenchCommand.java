package io.baton.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak benchmark's load generator (see BENCHMARKS.md, {@code bench/soak.sh}): submits one-task noop jobs at a
 * steady rate against a cluster with a short retention, and every {@code --every} prints what must stay flat:
 * ZooKeeper's {@code zk_approximate_data_size} and {@code zk_znode_count} (its {@code mntr} command) and the
 * leader's live heap right after a full GC ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}). At the end it
 * compares the second half's samples: flat when each figure stays within ±10 % of that half's mean.
 */
@Command(name = "bench-soak", mixinStandardHelpOptions = true, hidden = true,
    description = "Soak benchmark: steady one-task jobs against a short retention (see BENCHMARKS.md).")
final class SoakBenchCommand implements Callable<Integer> {
  @Option(names = "--url", required = true) String url;

  @Option(names = "--zk", required = true, description = "host:port of a ZooKeeper that answers mntr") String zk;

  @Option(names = "--master-pid", required = true, description = "the leader's process id, for jcmd") long masterPid;

  @Option(names = "--jobs", defaultValue = "1000000") long jobs;

  @Option(names = "--rate", defaultValue = "500", description = "jobs per second") int rate;

  @Option(names = "--every", defaultValue = "60", description = "seconds between samples") int every;

  @Option(names = "--in-flight", defaultValue = "32") int inFlight;

  private static final String SPEC = "{\"name\":\"soak\",\"tasks\":[{\"id\":\"t\",\"handler\":\"noop\",\"cpus\":0.01,"
      + "\"memoryMb\":1}]}";
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private record Sample(long seconds, long submitted, long zkBytes, long znodes, long heapKb) {}

  @Override
  public Integer call() throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong failed = new AtomicLong();
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    long nextSample = start + Duration.ofSeconds(every).toNanos();
    System.out.printf("soak: %d one-task jobs at %d/s, a sample every %d s%n", jobs, rate, every);
    System.out.println("   s  submitted  zk_approximate_data_size  zk_znode_count  leader heap after GC");
    for (long i = 0; i < jobs; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      if (System.nanoTime() >= nextSample) {
        samples.add(sample((System.nanoTime() - start) / 1_000_000_000L, i));
        nextSample += Duration.ofSeconds(every).toNanos();
      }
      permits.acquire();
      HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(SPEC)).build();
      http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
        permits.release();
        if (e != null || r.statusCode() != 201) {
          failed.incrementAndGet();
        }
      });
    }
    permits.acquire(inFlight);
    samples.add(sample((System.nanoTime() - start) / 1_000_000_000L, jobs));
    System.out.printf("submitted %d jobs in %.0f s (%d refused or failed)%n", jobs,
        (System.nanoTime() - start) / 1e9, failed.get());
    List<Sample> half = samples.subList(samples.size() / 2, samples.size());
    System.out.println("second half (" + half.size() + " samples): " + flatness("zk data size", half, Sample::zkBytes)
        + "; " + flatness("znodes", half, Sample::znodes) + "; " + flatness("leader heap", half, Sample::heapKb));
    return 0;
  }

  private static String flatness(String what, List<Sample> half, java.util.function.ToLongFunction<Sample> f) {
    double mean = half.stream().mapToLong(f).average().orElse(0);
    long min = half.stream().mapToLong(f).min().orElse(0);
    long max = half.stream().mapToLong(f).max().orElse(0);
    double spread = mean == 0 ? 0 : Math.max(mean - min, max - mean) / mean * 100;
    return String.format("%s %s (within ±%.1f %% of its mean)", what, spread <= 10 ? "flat" : "NOT flat", spread);
  }

  private Sample sample(long seconds, long submitted) throws Exception {
    Map<String, String> mntr = mntr();
    long heapKb = heapAfterGc();
    Sample s = new Sample(seconds, submitted, Long.parseLong(mntr.getOrDefault("zk_approximate_data_size", "-1")),
        Long.parseLong(mntr.getOrDefault("zk_znode_count", "-1")), heapKb);
    System.out.printf("%4d  %9d  %24d  %14d  %17.1f MB%n", s.seconds(), s.submitted(), s.zkBytes(), s.znodes(),
        s.heapKb() / 1024.0);
    return s;
  }

  private Map<String, String> mntr() throws Exception {
    String[] hostPort = zk.split(":");
    Map<String, String> out = new HashMap<>();
    try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      OutputStream o = socket.getOutputStream();
      o.write("mntr".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] kv = line.split("\t", 2);
        if (kv.length == 2) {
          out.put(kv[0], kv[1].trim());
        }
      }
    }
    return out;
  }

  /** The used heap after a full GC, from {@code jcmd GC.heap_info} (the sum of its "used" figures). */
  private long heapAfterGc() throws Exception {
    run("jcmd", Long.toString(masterPid), "GC.run");
    String info = run("jcmd", Long.toString(masterPid), "GC.heap_info");
    Matcher m = USED.matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
