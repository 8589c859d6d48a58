package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands as a user runs them: real {@code bin/baton} processes (the thin client jar) against a real
 * {@code bin/baton standalone}; each command's human and JSON output, and the exit codes of README's table. The
 * first test runs README's tour and compares every output with README's; the last kills a leader and asks the
 * standby at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliE2E {
  @TempDir static Path dir;
  private static BatonProcess standalone;
  private static String url;

  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

    /** The cells of line {@code i}, split on runs of two or more spaces. */
    List<String> cells(int i) {
      return List.of(lines().get(i).trim().split(" {2,}"));
    }
  }

  @BeforeAll
  static void startStandalone() throws Exception {
    int rest = BatonProcess.freePort();
    url = "http://127.0.0.1:" + rest;
    standalone = BatonProcess.start(dir, "standalone", "standalone", "--zk-port", "0", "--rest-port",
        String.valueOf(rest), "--data-dir", dir.resolve("data").toString(), "--cpus", "4");
    standalone.awaitOutput("Baton standalone is up", Duration.ofSeconds(90));
    new Http(url).awaitReady(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (standalone != null) {
      standalone.close();
    }
  }

  /** {@code bin/baton ARGS} with {@code --url} unset (BATON_URL says where), its exit code, stdout and stderr. */
  static Run batonAt(String masters, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(BatonProcess.HOME.resolve("bin/baton").toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "cli", ".out");
    Path err = Files.createTempFile(dir, "cli", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().remove("BATON_JAVA_OPTS");
    pb.environment().put("BATON_URL", masters);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("baton " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static Run baton(String... args) throws Exception {
    return batonAt(url, args);
  }

  private static Path spec(String name, String json) throws Exception {
    Path f = dir.resolve(name + ".json");
    Files.writeString(f, json);
    return f;
  }

  private static JsonNode json(Run r) throws Exception {
    assertEquals(0, r.code(), r.err());
    return Http.JSON.readTree(r.out());
  }

  /** README's tour commands the test does not run (by how they start), and why. */
  private static final Map<String, String> TOUR_SKIPPED = Map.of(
      "bin/baton standalone", "starts a cluster of its own; the tour runs against this class's standalone");

  /**
   * What README's prose waits for before a command (by the command, without its remark): README's id of a job and
   * the state it has settled in by then.
   */
  private static final Map<String, List<String>> TOUR_WAITS = Map.of(
      "bin/baton jobs", List.of("01a2039ac8c30000", "SUCCEEDED"),
      "bin/baton job 01a222c3dc8f0000", List.of("01a222c3dc8f0000", "CANCELLED"));

  /** Per README tour command, what its output shows of the machine README was run on: the worker's CPUs and memory. */
  private static final Map<String, List<String>> TOUR_MACHINE = Map.of("bin/baton workers", List.of("0/2", "0/24105"));

  /**
   * README's Quick start and Five-minute tour, run in order against the standalone and compared with what README shows
   * by {@link ReadmeTour}'s rules (ids, times, durations and worker ids masked, whitespace ignored, {@code ...} for
   * what README trims). First in the class, so that its {@code bin/baton jobs} lists the tour's job alone, as README.
   */
  @Test
  @Order(1)
  void theReadmeTourRunsAsShown() throws Exception {
    runReadmeTour(url, dir);
  }

  /** README's tour against the master at {@code url}; {@code tmp} holds the commands' outputs. */
  static void runReadmeTour(String url, Path tmp) throws Exception {
    List<ReadmeTour.Step> steps = ReadmeTour.steps(Files.readString(BatonProcess.HOME.resolve("README.md")));
    int port = URI.create(url).getPort();
    Http http = new Http(url);
    ReadmeTour tour = new ReadmeTour(TOUR_MACHINE);
    Set<String> skipped = new LinkedHashSet<>();
    Set<String> waited = new LinkedHashSet<>();
    int ran = 0;
    for (ReadmeTour.Step step : steps) {
      String skip = TOUR_SKIPPED.keySet().stream().filter(step.bare()::startsWith).findFirst().orElse(null);
      if (skip != null) {
        skipped.add(skip);
        continue;
      }
      List<String> wait = TOUR_WAITS.get(step.bare());
      if (wait != null) {
        waited.add(step.bare());
        String job = tour.real(wait.get(0)).orElseThrow(() -> new AssertionError("README line " + step.line()
            + ": TOUR_WAITS names job " + wait.get(0) + ", which no output before it showed"));
        http.awaitJob(job, j -> j.path("state").asText().equals(wait.get(1)) && settled(j), Duration.ofSeconds(60));
      }
      String output = shell(tour.runnable(step, "127.0.0.1:" + port), url, tmp);
      tour.mismatch(step, output, port).ifPresent(m -> fail(m));
      ran++;
    }
    assertEquals(TOUR_SKIPPED.keySet(), skipped, "every skipped command is still in README");
    assertEquals(TOUR_WAITS.keySet(), waited, "every wait names a command still in README");
    assertTrue(steps.stream().map(ReadmeTour.Step::bare).toList().containsAll(TOUR_MACHINE.keySet()),
        "every command of TOUR_MACHINE is still in README");
    assertTrue(ran >= 30, "README's tour has " + ran + " commands: did the parsing lose some?");
  }

  /** Every attempt of the job has ended. */
  private static boolean settled(JsonNode job) {
    for (JsonNode task : job.path("tasks")) {
      for (JsonNode attempt : task.path("attempts")) {
        if (attempt.path("finishedAt").isNull() || attempt.path("finishedAt").isMissingNode()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code bash -c COMMAND} in the repository (as README's commands are run), stdout and stderr as one stream. */
  private static String shell(String command, String url, Path tmp) throws Exception {
    Path out = Files.createTempFile(tmp, "tour", ".out");
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(BatonProcess.HOME.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().remove("BATON_JAVA_OPTS");
    pb.environment().put("BATON_URL", url);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("$ " + command + " did not finish");
    }
    return Files.readString(out);
  }

  @Test
  void submitWaitJobsAndJobInEveryFormat() throws Exception {
    Path dag = spec("dag", """
        {"name": "cli-dag", "labels": {"team": "cli"}, "tasks": [
          {"id": "first", "command": ["/bin/echo", "one"]},
          {"id": "second", "handler": "sleep", "args": {"millis": 200}, "dependsOn": ["first"]}
        ]}""");
    Run submitted = baton("submit", dag.toString(), "--wait");
    assertEquals(0, submitted.code(), submitted.err());
    String id = submitted.lines().get(0);
    assertTrue(id.matches("[0-9a-f]{16}"), submitted.out());
    assertTrue(submitted.lines().get(1).startsWith(id + " SUCCEEDED (2/2 tasks succeeded) in "), submitted.out());

    Run jobs = baton("jobs", "--name", "cli-dag");
    assertEquals(0, jobs.code(), jobs.err());
    assertEquals(List.of("ID", "STATE", "TASKS", "SUBMITTED", "NAME"), jobs.cells(0));
    assertEquals(List.of(id, "SUCCEEDED", "2/2"), jobs.cells(1).subList(0, 3));
    assertEquals("cli-dag", jobs.cells(1).get(4));
    Run wide = baton("jobs", "--name", "cli-dag", "-o", "wide");
    assertEquals(List.of("ID", "STATE", "TASKS", "SUBMITTED", "FINISHED", "DURATION", "NAME"), wide.cells(0));
    JsonNode listed = json(baton("jobs", "--name", "cli-dag", "-o", "json"));
    assertEquals(id, listed.path("jobs").get(0).path("id").asText());

    Run job = baton("job", id);
    assertEquals(0, job.code(), job.err());
    assertEquals("job " + id + "  cli-dag  SUCCEEDED  2/2 tasks succeeded", job.lines().get(0));
    assertTrue(job.lines().get(1).startsWith("submitted "), job.out());
    assertEquals("labels team=cli", job.lines().get(2));
    assertEquals(List.of("TASK", "STATE", "ATTEMPTS", "WORKER", "EXIT", "DURATION", "MESSAGE"), job.cells(4));
    assertEquals(List.of("first", "SUCCEEDED", "1"), job.cells(5).subList(0, 3));
    assertEquals("0", job.cells(5).get(4));
    assertEquals(List.of("second", "SUCCEEDED", "1"), job.cells(6).subList(0, 3));
    Run jobWide = baton("job", id, "-o", "wide");
    assertEquals(List.of("TASK", "ATTEMPT", "STATE", "WORKER", "EXIT", "STARTED", "FINISHED", "DURATION", "MESSAGE"),
        jobWide.cells(4));
    JsonNode detail = json(baton("job", id, "-o", "json"));
    assertEquals("second", detail.path("tasks").get(1).path("id").asText());
    assertEquals("one\n", baton("logs", id, "first").out());
  }

  @Test
  void aFailedJobShowsWhyAndWaitExits4() throws Exception {
    Path failing = spec("failing", """
        {"name": "cli-fails", "tasks": [
          {"id": "bad", "command": ["/bin/sh", "-c", "exit 3"]},
          {"id": "slow", "command": ["/bin/sleep", "30"], "timeoutSeconds": 1},
          {"id": "after", "command": ["/bin/true"], "dependsOn": ["bad"]}
        ]}""");
    Run r = baton("submit", failing.toString(), "--wait");
    assertEquals(4, r.code(), r.out() + r.err());
    String id = r.lines().get(0);
    assertTrue(r.lines().get(1).startsWith(id + " FAILED (0/3 tasks succeeded) in "), r.out());
    assertTrue(r.out().contains("  bad FAILED: exit code 3"), r.out());
    assertTrue(r.out().contains("  slow TIMED_OUT: timed out after 1s"), r.out());
    Run job = baton("job", id);
    assertTrue(job.out().lines().anyMatch(l -> l.startsWith("slow") && l.contains("TIMED_OUT")
        && l.endsWith("timed out after 1s")), job.out());
    Run waited = baton("submit", failing.toString(), "--wait", "-o", "json");
    assertEquals(4, waited.code(), waited.err());
    assertEquals("FAILED", Http.JSON.readTree(waited.out()).path("state").asText());
  }

  @Test
  void pagingWithLimitAndBefore() throws Exception {
    Path one = spec("page", "{\"name\": \"cli-page\", \"tasks\": [{\"id\": \"t\", \"handler\": \"noop\"}]}");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Run s = baton("submit", one.toString());
      assertEquals(0, s.code(), s.err());
      ids.add(s.out().strip());
    }
    Run first = baton("jobs", "--name", "cli-page", "--limit", "2");
    assertEquals(3, first.lines().size(), first.out());
    assertEquals(ids.get(2), first.cells(1).get(0));
    assertEquals(ids.get(1), first.cells(2).get(0));
    assertEquals("more: baton jobs --before " + ids.get(1) + "\n", first.err());
    Run second = baton("jobs", "--name", "cli-page", "--limit", "2", "--before", ids.get(1));
    assertEquals(ids.get(0), second.cells(1).get(0));
    assertEquals(2, second.lines().size(), second.out());
  }

  @Test
  void logsFollowPrintsALogAsItGrowsUntilTheJobEnds() throws Exception {
    Path slow = spec("slow", """
        {"name": "cli-follow", "tasks": [
          {"id": "talk", "command": ["/bin/sh", "-c", "for i in 1 2 3; do echo line-$i; sleep 0.7; done"]}
        ]}""");
    String id = baton("submit", slow.toString()).out().strip();
    Run followed = baton("logs", "-f", id, "talk");
    assertEquals(0, followed.code(), followed.err());
    assertEquals("line-1\nline-2\nline-3\n", followed.out());
    assertEquals("SUCCEEDED", new Http(url).get("/api/v1/jobs/" + id).path("state").asText());
  }

  @Test
  void workersAndClusterInEveryFormat() throws Exception {
    Run workers = baton("workers");
    assertEquals(0, workers.code(), workers.err());
    assertEquals(List.of("ID", "HOST", "STATE", "CPUS", "MEMORY MB", "RUNNING", "HEARTBEAT"), workers.cells(0));
    assertEquals("ALIVE", workers.cells(1).get(2));
    assertTrue(workers.cells(1).get(3).endsWith("/4"), workers.out());
    assertEquals("LABELS", baton("workers", "-o", "wide").cells(0).get(7));
    assertEquals("ALIVE", json(baton("workers", "-o", "json")).path("workers").get(0).path("state").asText());

    Run cluster = baton("cluster");
    assertEquals(0, cluster.code(), cluster.err());
    assertEquals(List.of("leader", url + "  (epoch 1)"), List.of(cluster.lines().get(0).split(" {2,}", 2)));
    assertEquals(List.of("answered by", url + "  (the leader)"), List.of(cluster.lines().get(1).split(" {2,}", 2)));
    assertEquals(List.of("zookeeper", "CONNECTED"), cluster.cells(3));
    assertEquals(List.of("quarantined", "none"), cluster.cells(4));
    assertEquals(url, json(baton("cluster", "-o", "json")).path("leader").path("restUrl").asText());
  }

  @Test
  void cancelAndDelete() throws Exception {
    Path sleeper = spec("sleeper", "{\"name\": \"cli-cancel\", \"tasks\": [{\"id\": \"t\", \"command\": [\"/bin/sleep\", \"60\"]}]}");
    String id = baton("submit", sleeper.toString()).out().strip();
    assertEquals(new Run(0, "cancelling " + id + "\n", ""), baton("cancel", id));
    new Http(url).awaitState(id, "CANCELLED", Duration.ofSeconds(30));
    assertEquals(new Run(0, "deleted " + id + "\n", ""), baton("delete", id));
  }

  /** README's exit-code table, row by row. */
  @Test
  void exitCodes() throws Exception {
    assertEquals(0, baton("jobs", "--limit", "1").code());

    Path bad = spec("bad", "{\"name\": \"\", \"tasks\": [{\"id\": \"a\", \"cpus\": -1}, {\"id\": \"a\", \"command\": []}]}");
    Run refused = baton("submit", bad.toString());
    assertEquals(1, refused.code());
    assertEquals("", refused.out());
    List<String> err = refused.err().lines().toList();
    assertTrue(err.get(0).startsWith("baton: 400 Invalid job spec: the job spec has 5 problems"), refused.err());
    assertEquals(6, err.size(), "the summary and every one of the five problems: " + refused.err());
    assertTrue(err.contains("  tasks[0].cpus: must be > 0 and <= 1024, not -1"), refused.err());
    Run missingJob = baton("job", "no-such-job");
    assertEquals(new Run(1, "", "baton: 404 Not found: no job with id 'no-such-job'\n"), missingJob);

    assertEquals(2, baton("jobs", "--no-such-option").code());
    Run noScheme = batonAt("localhost:8080", "jobs");
    assertEquals(new Run(2, "", "baton: --url: 'localhost:8080' is not a master URL: it lacks the scheme "
        + "(try http://localhost:8080)\n"), noScheme);
    Run noFile = baton("submit", "/nonexistent.json");
    assertEquals(new Run(2, "", "baton: no such file: /nonexistent.json\n"), noFile);

    String closed = "http://127.0.0.1:" + BatonProcess.freePort();
    assertEquals(new Run(3, "", "baton: cannot reach " + closed + ": refused the connection (is a master running "
        + "there?)\n"), batonAt(closed, "jobs"));
    assertEquals(new Run(3, "", "baton: cannot reach http://no-such-host.invalid:8080: has a host name that does "
        + "not resolve (DNS)\n"), batonAt("http://no-such-host.invalid:8080", "jobs"));
    // 4: submit --wait on a job that fails, in aFailedJobShowsWhyAndWaitExits4
  }

  @Test
  void completionCoversEveryCommand() throws Exception {
    Run script = baton("completion", "bash");
    assertEquals(0, script.code(), script.err());
    Path file = dir.resolve("baton-completion.bash");
    Files.writeString(file, script.out());
    Process bash = new ProcessBuilder("bash", "-c", "source " + file + " && complete -p baton")
        .redirectErrorStream(true).start();
    String registered = new String(bash.getInputStream().readAllBytes());
    assertEquals(0, bash.waitFor(), registered);
    assertTrue(registered.contains("baton"), registered);
    for (String command : List.of("standalone", "submit", "jobs", "logs", "workers", "cluster", "completion")) {
      assertTrue(script.out().contains(command), command);
    }
  }

  /** README's Python example, the file itself, against the standalone; and the OpenAPI document it points to. */
  @Test
  void theReadmesPythonExampleRunsAndTheOpenApiDocumentIsServed() throws Exception {
    JsonNode openapi = new Http(url).get("/api/v1/openapi.json");
    assertTrue(openapi.path("openapi").asText().startsWith("3."), openapi.toString());
    assertTrue(openapi.path("paths").has("/jobs/{id}"), openapi.toString());
    Path script = BatonProcess.HOME.resolve("docs/examples/client.py");
    assertTrue(Files.readString(BatonProcess.HOME.resolve("README.md")).contains(Files.readString(script)),
        "README shows docs/examples/client.py verbatim");
    Process probe = new ProcessBuilder("python3", "-c", "import requests").redirectErrorStream(true).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor() == 0, "python3 with requests is not installed");
    Process python = new ProcessBuilder("python3", script.toString(), url).redirectErrorStream(true).start();
    String out = new String(python.getInputStream().readAllBytes());
    assertEquals(0, python.waitFor(), out);
    List<String> lines = out.lines().toList();
    assertEquals(List.of("hello SUCCEEDED", "after SUCCEEDED", "hello from python"), lines.subList(0, 3), out);
    assertTrue(lines.get(3).matches("[0-9a-f]{16} SUCCEEDED"), out);
  }

  /** Right after a leader's kill -9 the standby still names it: the CLI waits for the election, then answers. */
  @Test
  void aCommandRightAfterTheLeaderDiesWaitsForTheElection() throws Exception {
    try (HaCluster c = new HaCluster(dir.resolve("ha"), Duration.ofSeconds(2))) {
      c.startZooKeeper();
      String m1 = c.startMaster("master-1");
      String m2 = c.startMaster("master-2");
      c.startWorker("w1"); // a leader is ready (readyz) once a worker has registered
      String leader = c.awaitLeader(Duration.ofSeconds(60));
      String standby = leader.equals(m1) ? m2 : m1;
      Run before = batonAt(standby, "cluster");
      assertEquals(0, before.code(), before.err());
      assertTrue(before.out().contains("(a standby)"), before.out());
      c.masters.get(leader).kill9();
      Run after = batonAt(standby, "jobs");
      assertEquals(0, after.code(), after.err());
      assertEquals(List.of("ID", "STATE", "TASKS", "SUBMITTED", "NAME"), after.cells(0));
      String next = c.awaitLeader(Duration.ofSeconds(30));
      assertNotEquals(leader, next);
      assertFalse(after.err().contains("cannot reach"), after.err());
      // when it had to wait (the usual case), it said why, once
      assertTrue(after.err().isEmpty() || after.err().lines().count() == 1
          && after.err().startsWith("baton: waiting up to 15 s for a leader election: "), after.err());
    }
  }
}
