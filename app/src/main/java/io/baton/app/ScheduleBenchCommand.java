package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.app.security.LocalClusterCerts;
import io.baton.ha.zookeeper.ZkAcls;
import io.baton.ha.zookeeper.ZkPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The schedules benchmark (see BENCHMARKS.md, {@code bench/schedules.sh}): a ZooKeeper process, two masters and
 * two workers of this very installation; {@code --schedules} schedules created over REST, every minute
 * ({@code * * * * *}, misfire {@code fire-all}), each submitting a one-task noop job, from the same {@code startAt}
 * for {@code --minutes} minutes, and (unless {@code --kill-leader-at-minute 0}) as many minutes more with a
 * {@code kill -9} of the leader at a random second of that minute of the second run.
 *
 * <p>Everything is counted from the server's state after the run, not from the scheduler's own account: a fire's
 * lag is from its scheduled instant to the ZooKeeper {@code ctime} of its fire record
 * ({@code schedules/<name>/fires/<millis>}), which is created in the one transaction that also stores the fire's
 * job: the moment the submission was persisted (the ZooKeeper server stamps it; same host, same clock). The job's
 * {@code submittedAt} (when the Dispatcher accepted it, before the write) is shown beside it. A fire submitted ahead
 * of its instant ({@code baton.schedules.fire-ahead}) has a negative lag to persisted; its job waits until the
 * instant, and its {@code startedAt} (when the leader took it up: the lag "to started") is the moment it fired.
 * Missed: an expected
 * (schedule, instant) without a fire record, or whose job the jobs list does not have. Doubled: more jobs named
 * after a schedule (each schedule's job has the schedule's name) than it has fire records. Leader CPU: utime +
 * stime of the leading master from {@code /proc/<pid>/stat}, sampled at each minute's fire instant.
 */
@Command(name = "bench-schedules", mixinStandardHelpOptions = true, hidden = true,
    description = "Schedules benchmark: N every-minute schedules, fire lag, leader CPU, a kill -9 (see BENCHMARKS.md).")
final class ScheduleBenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A schedule keeps 20 to 40 fire records (ScheduleMaster prunes at 40): every fire must still be there. */
  private static final int MAX_FIRES_KEPT = 39;

  @Option(names = "--schedules", defaultValue = "10000") int schedules;

  @Option(names = "--minutes", defaultValue = "5", description = "minutes of each run") int minutes;

  @Option(names = "--kill-leader-at-minute", defaultValue = "3",
      description = "kill -9 the leader at a random second of this minute (1-based) of a second run of --minutes; "
          + "0: no second run")
  int killAtMinute;

  @Option(names = "--kill-at-second", description = "the second of that minute to kill at, 0-59 (default: random)")
  Integer killAtSecond;

  @Option(names = "--zk-session-timeout-ms", description = "session timeout of the masters and workers (default: the configured default)")
  Long sessionTimeoutMs;

  @Option(names = "--workers", defaultValue = "2") int workerCount;

  @Option(names = "--create-in-flight", defaultValue = "16", description = "schedule creations in flight") int inFlight;

  @Option(names = "--create-rate", defaultValue = "80",
      description = "schedules created per second, to place the common first fire after the last creation "
          + "(each creation is one fenced ZooKeeper transaction, written one at a time: 95-150/s for 10,000 on the "
          + "shared 2-core box, 33/s for 1,000 while the JVMs were cold)")
  int createRate;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  private final String zkSecret = java.util.UUID.randomUUID().toString();
  private final long clockTicks = clockTicks();

  /** One fire as the server stored it. */
  private record Fire(String schedule, long scheduledMs, long persistedMs, String jobId) {
    long lag() {
      return persistedMs - scheduledMs;
    }
  }

  @Override
  public Integer call() throws Exception {
    int runs = killAtMinute > 0 ? 2 : 1;
    if (killAtSecond != null && (killAtSecond < 0 || killAtSecond > 59)) {
      throw new IllegalArgumentException("--kill-at-second is 0-59, not " + killAtSecond);
    }
    if (minutes < 1 || runs * minutes > MAX_FIRES_KEPT || killAtMinute > minutes) {
      throw new IllegalArgumentException("need 1 <= --minutes, --kill-leader-at-minute <= --minutes, and at most "
          + MAX_FIRES_KEPT + " minutes in all (a schedule keeps 20-40 fire records)");
    }
    Path home = Path.of(ScheduleBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent().getParent().getParent();
    Path baton = home.resolve("bin/baton");
    Path dir = Files.createTempDirectory("baton-schedules");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
    int zkPort = freePort();
    String zk = "127.0.0.1:" + zkPort;
    start(baton, dir, "zookeeper", "zookeeper", "--port", String.valueOf(zkPort), "--data-dir", dir.resolve("zk").toString());
    Thread.sleep(3000);
    long retention = Math.max(200_000L, 2L * schedules * runs * minutes);
    Map<String, Process> masters = new LinkedHashMap<>();
    for (String name : List.of("m1", "m2")) {
      int port = freePort();
      masters.put("http://127.0.0.1:" + port, startMaster(baton, dir, name, zk, port, retention));
    }
    for (int i = 1; i <= workerCount; i++) {
      List<String> args = new ArrayList<>(List.of("worker", "--zk", zk, "--worker-id", "w" + i, "--data-dir",
          dir.resolve("w" + i).toString(), "--tls-dir", new LocalClusterCerts(dir.resolve("tls")).worker("w" + i).toString()));
      session(args);
      start(baton, dir, "w" + i, args.toArray(String[]::new));
    }
    String leader = awaitLeader(masters.keySet(), null, Duration.ofSeconds(120));
    awaitWorkers(leader, Duration.ofSeconds(60));

    // every schedule starts at the same minute, after all are created (at --create-rate, plus a margin)
    Instant startAt = Instant.now().plusSeconds(30 + schedules / createRate).truncatedTo(ChronoUnit.MINUTES)
        .plus(1, ChronoUnit.MINUTES);
    int totalMinutes = runs * minutes;
    Instant endAt = startAt.plus(totalMinutes - 1, ChronoUnit.MINUTES);
    System.out.printf("schedules: %d every-minute schedules (misfire fire-all), one-task noop jobs, 2 masters, %d workers,"
            + " session timeout %s; %d minute(s)%s%n", schedules, workerCount,
        sessionTimeoutMs == null ? "default" : sessionTimeoutMs + " ms", minutes,
        runs == 2 ? ", then " + minutes + " more with a kill -9 of the leader in minute " + killAtMinute : "");
    System.out.println("processes' logs and data: " + dir + " (kept; remove it when done)");
    long t0 = System.nanoTime();
    Map<String, Instant> createdAt = create(leader, startAt, endAt);
    Instant created = Instant.now();
    System.out.printf("created %d schedules in %.1f s; first fire at %s, last at %s%n", createdAt.size(),
        (System.nanoTime() - t0) / 1e9, startAt, endAt);
    if (created.isAfter(startAt)) {
      System.out.println("NOTE: creation ended after the first fire instant; schedules created late are expected"
          + " only from their creation on");
    }

    // the run: sample each master's CPU at each fire instant; kill the leader once
    Map<String, Long> pids = new HashMap<>();
    masters.forEach((url, p) -> pids.put(url, p.pid()));
    List<Map<String, Long>> cpuAt = new ArrayList<>(); // per instant (and one after the last minute): url -> ticks
    List<String> leaderAt = new ArrayList<>();
    Instant killAt = runs == 2 ? startAt.plus(minutes + killAtMinute - 1, ChronoUnit.MINUTES)
        .plusSeconds(killAtSecond != null ? killAtSecond : ThreadLocalRandom.current().nextInt(60)) : null;
    long killedMs = -1;
    long newLeaderMs = -1;
    Map<String, Long> cpuAtKill = null;
    String killed = null;
    for (int m = 0; m <= totalMinutes; m++) {
      Instant at = startAt.plus(m, ChronoUnit.MINUTES);
      if (killAt != null && killedMs < 0 && killAt.isBefore(at)) {
        sleepUntil(killAt);
        cpuAtKill = cpu(pids);
        killed = leader;
        killedMs = System.currentTimeMillis();
        masters.get(leader).destroyForcibly();
        leader = awaitLeader(masters.keySet(), killed, Duration.ofSeconds(60));
        newLeaderMs = System.currentTimeMillis();
        pids.remove(killed);
        System.out.printf("killed the leader (kill -9) at %s; the other master answered REST as leader %d ms later%n",
            Instant.ofEpochMilli(killedMs), newLeaderMs - killedMs);
      }
      sleepUntil(at);
      cpuAt.add(cpu(pids));
      leaderAt.add(leader);
    }

    // drain: until every expected fire has a record, or nothing new for 60 s
    CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk).retryPolicy(new RetryOneTime(200))
        .authorization("digest", ZkAcls.digestAuth(zkSecret)).build();
    client.start();
    client.blockUntilConnected(30, TimeUnit.SECONDS);
    ZkPaths paths = new ZkPaths(ZkPaths.DEFAULT_CLUSTER_ID);
    Map<String, List<Instant>> expected = expected(createdAt, startAt, endAt);
    long expectedCount = expected.values().stream().mapToLong(List::size).sum();
    long recorded = awaitRecords(client, paths, expectedCount);

    List<Fire> fires = readFires(client, paths, createdAt.keySet());
    Map<String, JsonNode> jobs = listJobs(leader, recorded);
    client.close();
    report(fires, jobs, expected, startAt, runs, cpuAt, leaderAt, killed, cpuAtKill, killedMs, newLeaderMs);
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      p.waitFor(15, TimeUnit.SECONDS);
    }
    return 0;
  }

  // ---- creating

  private Map<String, Instant> create(String leader, Instant startAt, Instant endAt) throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    Map<String, Instant> created = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < schedules; i++) {
      String name = String.format("bench-%05d", i);
      ObjectNode body = JSON.createObjectNode().put("name", name).put("cron", "* * * * *").put("misfire", "fire-all")
          .put("startAt", startAt.toString()).put("endAt", endAt.toString());
      ObjectNode job = body.putObject("job").put("name", name);
      job.putArray("tasks").addObject().put("id", "t").put("handler", "noop").put("cpus", 0.01).put("memoryMb", 1);
      HttpRequest req = HttpRequest.newBuilder(URI.create(leader + "/api/v1/schedules")).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
      permits.acquire();
      http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        try {
          if (e == null && r.statusCode() == 201) {
            created.put(name, Instant.parse(JSON.readTree(r.body()).path("createdAt").asText()));
          } else {
            failed.incrementAndGet();
            problems.add(e != null ? e.toString() : r.statusCode() + " " + r.body());
          }
        } catch (IOException | RuntimeException bad) {
          failed.incrementAndGet();
          problems.add(bad.toString());
        } finally {
          permits.release();
        }
      });
    }
    permits.acquire(inFlight);
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " schedules not created, e.g. " + problems.get(0));
    }
    return new TreeMap<>(created);
  }

  /** Each schedule's fire instants: every minute from startAt (or its creation, if later) to endAt. */
  private static Map<String, List<Instant>> expected(Map<String, Instant> createdAt, Instant startAt, Instant endAt) {
    Map<String, List<Instant>> out = new TreeMap<>();
    createdAt.forEach((name, created) -> {
      List<Instant> at = new ArrayList<>();
      for (Instant t = startAt; !t.isAfter(endAt); t = t.plus(1, ChronoUnit.MINUTES)) {
        if (!t.isBefore(created)) {
          at.add(t);
        }
      }
      out.put(name, at);
    });
    return out;
  }

  // ---- reading the server's state

  /** Waits until the fire records number {@code expected}, or none came for 60 s; returns how many there are. */
  private long awaitRecords(CuratorFramework client, ZkPaths paths, long expected) throws Exception {
    long last = -1;
    long lastChange = System.nanoTime();
    while (true) {
      // descendants of schedules/: per schedule its node, its fires node and one node per fire record
      long records = client.getZookeeperClient().getZooKeeper().getAllChildrenNumber(paths.schedules()) - 2L * schedules;
      if (records >= expected) {
        return records;
      }
      if (records != last) {
        last = records;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(60)) {
        System.out.printf("fire records stopped at %d of %d expected%n", records, expected);
        return records;
      }
      Thread.sleep(1000);
    }
  }

  /** Every fire record: its instant (the node's name), its job (the data) and its ctime. */
  private static List<Fire> readFires(CuratorFramework client, ZkPaths paths, Iterable<String> names) throws Exception {
    List<Fire> fires = Collections.synchronizedList(new ArrayList<>());
    Semaphore permits = new Semaphore(500);
    AtomicInteger pending = new AtomicInteger(1);
    CountDownLatch done = new CountDownLatch(1);
    for (String name : names) {
      List<String> children;
      try {
        children = client.getChildren().forPath(paths.fires(name));
      } catch (KeeperException.NoNodeException gone) {
        continue;
      }
      for (String child : children) {
        permits.acquire();
        pending.incrementAndGet();
        client.getData().inBackground((c, event) -> {
          try {
            if (event.getResultCode() == 0) {
              byte[] data = event.getData();
              fires.add(new Fire(name, Long.parseLong(child), event.getStat().getCtime(),
                  data == null || data.length == 0 ? null : new String(data, StandardCharsets.UTF_8)));
            }
          } finally {
            permits.release();
            if (pending.decrementAndGet() == 0) {
              done.countDown();
            }
          }
        }).forPath(paths.fires(name) + "/" + child);
      }
    }
    if (pending.decrementAndGet() == 0) {
      done.countDown();
    }
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("fire records not read within 5 minutes");
    }
    return new ArrayList<>(fires);
  }

  /**
   * Every job the leader lists (all pages, newest first), by id. After a failover the new leader reads the finished
   * history in the background: reads again until it lists at least {@code atLeast} jobs or the count stays put.
   */
  private Map<String, JsonNode> listJobs(String leader, long atLeast) throws Exception {
    Map<String, JsonNode> jobs = new HashMap<>();
    for (int attempt = 0; attempt < 12; attempt++) {
      Map<String, JsonNode> read = new HashMap<>();
      String before = null;
      do {
        String url = leader + "/api/v1/jobs?limit=1000" + (before == null ? "" : "&before=" + before);
        JsonNode page = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        page.path("jobs").forEach(j -> read.put(j.path("id").asText(), j));
        before = page.path("nextBefore").isTextual() ? page.path("nextBefore").asText() : null;
      } while (before != null);
      boolean stable = read.size() == jobs.size();
      jobs = read;
      if (jobs.size() >= atLeast || stable) {
        return jobs;
      }
      Thread.sleep(5000);
    }
    return jobs;
  }

  // ---- figures

  private void report(List<Fire> fires, Map<String, JsonNode> jobs, Map<String, List<Instant>> expected,
      Instant startAt, int runs, List<Map<String, Long>> cpuAt, List<String> leaderAt, String killed,
      Map<String, Long> cpuAtKill, long killedMs, long newLeaderMs) {
    Map<String, Map<Long, Fire>> byInstant = new HashMap<>();
    for (Fire f : fires) {
      byInstant.computeIfAbsent(f.schedule(), n -> new HashMap<>()).put(f.scheduledMs(), f);
    }
    Map<String, Integer> jobsByName = new HashMap<>();
    jobs.values().forEach(j -> jobsByName.merge(j.path("name").asText(), 1, Integer::sum));
    long missed = 0;
    long noJob = 0;
    long doubled = 0;
    long unexpected = 0;
    for (Map.Entry<String, List<Instant>> e : expected.entrySet()) {
      Map<Long, Fire> got = byInstant.getOrDefault(e.getKey(), Map.of());
      for (Instant t : e.getValue()) {
        Fire f = got.get(t.toEpochMilli());
        if (f == null) {
          missed++;
        } else if (f.jobId() == null || !jobs.containsKey(f.jobId())) {
          noJob++;
        }
      }
      unexpected += got.keySet().stream().filter(ms -> !e.getValue().contains(Instant.ofEpochMilli(ms))).count();
      doubled += Math.max(0, jobsByName.getOrDefault(e.getKey(), 0) - got.size());
    }
    long expectedCount = expected.values().stream().mapToLong(List::size).sum();
    System.out.printf("expected fires %d; fire records %d; jobs listed %d%n", expectedCount, fires.size(), jobs.size());
    System.out.printf("missed %d (no fire record) + %d (a record whose job is not listed); doubled %d (jobs beyond a"
        + " schedule's fire records); records outside the window %d%n", missed, noJob, doubled, unexpected);

    double tick = clockTicks;
    System.out.println("minute  instant (UTC)         fires  lag to persisted (ms): p50    p99    max   "
        + "| to submittedAt p50/p99 (ms) | to started p50/p99/max (ms) | leader CPU s");
    int totalMinutes = cpuAt.size() - 1;
    List<Long> allLags = new ArrayList<>();
    List<Long> runLags = new ArrayList<>();
    List<Long> allStartLags = new ArrayList<>();
    List<Long> runStartLags = new ArrayList<>();
    double runCpu = 0;
    for (int m = 0; m < totalMinutes; m++) {
      long at = startAt.plus(m, ChronoUnit.MINUTES).toEpochMilli();
      List<Long> lags = new ArrayList<>();
      List<Long> submitLags = new ArrayList<>();
      List<Long> startLags = new ArrayList<>();
      for (Fire f : fires) {
        if (f.scheduledMs() == at) {
          lags.add(f.lag());
          JsonNode job = f.jobId() == null ? null : jobs.get(f.jobId());
          if (job != null && job.path("submittedAt").isTextual()) {
            submitLags.add(Instant.parse(job.path("submittedAt").asText()).toEpochMilli() - at);
          }
          if (job != null && job.path("startedAt").isTextual()) {
            startLags.add(Instant.parse(job.path("startedAt").asText()).toEpochMilli() - at);
          }
        }
      }
      String who = leaderAt.get(m);
      double cpu;
      if (killed != null && who.equals(killed) && !leaderAt.get(m + 1).equals(killed)) {
        // the kill minute: the old leader until the kill, the new one over the whole minute
        String next = leaderAt.get(m + 1);
        cpu = (cpuAtKill.get(killed) - cpuAt.get(m).get(killed) + cpuAt.get(m + 1).get(next) - cpuAt.get(m).get(next)) / tick;
      } else {
        cpu = (cpuAt.get(m + 1).get(who) - cpuAt.get(m).get(who)) / tick;
      }
      System.out.printf("%3d%s  %s  %6d  %28s %6s %6s   | %12s %8s      | %11s %6s %6s     | %6.1f%n",
          m % minutes + 1, m < minutes ? " " : "k", Instant.ofEpochMilli(at), lags.size(), pct(lags, 50), pct(lags, 99),
          pct(lags, 100), pct(submitLags, 50), pct(submitLags, 99), pct(startLags, 50), pct(startLags, 99),
          pct(startLags, 100), cpu);
      allLags.addAll(lags);
      runLags.addAll(lags);
      allStartLags.addAll(startLags);
      runStartLags.addAll(startLags);
      runCpu += cpu;
      if ((m + 1) % minutes == 0) {
        System.out.printf("run %d%s: %d fires, lag p50 %s ms, p99 %s ms, max %s ms; started p50 %s ms, p99 %s ms, max"
                + " %s ms; leader CPU %.1f s (%.1f s a minute)%n",
            (m + 1) / minutes, m < minutes ? " (no kill)" : " (kill -9 of the leader)", runLags.size(),
            pct(runLags, 50), pct(runLags, 99), pct(runLags, 100), pct(runStartLags, 50), pct(runStartLags, 99),
            pct(runStartLags, 100), runCpu, runCpu / minutes);
        runLags.clear();
        runStartLags.clear();
        runCpu = 0;
      }
    }
    System.out.printf("overall: %d fires, lag p50 %s ms, p99 %s ms, max %s ms; started p50 %s ms, p99 %s ms, max %s ms"
        + "%n", allLags.size(), pct(allLags, 50), pct(allLags, 99), pct(allLags, 100), pct(allStartLags, 50),
        pct(allStartLags, 99), pct(allStartLags, 100));
    if (killedMs > 0) {
      // the failover lasts from the kill until the new leader persists its first fire: the fires due by then (and
      // not persisted by the old leader) waited for it
      long firstByNew = fires.stream().filter(f -> f.persistedMs() > killedMs).mapToLong(Fire::persistedMs).min()
          .orElse(Long.MAX_VALUE);
      List<Long> during = new ArrayList<>();
      for (Fire f : fires) {
        if (f.persistedMs() > killedMs && f.scheduledMs() <= firstByNew) {
          during.add(f.lag());
        }
      }
      long lastByOld = fires.stream().filter(f -> f.persistedMs() <= killedMs).mapToLong(Fire::persistedMs).max().orElse(-1);
      System.out.printf("failover: kill -9 at %s (second %d of its minute); the old leader's last fire persisted %d ms"
              + " before it; REST answered by the new leader after %d ms; its first fire persisted %s ms after the kill%n",
          Instant.ofEpochMilli(killedMs), Instant.ofEpochMilli(killedMs).atZone(java.time.ZoneOffset.UTC).getSecond(),
          lastByOld < 0 ? -1 : killedMs - lastByOld, newLeaderMs - killedMs,
          firstByNew == Long.MAX_VALUE ? "-" : Long.toString(firstByNew - killedMs));
      System.out.printf("fires due during the failover (due by the new leader's first fire, persisted after the kill):"
          + " %d, lag p50 %s ms, p99 %s ms, max %s ms%n", during.size(), pct(during, 50), pct(during, 99),
          pct(during, 100));
    }
  }

  private static String pct(List<Long> values, int p) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int i = p >= 100 ? sorted.size() - 1 : (int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1);
    return Long.toString(sorted.get(Math.max(0, i)));
  }

  /** utime + stime of each process, in clock ticks, from /proc/<pid>/stat (a process gone counts as absent). */
  private static Map<String, Long> cpu(Map<String, Long> pids) {
    Map<String, Long> out = new HashMap<>();
    pids.forEach((url, pid) -> {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out.put(url, Long.parseLong(f[11]) + Long.parseLong(f[12])); // fields 14 and 15 of the whole line
      } catch (IOException gone) {
        // not running
      }
    });
    return out;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }

  private static void sleepUntil(Instant at) throws InterruptedException {
    long ms = Duration.between(Instant.now(), at).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  // ---- processes (as bench-failover starts them)

  private void session(List<String> args) {
    if (sessionTimeoutMs != null) {
      args.addAll(List.of("--zk-session-timeout-ms", sessionTimeoutMs.toString()));
    }
  }

  private Process startMaster(Path baton, Path dir, String name, String zk, int port, long retention) throws IOException {
    List<String> args = new ArrayList<>(List.of("master", "--zk", zk, "--rest-port", String.valueOf(port), "--port", "0",
        "--data-dir", dir.resolve(name).toString(), "--tls-dir", new LocalClusterCerts(dir.resolve("tls")).master(name).toString(),
        "--retention-max-count", Long.toString(retention)));
    session(args);
    return start(baton, dir, name, args.toArray(String[]::new));
  }

  private Process start(Path baton, Path dir, String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(baton.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putIfAbsent("BATON_LOG_LEVEL", "WARN");
    pb.environment().put("BATON_ZK_SECRET", zkSecret);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
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
        } catch (IOException notYet) {
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
      Thread.sleep(50);
    }
    throw new IllegalStateException("workers did not register with " + leader + " within " + timeout);
  }
}
