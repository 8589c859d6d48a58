package io.baton.app.chaos;

import io.baton.app.security.LocalClusterCerts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of this installation's {@code bin/baton} processes on 127.0.0.1 with free ports: one ZooKeeper, the
 * masters (each keeps its REST port across restarts) and the workers (each with its own {@code --data-dir} and
 * {@code --worker-id}, also passed as {@code BATON_WORKER_ID} so its attempts inherit it). Every process writes to
 * {@code <name>[-<restart>].log} in the run directory and runs there. {@link #close} stops everything it started,
 * then kills any process still working in the run directory (attempts orphaned by a killed worker).
 * Used by one thread at a time (the chaos command's main thread, then a shutdown hook).
 */
final class ChaosCluster implements AutoCloseable {
  static final String JAVA_OPTS = "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

  /** A started process and its name (m1, w2, zookeeper...). */
  record Node(String name, Process process, Path log) {
    long pid() {
      return process.pid();
    }
  }

  private final Path baton;
  private final Path dir;
  private final long sessionTimeoutMs;
  private final LocalClusterCerts certs;
  private final int zkPort = freePort();
  private final String zk = "127.0.0.1:" + zkPort;
  /** The masters' ZooKeeper secret (a master refuses to run without one). */
  private final String zkSecret = java.util.UUID.randomUUID().toString();
  private final List<Node> started = new ArrayList<>();
  private final Map<String, Integer> restarts = new LinkedHashMap<>();
  private final Map<String, Integer> masterPorts = new LinkedHashMap<>();
  private final Map<String, Node> masters = new LinkedHashMap<>();
  private final Map<String, Node> workers = new LinkedHashMap<>();
  private Node zookeeper;
  private int workersEverStarted;
  private boolean closed;

  ChaosCluster(Path baton, Path dir, long sessionTimeoutMs) {
    this.baton = baton;
    this.dir = dir;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.certs = new LocalClusterCerts(dir.resolve("tls"));
  }

  void startZooKeeper(Duration timeout) throws Exception {
    Node zookeeper = start("zookeeper", Map.of(), "zookeeper", "--port", String.valueOf(zkPort),
        "--data-dir", dir.resolve("zk").toString());
    synchronized (this) {
      this.zookeeper = zookeeper;
    }
    awaitLog(zookeeper, "zookeeper listening", timeout);
  }

  /** Every master's REST port. */
  synchronized java.util.Set<Integer> restPorts() {
    return java.util.Set.copyOf(masterPorts.values());
  }

  /** Starts master {@code name} on a fresh REST port; returns its REST URL. */
  synchronized String startMaster(String name) throws IOException {
    masterPorts.put(name, freePort());
    return restartMaster(name);
  }

  /** Starts master {@code name} again on its REST port; returns its REST URL. */
  synchronized String restartMaster(String name) throws IOException {
    int port = masterPorts.get(name);
    masters.put(name, start(name, Map.of("BATON_ZK_SECRET", zkSecret), "master", "--zk", zk, "--rest-port",
        String.valueOf(port), "--port", "0", "--zk-session-timeout-ms", String.valueOf(sessionTimeoutMs), "--data-dir",
        dir.resolve(name).toString(), "--tls-dir", certs.master(name).toString()));
    return url(name);
  }

  /** Starts a new worker with a fresh id and directory ({@code w1}, {@code w2}, ...); returns its id. */
  synchronized Node startNewWorker() throws IOException {
    return startWorker("w" + (++workersEverStarted));
  }

  /** Starts worker {@code id} on its data directory (again, after a kill). */
  synchronized Node startWorker(String id) throws IOException {
    return start(id, Map.of("BATON_WORKER_ID", id), "worker", "--zk", zk, "--worker-id", id, "--cpus", "2",
        "--memory-mb", "2048", "--zk-session-timeout-ms", String.valueOf(sessionTimeoutMs),
        "--data-dir", dir.resolve(id).toString(), "--tls-dir", certs.worker(id).toString());
  }

  /** Waits until the worker's log says it registered with a leader (a restarted worker is then really back). */
  void awaitRegistered(Node worker, Duration timeout) throws Exception {
    awaitLog(worker, "registered with leader", timeout);
  }

  /** kill -9 and wait until the process is gone; a killed worker no longer counts as one of the cluster's. */
  synchronized void kill9(Node node) throws InterruptedException {
    node.process().destroyForcibly();
    node.process().waitFor(10, TimeUnit.SECONDS);
    workers.values().remove(node);
  }

  /** Sends SIGSTOP or SIGCONT. */
  void signal(Node node, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(node.pid())).redirectErrorStream(true).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + node.pid() + " failed");
    }
  }

  synchronized List<String> masterUrls() {
    return masterPorts.keySet().stream().map(this::url).toList();
  }

  synchronized Optional<Node> masterAt(String url) {
    return masters.entrySet().stream().filter(e -> url(e.getKey()).equals(url)).map(Map.Entry::getValue).findFirst();
  }

  synchronized Map<String, Node> masters() {
    return Map.copyOf(masters);
  }

  synchronized Map<String, Node> workers() {
    return Map.copyOf(workers);
  }

  synchronized Set<String> workerIds() {
    return Set.copyOf(workers.keySet());
  }

  synchronized Node zookeeper() {
    return zookeeper;
  }

  private String url(String master) {
    return "http://127.0.0.1:" + masterPorts.get(master);
  }

  private synchronized Node start(String name, Map<String, String> env, String... args) throws IOException {
    Node node = launch(name, env, args);
    if (args[0].equals("worker")) {
      workers.put(name, node);
    }
    return node;
  }

  private Node launch(String name, Map<String, String> env, String... args) throws IOException {
    int n = restarts.merge(name, 1, Integer::sum);
    List<String> cmd = new ArrayList<>();
    cmd.add(baton.toString());
    cmd.addAll(List.of(args));
    Path log = dir.resolve(n == 1 ? name + ".log" : name + "-" + n + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("BATON_JAVA_OPTS", JAVA_OPTS);
    pb.environment().putAll(env);
    Node node = new Node(name, pb.start(), log);
    started.add(node);
    return node;
  }

  private static void awaitLog(Node node, String text, Duration timeout) throws Exception {
    Path log = node.log();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(log) || !Files.readString(log).contains(text)) {
      if (!node.process().isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(node.name() + " did not print '" + text + "' (see " + log + ")");
      }
      Thread.sleep(50);
    }
  }

  /** Restarts ZooKeeper on its data directory and port. */
  void restartZooKeeper(Duration timeout) throws Exception {
    startZooKeeper(timeout);
  }

  /**
   * Stops every process it started (SIGCONT first, in case one is paused; then SIGTERM, SIGKILL after 10 s), then
   * SIGKILLs every process still working under the run directory. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Node node : started) {
      if (node.process().isAlive()) {
        try {
          signal(node, "CONT");
        } catch (IOException | InterruptedException ignored) {
          // it is being stopped anyway
        }
        node.process().destroy();
      }
    }
    for (Node node : started) {
      try {
        if (!node.process().waitFor(10, TimeUnit.SECONDS)) {
          node.process().destroyForcibly();
          node.process().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        node.process().destroyForcibly();
      }
    }
    killStrays();
  }

  /** Kills processes whose working directory is inside the run directory (attempts that outlived their worker). */
  int killStrays() {
    Path root = dir.toAbsolutePath().normalize();
    long self = ProcessHandle.current().pid();
    int killed = 0;
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      if (p.pid() == self) {
        continue;
      }
      try {
        Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        if (cwd.startsWith(root) && p.destroyForcibly()) {
          killed++;
        }
      } catch (IOException | UnsupportedOperationException | SecurityException gone) {
        // not ours, or already gone
      }
    }
    return killed;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
