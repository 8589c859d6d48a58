package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.app.security.LocalClusterCerts;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The failover benchmark (see BENCHMARKS.md): a ZooKeeper process, two masters and three workers of this very
 * installation; {@code --kills} times, kill -9 the leader and measure from the kill until (1) a new leader
 * answers REST ({@code GET /api/v1/jobs} 200 from the other master) and (2) every worker is registered with it,
 * then restart the killed master as a standby.
 */
@Command(name = "bench-failover", mixinStandardHelpOptions = true, hidden = true,
    description = "Failover benchmark: repeated kill -9 of the leader (see BENCHMARKS.md).")
final class FailoverBenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--kills", defaultValue = "10") int kills;

  @Option(names = "--zk-session-timeout-ms", description = "session timeout of the masters and workers (default: the configured default)")
  Long sessionTimeoutMs;

  @Option(names = "--workers", defaultValue = "3") int workerCount;

  @Option(names = "--planned", description = "stop the leader with SIGTERM (a planned handover) instead of kill -9")
  boolean planned;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
  private final List<Process> processes = new ArrayList<>();
  /** The masters' ZooKeeper secret (a master refuses to run without one). */
  private final String zkSecret = java.util.UUID.randomUUID().toString();

  @Override
  public Integer call() throws Exception {
    Path home = Path.of(FailoverBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent().getParent().getParent();
    Path baton = home.resolve("bin/baton");
    Path dir = Files.createTempDirectory("baton-failover");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
    int zkPort = freePort();
    String zk = "127.0.0.1:" + zkPort;
    start(baton, dir, "zookeeper", "zookeeper", "--port", String.valueOf(zkPort), "--data-dir", dir.resolve("zk").toString());
    Thread.sleep(3000);
    Map<String, Process> masters = new LinkedHashMap<>();
    Map<String, Integer> restPorts = new LinkedHashMap<>();
    for (String name : List.of("m1", "m2")) {
      int port = freePort();
      String url = "http://127.0.0.1:" + port;
      restPorts.put(url, port);
      masters.put(url, startMaster(baton, dir, name, zk, port));
    }
    for (int i = 1; i <= workerCount; i++) {
      List<String> args = new ArrayList<>(List.of("worker", "--zk", zk, "--worker-id", "w" + i, "--data-dir", dir.resolve("w" + i).toString(),
          "--tls-dir", new LocalClusterCerts(dir.resolve("tls")).worker("w" + i).toString()));
      session(args);
      start(baton, dir, "w" + i, args.toArray(String[]::new));
    }
    String leader = awaitLeader(masters.keySet(), null, Duration.ofSeconds(120));
    awaitWorkers(leader, Duration.ofSeconds(60));
    warmUpPolling(masters.keySet());
    String timeout = sessionTimeoutMs == null ? "default" : sessionTimeoutMs + " ms";
    System.out.printf("%s: %d %s, session timeout %s, 2 masters, %d workers%n", planned ? "planned handover" : "failover",
        kills, planned ? "SIGTERMs" : "kills", timeout, workerCount);
    List<Long> rest = new ArrayList<>();
    List<Long> registered = new ArrayList<>();
    List<Long> expiry = new ArrayList<>();
    List<Long> afterExpiry = new ArrayList<>();
    List<Long> publishedAfter = new ArrayList<>();
    List<Long> latchGoneAfter = new ArrayList<>();
    // the killed leader's ephemeral /leader goes when ZooKeeper ends its session: the reference Baton controls nothing before
    org.apache.curator.framework.CuratorFramework watcher = org.apache.curator.framework.CuratorFrameworkFactory.builder()
        .connectString(zk).retryPolicy(new org.apache.curator.retry.RetryOneTime(100))
        .authorization("digest", io.baton.ha.zookeeper.ZkAcls.digestAuth(zkSecret)).build();
    watcher.start();
    io.baton.ha.zookeeper.ZkPaths zkPaths = new io.baton.ha.zookeeper.ZkPaths(io.baton.ha.zookeeper.ZkPaths.DEFAULT_CLUSTER_ID);
    String leaderPath = zkPaths.leader();
    for (int k = 1; k <= kills; k++) {
      Thread.sleep(1000);
      java.util.concurrent.CompletableFuture<Long> gone = new java.util.concurrent.CompletableFuture<>();
      java.util.concurrent.CompletableFuture<Long> published = new java.util.concurrent.CompletableFuture<>();
      watcher.checkExists().usingWatcher((org.apache.zookeeper.Watcher) event -> {
        if (event.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeDeleted) {
          gone.complete(System.nanoTime());
          try {
            // then the next leader's /leader: created (watched), or already there when asked
            watcher.checkExists().usingWatcher((org.apache.zookeeper.Watcher) created -> {
              if (created.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeCreated) {
                published.complete(System.nanoTime());
              }
            }).inBackground((c, answer) -> {
              if (answer.getStat() != null) {
                published.complete(System.nanoTime());
              }
            }).forPath(leaderPath);
          } catch (Exception e) {
            published.completeExceptionally(e);
          }
        }
      }).forPath(leaderPath);
      // the old leader's latch node: its deletion is what lets the standby's latch grant it leadership
      java.util.concurrent.CompletableFuture<Long> latchGone = new java.util.concurrent.CompletableFuture<>();
      watcher.getChildren().usingWatcher((org.apache.zookeeper.Watcher) event -> {
        if (event.getType() == org.apache.zookeeper.Watcher.Event.EventType.NodeChildrenChanged) {
          latchGone.complete(System.nanoTime());
        }
      }).forPath(zkPaths.leaderLatch());
      long t0 = System.nanoTime();
      java.time.LocalTime wall0 = java.time.LocalTime.now();
      if (planned) {
        masters.get(leader).destroy();
      } else {
        masters.get(leader).destroyForcibly();
      }
      String next = awaitLeader(masters.keySet(), leader, Duration.ofSeconds(60));
      long tRest = System.nanoTime();
      awaitWorkers(next, Duration.ofSeconds(60));
      long tWorkers = System.nanoTime();
      long tExpired = gone.get(10, TimeUnit.SECONDS);
      long tPublished = published.get(10, TimeUnit.SECONDS);
      publishedAfter.add((tPublished - t0) / 1_000_000);
      latchGoneAfter.add((latchGone.get(10, TimeUnit.SECONDS) - t0) / 1_000_000);
      rest.add((tRest - t0) / 1_000_000);
      registered.add((tWorkers - t0) / 1_000_000);
      expiry.add((tExpired - t0) / 1_000_000);
      afterExpiry.add((tRest - tExpired) / 1_000_000);
      System.out.printf("kill %2d: new leader answers REST after %5d ms, all %d workers registered after %5d ms "
              + "(the old /leader gone after %5d ms, the new one published after %5d ms; REST %4d ms after the old "
              + "one went; its latch node gone after %5d ms; %s at %s)%n", k, rest.get(rest.size() - 1), workerCount,
          registered.get(registered.size() - 1), expiry.get(expiry.size() - 1),
          publishedAfter.get(publishedAfter.size() - 1), afterExpiry.get(afterExpiry.size() - 1),
          latchGoneAfter.get(latchGoneAfter.size() - 1), planned ? "SIGTERM" : "kill", wall0);
      masters.get(leader).waitFor(10, TimeUnit.SECONDS);
      masters.put(leader, startMaster(baton, dir, "m-restart-" + k, zk, restPorts.get(leader)));
      awaitStandby(leader, Duration.ofSeconds(60));
      leader = next;
    }
    System.out.printf("new leader answers REST: median %d ms, max %d ms%n", median(rest), Collections.max(rest));
    System.out.printf("all workers registered:  median %d ms, max %d ms%n", median(registered), Collections.max(registered));
    System.out.printf("old /leader gone:        median %d ms, max %d ms after the %s%n", median(expiry),
        Collections.max(expiry), planned ? "SIGTERM (handed over)" : "kill (session expired)");
    System.out.printf("old latch node gone:     median %d ms, max %d ms after the %s%n", median(latchGoneAfter),
        Collections.max(latchGoneAfter), planned ? "SIGTERM" : "kill");
    System.out.printf("new /leader published:   median %d ms, max %d ms after the %s%n", median(publishedAfter),
        Collections.max(publishedAfter), planned ? "SIGTERM" : "kill");
    System.out.printf("new leader answers REST: median %d ms, max %d ms after the old /leader went%n",
        median(afterExpiry), Collections.max(afterExpiry));
    watcher.close();
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      p.waitFor(15, TimeUnit.SECONDS);
    }
    return 0;
  }

  private void session(List<String> args) {
    if (sessionTimeoutMs != null) {
      args.addAll(List.of("--zk-session-timeout-ms", sessionTimeoutMs.toString()));
    }
  }

  private Process startMaster(Path baton, Path dir, String name, String zk, int port) throws IOException {
    List<String> args = new ArrayList<>(List.of("master", "--zk", zk, "--rest-port", String.valueOf(port), "--port", "0",
        "--data-dir", dir.resolve(name).toString(), "--tls-dir", new LocalClusterCerts(dir.resolve("tls")).master(name).toString()));
    session(args);
    return start(baton, dir, name, args.toArray(String[]::new));
  }

  private Process start(Path baton, Path dir, String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(baton.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    // quiet by default; BATON_LOG_LEVEL=INFO keeps each process's timeline in <dir>/<name>.log
    pb.environment().putIfAbsent("BATON_LOG_LEVEL", "WARN");
    pb.environment().put("BATON_ZK_SECRET", zkSecret); // the masters' ZooKeeper secret; workers ignore it
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(500)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Compiles this benchmark's own HTTP polling before the first kill: cold, its JIT took a core for up to 1.5 s
   * right inside the measured window (JFR), on a machine where the masters and workers share two cores. It asks
   * only for {@code /healthz}, which any master answers itself, so no Baton path under measurement is warmed.
   */
  private void warmUpPolling(Iterable<String> masters) throws Exception {
    for (int i = 0; i < 1500; i++) {
      for (String m : masters) {
        try {
          get(m + "/api/v1/healthz");
        } catch (IOException slow) {
          // a slow answer while both are still compiling: keep going
        }
      }
    }
  }

  /** A master other than {@code not} that says it leads and serves the job list. */
  private String awaitLeader(Iterable<String> masters, String not, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String m : masters) {
        if (m.equals(not)) {
          continue;
        }
        try {
          JsonNode cluster = JSON.readTree(get(m + "/api/v1/cluster").body());
          if (cluster.path("self").path("isLeader").asBoolean() && get(m + "/api/v1/jobs?limit=1").statusCode() == 200) {
            return m;
          }
        } catch (IOException | InterruptedException notYet) {
          // down or starting
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no leader within " + timeout);
  }

  private void awaitWorkers(String leader, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        int alive = 0;
        for (JsonNode w : JSON.readTree(get(leader + "/api/v1/workers").body()).path("workers")) {
          alive += w.path("state").asText().equals("ALIVE") ? 1 : 0;
        }
        if (alive >= workerCount) {
          return;
        }
      } catch (IOException notYet) {
        // retry
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("workers did not register with " + leader + " within " + timeout);
  }

  private void awaitStandby(String master, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        JsonNode cluster = JSON.readTree(get(master + "/api/v1/cluster").body());
        if (cluster.path("masters").size() >= 2) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(master + " did not come back as a standby");
  }
}
