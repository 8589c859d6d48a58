package io.baton.app.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The fault loop: injects faults drawn from a seeded {@link Random} (each round a shuffled list of every kind,
 * so a short run still sees each once), waits for the cluster to recover after each (a leader whose
 * {@code /readyz} answers 200 and every current worker ALIVE there), then lets jobs run 2–5 s before the next.
 * Stops after {@code count} faults or at {@code deadline}, or when the cluster did not recover (reported).
 * Runs on the calling thread.
 */
final class FaultInjector {
  private static final Duration RECOVERY = Duration.ofSeconds(90);

  private final ChaosCluster cluster;
  private final ChaosApi api;
  private final Random random;
  private final long sessionTimeoutMs;
  private final PrintStream out;
  private final Instant origin;
  private final List<Fault> faults = new ArrayList<>();
  private final List<FaultKind> round = new ArrayList<>();
  private final Optional<LoopbackPartitions> partitions;
  private final int gapMinMillis;
  private final int gapMaxMillis;
  private String problem;

  /**
   * @param partitions where network partitions can be made; without, the partition kinds are left out
   * @param gapSeconds how long the cluster runs undisturbed after one fault's recovery before the next, drawn
   *     evenly from this range ({@code "2-5"})
   */
  FaultInjector(ChaosCluster cluster, ChaosApi api, Random random, long sessionTimeoutMs, PrintStream out, Instant origin,
      Optional<LoopbackPartitions> partitions, String gapSeconds) {
    String[] bounds = gapSeconds.split("-");
    this.gapMinMillis = (int) (Double.parseDouble(bounds[0].trim()) * 1000);
    this.gapMaxMillis = (int) (Double.parseDouble(bounds[bounds.length - 1].trim()) * 1000);
    if (gapMinMillis < 0 || gapMaxMillis < gapMinMillis) {
      throw new IllegalArgumentException("a fault gap is a range of seconds like 2-5, not " + gapSeconds);
    }
    this.cluster = cluster;
    this.partitions = partitions;
    this.api = api;
    this.random = random;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.out = out;
    this.origin = origin;
  }

  List<Fault> faults() {
    return List.copyOf(faults);
  }

  /** Why the loop stopped early, if it did. */
  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  void run(int count, Instant deadline) throws Exception {
    for (int i = 1; i <= count && Instant.now().isBefore(deadline); i++) {
      Thread.sleep(gapMinMillis + random.nextInt(gapMaxMillis - gapMinMillis + 1));
      FaultKind kind = nextKind();
      Instant at = Instant.now();
      String target = inject(kind);
      Optional<String> failed = awaitRecovery(RECOVERY);
      Fault fault = new Fault(i, kind, target, at, Instant.now());
      faults.add(fault);
      out.println(fault.describe(origin));
      if (failed.isPresent()) {
        problem = "the cluster did not recover within " + RECOVERY.toSeconds() + " s after fault " + i + ": " + failed.get();
        out.println(problem);
        return;
      }
    }
  }

  private FaultKind nextKind() {
    if (round.isEmpty()) {
      Arrays.stream(FaultKind.values()).filter(k -> partitions.isPresent() || !k.isPartition()).forEach(round::add);
      Collections.shuffle(round, random);
    }
    return round.remove(0);
  }

  /** Injects the fault and undoes it (restart, SIGCONT) as its kind says; returns the target's name. */
  private String inject(FaultKind kind) throws Exception {
    switch (kind) {
      case KILL_LEADER -> {
        ChaosCluster.Node leader = leader();
        cluster.kill9(leader);
        pause(2000, 5000);
        cluster.restartMaster(leader.name());
        return leader.name();
      }
      case KILL_STANDBY -> {
        ChaosCluster.Node leader = leader();
        List<ChaosCluster.Node> standbys = cluster.masters().values().stream()
            .filter(m -> m != leader && m.process().isAlive()).sorted(java.util.Comparator.comparing(ChaosCluster.Node::name)).toList();
        ChaosCluster.Node standby = standbys.get(random.nextInt(standbys.size()));
        cluster.kill9(standby);
        pause(1000, 4000);
        cluster.restartMaster(standby.name());
        return standby.name();
      }
      case KILL_WORKER_RESTART -> {
        ChaosCluster.Node worker = anyWorker();
        cluster.kill9(worker);
        pause(1000, 10000);
        cluster.awaitRegistered(cluster.startWorker(worker.name()), RECOVERY);
        return worker.name();
      }
      case KILL_WORKER_REPLACE -> {
        ChaosCluster.Node worker = anyWorker();
        cluster.kill9(worker);
        pause(0, 2000);
        ChaosCluster.Node replacement = cluster.startNewWorker();
        out.printf("          %s replaces %s%n", replacement.name(), worker.name());
        cluster.awaitRegistered(replacement, RECOVERY);
        return worker.name();
      }
      case STOP_LEADER -> {
        ChaosCluster.Node leader = leader();
        cluster.signal(leader, "STOP");
        pause(sessionTimeoutMs + 1000, sessionTimeoutMs + 2000);
        cluster.signal(leader, "CONT");
        return leader.name();
      }
      case STOP_WORKER -> {
        ChaosCluster.Node worker = anyWorker();
        cluster.signal(worker, "STOP");
        pause(10000, 12000);
        cluster.signal(worker, "CONT");
        return worker.name();
      }
      case KILL_ZOOKEEPER -> {
        cluster.kill9(cluster.zookeeper());
        pause(1000, 3000);
        cluster.restartZooKeeper(Duration.ofSeconds(60));
        return "zookeeper";
      }
      case PARTITION_LEADER -> {
        ChaosCluster.Node leader = leader();
        partition(remotingPort(leader));
        return leader.name();
      }
      case PARTITION_WORKER -> {
        ChaosCluster.Node worker = anyWorker();
        partition(remotingPort(worker));
        return worker.name();
      }
      default -> throw new IllegalArgumentException(kind.toString());
    }
  }

  /** Cuts {@code port} off past the heartbeat timeout (10–12 s), then heals it. */
  private void partition(int port) throws Exception {
    LoopbackPartitions p = partitions.orElseThrow();
    p.cut(port);
    try {
      pause(10000, 12000);
    } finally {
      p.heal(port);
    }
  }

  /** The port a node's remoting (Artery) listens on: the one it listens on that is not a master's REST port. */
  private int remotingPort(ChaosCluster.Node node) throws Exception {
    Set<Integer> rest = cluster.restPorts();
    return LoopbackPartitions.listeningPorts(node.pid()).stream().filter(p -> !rest.contains(p)).findFirst()
        .orElseThrow(() -> new IllegalStateException(node.name() + " (pid " + node.pid() + ") listens on no remoting port"));
  }

  private void pause(long minMillis, long maxMillis) throws InterruptedException {
    Thread.sleep(minMillis + (long) (random.nextDouble() * (maxMillis - minMillis)));
  }

  private ChaosCluster.Node anyWorker() {
    List<ChaosCluster.Node> workers = cluster.workers().values().stream()
        .sorted(java.util.Comparator.comparing(ChaosCluster.Node::name)).toList();
    return workers.get(random.nextInt(workers.size()));
  }

  private ChaosCluster.Node leader() throws Exception {
    String url = awaitReadyLeader(RECOVERY).orElseThrow(() -> new IllegalStateException("no ready leader"));
    return cluster.masterAt(url).orElseThrow();
  }

  /** A ready leader's REST URL, as any live master reports it. */
  Optional<String> awaitReadyLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (String master : cluster.masterUrls()) {
        Optional<String> leader = api.leaderOf(master);
        if (leader.isPresent() && cluster.masterAt(leader.get()).map(n -> n.process().isAlive()).orElse(false)
            && api.ready(leader.get())) {
          return leader;
        }
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /** Empty once a ready leader lists every current worker ALIVE; else what was missing at the timeout. */
  Optional<String> awaitRecovery(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String missing = "no ready leader";
    do {
      Optional<String> leader = awaitReadyLeader(Duration.ofSeconds(1));
      if (leader.isPresent()) {
        Set<String> alive = api.aliveWorkers(leader.get());
        if (alive.containsAll(cluster.workerIds())) {
          return Optional.empty();
        }
        missing = "leader " + leader.get() + " lists ALIVE only " + alive + " of " + cluster.workerIds();
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return Optional.of(missing);
  }

  /** For the summary: the processes and their pids, e.g. at the start. */
  String describeCluster() {
    StringBuilder b = new StringBuilder();
    Map<String, ChaosCluster.Node> masters = cluster.masters();
    masters.values().forEach(m -> b.append(m.name()).append('=').append(m.pid()).append(' '));
    cluster.workers().values().forEach(w -> b.append(w.name()).append('=').append(w.pid()).append(' '));
    return b.toString().trim();
  }
}
