package io.baton.app.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code baton chaos}: the randomized fault test (see BENCHMARKS.md, "Randomized fault test"). Starts a cluster of
 * this installation's processes (ZooKeeper, three masters, three workers), submits jobs whose tasks write their
 * life to a ledger, injects random faults, waits until every acknowledged job finished, then lets the
 * {@link HistoryChecker} prove the history. Prints the fault schedule and one summary line; exits 0 only on PASS.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, hidden = true,
    description = "Randomized fault test with a history checker (see BENCHMARKS.md).")
public final class ChaosCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "seed of every random choice (default: random, printed)")
  Long seed;

  @Option(names = "--faults", defaultValue = "35", description = "faults to inject (default 35)")
  int faultCount;

  @Option(names = "--duration", defaultValue = "PT15M", description = "longest fault phase, ISO-8601 or e.g. 90s (default 15m)")
  String duration;

  @Option(names = "--drain-timeout", defaultValue = "PT5M", description = "longest wait for acknowledged jobs to finish (default 5m)")
  String drainTimeout;

  @Option(names = "--rate", defaultValue = "1.0", description = "new jobs per second, all clients together (default 1)")
  double rate;

  @Option(names = "--clients", defaultValue = "3", description = "client threads (default 3)")
  int clients;

  @Option(names = "--max-jobs", defaultValue = "2000", description = "jobs to submit at most (default 2000)")
  int maxJobs;

  @Option(names = "--long-fraction", defaultValue = "0.1", description = "fraction of long tasks (default 0.1)")
  double longFraction;

  @Option(names = "--long-seconds", defaultValue = "10-30", description = "duration range of long tasks (default 10-30)")
  String longSeconds;

  @Option(names = "--fault-gap", defaultValue = "2-5",
      description = "seconds the cluster runs undisturbed between one fault's recovery and the next, a range (default 2-5)")
  String faultGap;

  @Option(names = "--zk-session-timeout-ms", defaultValue = "2000", description = "session timeout of masters and workers (default 2000)")
  long sessionTimeoutMs;

  @Option(names = "--dir", description = "where to create the run directory (default: the temp directory)")
  Path parent;

  @Option(names = "--keep", description = "keep the run directory after a PASS too")
  boolean keep;

  @Option(names = "--no-partitions", description = "no network partitions, even where iptables can make them"
      + " (by default they are on when this runs as root with a working iptables)")
  boolean noPartitions;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    checkRange("--fault-gap", faultGap);
    checkRange("--long-seconds", longSeconds);
    long seed = this.seed != null ? this.seed : new Random().nextLong() & 0xffffffffL;
    PrintStream out = System.out;
    out.printf("chaos: seed=%d (replay with --seed %d)%n", seed, seed);
    Path dir = Files.createTempDirectory(parent != null ? Files.createDirectories(parent) : Path.of(System.getProperty("java.io.tmpdir")),
        "baton-chaos-" + seed + "-");
    out.println("chaos: run directory " + dir);
    Path ledger = dir.resolve("ledger.txt");
    Files.createFile(ledger);
    ChaosCluster cluster = new ChaosCluster(batonLauncher(), dir, sessionTimeoutMs);
    Thread cleanup = new Thread(cluster::close, "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    ChaosApi api = new ChaosApi();
    Instant origin = Instant.now();
    Optional<LoopbackPartitions> partitions = noPartitions ? Optional.empty() : LoopbackPartitions.available();
    out.println("chaos: network partitions " + (partitions.isPresent() ? "on (iptables on loopback)"
        : noPartitions ? "off (--no-partitions)" : "off (they need root and a working iptables)"));
    Thread healPartitions = new Thread(() -> partitions.ifPresent(LoopbackPartitions::close), "chaos-heal");
    Runtime.getRuntime().addShutdownHook(healPartitions);
    FaultInjector faults = new FaultInjector(cluster, api, new Random(seed), sessionTimeoutMs, out, origin, partitions,
        faultGap);
    Submitters submitters = null;
    List<String> problems = new ArrayList<>();
    Map<String, JobRecord> records = new HashMap<>();
    List<JobRecord.Listed> listed = List.of();
    try {
      cluster.startZooKeeper(Duration.ofSeconds(60));
      for (String m : List.of("m1", "m2", "m3")) {
        cluster.startMaster(m);
      }
      for (int i = 0; i < 3; i++) {
        cluster.startNewWorker();
      }
      Optional<String> notUp = faults.awaitRecovery(Duration.ofSeconds(120));
      if (notUp.isPresent()) {
        throw new IllegalStateException("the cluster did not come up: " + notUp.get());
      }
      out.printf("chaos: cluster up after %.1f s: %s%n", Duration.between(origin, Instant.now()).toMillis() / 1000.0,
          faults.describeCluster());
      ChaosJobs jobs = new ChaosJobs(ledger, ChaosJobs.Durations.parse(longFraction, longSeconds));
      submitters = new Submitters(api, cluster.masterUrls(), jobs, seed, clients, rate, maxJobs, Duration.ofSeconds(120),
          dir.resolve("submissions.log"));
      submitters.start();
      faults.run(faultCount, Instant.now().plus(parse(duration)));
      faults.problem().ifPresent(problems::add);
      submitters.stop();
      out.printf("chaos: faults done after %.1f s; %d jobs submitted, %d acknowledged; waiting for them to finish%n",
          Duration.between(origin, Instant.now()).toMillis() / 1000.0, submitters.submitted(), submitters.acknowledged().size());
      Optional<List<JobRecord.Listed>> finished = awaitFinished(faults, api, submitters.acknowledged(), parse(drainTimeout));
      if (finished.isEmpty()) {
        problems.add("not every acknowledged job finished within " + drainTimeout);
      } else {
        out.printf("chaos: every acknowledged job finished after %.1f s; reading their records%n",
            Duration.between(origin, Instant.now()).toMillis() / 1000.0);
      }
      listed = readList(faults, api);
      records = readRecords(faults, api, submitters.acknowledged());
    } catch (Exception e) {
      problems.add("the run stopped early: " + e);
    } finally {
      if (submitters != null) {
        submitters.stop();
      }
      partitions.ifPresent(LoopbackPartitions::close);
      cluster.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
      Runtime.getRuntime().removeShutdownHook(healPartitions);
    }
    List<String> ledgerLines = Files.readAllLines(ledger);
    Map<String, String> acknowledged = submitters == null ? Map.of() : submitters.acknowledged();
    Map<String, String> givenUp = submitters == null ? Map.of() : submitters.givenUp();
    givenUp.forEach((key, answer) -> problems.add("key " + key + " was never acknowledged; last answer " + answer));
    CheckReport report = new HistoryChecker(HistoryChecker.Rules.DEFAULT)
        .check(new History(ledgerLines, faults.faults(), acknowledged, listed, records));
    boolean pass = report.passed() && problems.isEmpty();
    String summary = String.format("chaos: seed=%d faults=%d jobs=%d acked=%d runs=%d %s problems=%d -> %s", seed,
        faults.faults().size(), submitters == null ? 0 : submitters.submitted(), acknowledged.size(), report.runs(),
        report.counts(), problems.size(), pass ? "PASS" : "FAIL");
    List<String> schedule = faults.faults().stream().map(f -> f.describe(origin)).toList();
    Files.write(dir.resolve("faults.txt"), schedule);
    List<String> findings = new ArrayList<>(problems);
    report.violations().forEach(v -> findings.add(v.describe()));
    Files.write(dir.resolve("violations.txt"), findings);
    Files.write(dir.resolve("acknowledged.txt"), acknowledged.entrySet().stream()
        .sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + " " + e.getValue()).toList());
    out.println("chaos: fault schedule (t = seconds since start)");
    schedule.forEach(out::println);
    findings.stream().limit(50).forEach(f -> out.println("chaos: " + f));
    if (findings.size() > 50) {
      out.println("chaos: ... " + (findings.size() - 50) + " more in " + dir.resolve("violations.txt"));
    }
    Files.writeString(dir.resolve("summary.txt"), summary + System.lineSeparator());
    out.println(summary);
    if (pass && !keep) {
      deleteTree(dir);
    } else {
      out.println("chaos: kept the run directory " + dir);
    }
    return pass ? 0 : 1;
  }

  /** Waits until every acknowledged job is terminal in the leader's list; returns that list, or empty at the timeout. */
  private static Optional<List<JobRecord.Listed>> awaitFinished(FaultInjector faults, ChaosApi api,
      Map<String, String> acknowledged, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      Optional<String> leader = faults.awaitReadyLeader(Duration.ofSeconds(5));
      Optional<List<JobRecord.Listed>> list = leader.flatMap(api::listAll);
      if (list.isPresent()) {
        Map<String, String> states = new HashMap<>();
        list.get().forEach(j -> states.put(j.id(), j.state()));
        // a job missing from the full list is lost, not late: the checker reports it
        if (acknowledged.values().stream().allMatch(id -> !states.containsKey(id) || terminal(states.get(id)))) {
          return list;
        }
      }
      Thread.sleep(1000);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  private static boolean terminal(String state) {
    return state != null && (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED"));
  }

  private static List<JobRecord.Listed> readList(FaultInjector faults, ChaosApi api) throws InterruptedException {
    for (int tries = 0; tries < 10; tries++) {
      Optional<List<JobRecord.Listed>> list = faults.awaitReadyLeader(Duration.ofSeconds(30)).flatMap(api::listAll);
      if (list.isPresent()) {
        return list.get();
      }
    }
    throw new IllegalStateException("could not read the job list");
  }

  /** The record of every acknowledged job that exists (a 404 leaves it out: the checker calls it lost). */
  private static Map<String, JobRecord> readRecords(FaultInjector faults, ChaosApi api, Map<String, String> acknowledged)
      throws InterruptedException {
    Map<String, JobRecord> records = new HashMap<>();
    String leader = faults.awaitReadyLeader(Duration.ofSeconds(30)).orElseThrow(() -> new IllegalStateException("no leader"));
    for (String id : acknowledged.values()) {
      Optional<JobRecord> job = Optional.empty();
      for (int tries = 0; tries < 10 && job.isEmpty(); tries++) {
        job = api.job(leader, id);
        if (job.isEmpty()) {
          Thread.sleep(500);
          leader = faults.awaitReadyLeader(Duration.ofSeconds(30)).orElse(leader);
        }
      }
      JobRecord record = job.orElseThrow(() -> new IllegalStateException("could not read job " + id));
      if (!record.state().equals("NOT_FOUND")) {
        records.put(id, record);
      }
    }
    return records;
  }

  /** Accepts ISO-8601 ({@code PT90S}) or a number with s or m ({@code 90s}, {@code 15m}). */
  static Duration parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.startsWith("p")) {
      return Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
    }
    if (t.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(t.endsWith("s") ? t.substring(0, t.length() - 1) : t));
  }

  /** {@code bin/baton} of this installation: the jar lives in {@code <home>/dist/target}. */
  private static Path batonLauncher() throws Exception {
    Path jar = Path.of(ChaosCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return jar.getParent().getParent().getParent().resolve("bin/baton");
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A range of seconds, {@code MIN-MAX} (or one number), checked before anything starts: a usage error otherwise. */
  private void checkRange(String option, String value) {
    String[] bounds = value.split("-", -1);
    try {
      double min = Double.parseDouble(bounds[0].trim());
      double max = Double.parseDouble(bounds[bounds.length - 1].trim());
      if (bounds.length <= 2 && min >= 0 && max >= min) {
        return;
      }
    } catch (NumberFormatException notANumber) {
      // the message below
    }
    throw new ParameterException(spec.commandLine(),
        option + " takes a range of seconds like 2-5 (MIN-MAX, MIN <= MAX, or one number), not '" + value + "'");
  }
}
