package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.app.security.LocalClusterCerts;
import io.baton.testkit.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of real processes for HA tests: a ZooKeeper process, several masters and workers, all on loopback
 * with free ports. Finds the leader through any master's {@code /api/v1/cluster}.
 */
final class HaCluster implements AutoCloseable {
  private static final Duration PROBE = Duration.ofSeconds(2);
  final Path dir;
  /** Every master and worker speaks mutual TLS with a certificate of the cluster's CA. */
  final LocalClusterCerts certs;
  final int zkPort = BatonProcess.freePort();
  final String zk = "127.0.0.1:" + zkPort;
  final String sessionTimeoutMs;
  BatonProcess zookeeper;
  final Map<String, BatonProcess> masters = new HashMap<>();
  final Map<String, BatonProcess> workers = new HashMap<>();
  private final List<BatonProcess> all = new ArrayList<>();

  HaCluster(Path dir, Duration sessionTimeout) throws Exception {
    this.dir = dir;
    this.certs = new LocalClusterCerts(dir.resolve("tls"));
    this.sessionTimeoutMs = Long.toString(sessionTimeout.toMillis());
  }

  void startZooKeeper() throws Exception {
    zookeeper = track(BatonProcess.start(dir, "zookeeper-" + all.size(), "zookeeper", "--port", String.valueOf(zkPort),
        "--data-dir", dir.resolve("zk").toString()));
    zookeeper.awaitOutput("zookeeper listening", Duration.ofSeconds(60));
  }

  /**
   * ZooKeeper, two masters ({@code master-1}, {@code master-2}) and the workers {@code workerIds}, each with its
   * {@code flags}; returns the leader's REST URL once it is ready and every worker is registered with it.
   */
  String startWithTwoMasters(List<String> workerIds, java.util.function.Function<String, String[]> flags)
      throws Exception {
    startZooKeeper();
    startMaster("master-1");
    startMaster("master-2");
    for (String id : workerIds) {
      startWorker(id, flags.apply(id));
    }
    String leader = awaitLeader(Duration.ofSeconds(180)); // two masters starting on a busy machine
    awaitWorkers(leader, workerIds.size(), Duration.ofSeconds(30));
    return leader;
  }

  /** Starts a master (with {@code extra} flags); returns its REST URL. */
  String startMaster(String name, String... extra) throws Exception {
    int rest = BatonProcess.freePort();
    String url = "http://127.0.0.1:" + rest;
    List<String> args = new ArrayList<>(List.of("master", "--zk", zk, "--rest-port", String.valueOf(rest),
        "--port", "0", "--zk-session-timeout-ms", sessionTimeoutMs, "--data-dir", dir.resolve(name).toString(),
        "--tls-dir", certs.master(name).toString()));
    args.addAll(List.of(extra));
    masters.put(url, track(BatonProcess.start(dir, name, args.toArray(String[]::new))));
    return url;
  }

  BatonProcess startWorker(String id, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("worker", "--zk", zk, "--worker-id", id, "--cpus", "2",
        "--memory-mb", "2048", "--zk-session-timeout-ms", sessionTimeoutMs, "--data-dir", dir.resolve(id).toString(),
        "--tls-dir", certs.worker(id).toString()));
    args.addAll(List.of(extra));
    BatonProcess p = track(BatonProcess.start(dir, id, args.toArray(String[]::new)));
    workers.put(id, p);
    return p;
  }

  private BatonProcess track(BatonProcess p) {
    all.add(p);
    return p;
  }

  /** The leader's REST URL as some live master reports it, waiting until one is published and ready. */
  String awaitLeader(Duration timeout) {
    return Eventually.eventually("a ready leader", timeout, this::readyLeader, leader -> !leader.isEmpty());
  }

  /** The REST URL of a live, ready leader as some live master reports it; empty when there is none yet. */
  private String readyLeader() throws Exception {
    for (Map.Entry<String, BatonProcess> m : masters.entrySet()) {
      if (!m.getValue().isAlive()) {
        continue;
      }
      try {
        JsonNode cluster = new Http(m.getKey(), PROBE).get("/api/v1/cluster");
        String leader = cluster.path("leader").path("restUrl").asText("");
        if (!leader.isEmpty() && masters.containsKey(leader) && masters.get(leader).isAlive()
            && new Http(leader, PROBE).send("GET", "/readyz", null).statusCode() == 200) {
          return leader;
        }
      } catch (java.io.IOException | AssertionError notYet) {
        // this master is not answering yet
      }
    }
    return "";
  }

  void awaitWorkers(String leaderUrl, int alive, Duration timeout) {
    Eventually.eventually(alive + " workers registered with " + leaderUrl, timeout, () -> {
      int n = 0;
      try {
        for (JsonNode w : new Http(leaderUrl, PROBE).get("/api/v1/workers").path("workers")) {
          if (w.path("state").asText().equals("ALIVE")) {
            n++;
          }
        }
      } catch (java.io.IOException | AssertionError notYet) {
        return -1; // the leader is not answering (or not with 200) yet
      }
      return n;
    }, n -> n >= alive);
  }

  /** A job of {@code length} chained shell tasks; each appends "job-task" to {@code marks}, then sleeps. */
  static String chainJob(String name, int length, Path marks, double sleepSeconds, int retries) {
    StringBuilder b = new StringBuilder("{\"name\":\"" + name + "\",\"tasks\":[");
    for (int t = 0; t < length; t++) {
      b.append(t == 0 ? "" : ",").append("{\"id\":\"t").append(t).append("\",\"retries\":").append(retries)
          .append(",\"command\":[\"/bin/sh\",\"-c\",\"echo ").append(name).append("-t").append(t).append(" >> ")
          .append(marks).append("; sleep ").append(sleepSeconds).append("\"]");
      if (t > 0) {
        b.append(",\"dependsOn\":[\"t").append(t - 1).append("\"]");
      }
      b.append("}");
    }
    return b.append("]}").toString();
  }

  /** Every line of {@code marks} with how often it appears. */
  static Map<String, Integer> counts(Path marks) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    if (Files.exists(marks)) {
      for (String line : Files.readAllLines(marks)) {
        if (!line.isBlank()) {
          counts.merge(line.trim(), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  @Override
  public void close() throws Exception {
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).close();
    }
  }
}
