package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules through failovers, with real processes: every second, four schedules fire while the leader is killed
 * with {@code kill -9}, and then the next leader is paused with SIGSTOP past its session. Checked by what the tasks
 * themselves wrote: each appends its due time ({@code BATON_SCHEDULED_TIME}) to its schedule's file. The masters
 * run with a misfire threshold of 1 s, so that fires due while no leader served are misfires and each policy shows.
 */
class ScheduleE2E {
  private static final Duration SESSION = Duration.ofSeconds(2);

  @TempDir Path dir;

  private String schedule(String name, String misfire, String overlap, String command) {
    return """
        {"name": "%s", "cron": "* * * * * ?", "syntax": "quartz", "misfire": "%s", "overlap": "%s",
         "job": {"name": "%s", "tasks": [{"id": "t", "command": ["/bin/sh", "-c", "%s"]}]}}"""
        .formatted(name, misfire, overlap, name, command);
  }

  private String marker(String name) {
    return "echo $BATON_SCHEDULED_TIME >> " + dir.resolve(name + ".txt");
  }

  /** The due times a schedule's tasks recorded, in file order. */
  private List<Instant> marks(String name) throws Exception {
    Path file = dir.resolve(name + ".txt");
    List<Instant> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(Instant.parse(line.trim()));
        }
      }
    }
    return out;
  }

  private static void assertNoDuplicates(String name, List<Instant> fires) {
    assertEquals(new HashSet<>(fires).size(), fires.size(), name + " ran a fire twice: " + fires);
  }

  @Test
  void everyDueFireRunsExactlyOnceThroughAKillAndAPause() throws Exception {
    Path conf = dir.resolve("schedules.conf");
    // fires submitted half a second ahead (each job waits for its time), and an outage of 2 s or more still leaves
    // misfires: fires due more than 1 s before the next leader got to them, never submitted by the old one
    Files.writeString(conf, "baton.schedules.misfire-threshold = 1s\nbaton.schedules.fire-ahead = 500ms\n");
    try (HaCluster c = new HaCluster(dir, SESSION)) {
      c.startZooKeeper();
      c.startMaster("master-1", "--config", conf.toString());
      c.startMaster("master-2", "--config", conf.toString());
      c.startWorker("w1");
      c.startWorker("w2");
      String first = c.awaitLeader(Duration.ofSeconds(60));
      c.awaitWorkers(first, 2, Duration.ofSeconds(30));
      Http http = new Http(first);
      assertEquals(201, http.send("POST", "/api/v1/schedules", schedule("all", "fire-all", "allow", marker("all")))
          .statusCode());
      assertEquals(201, http.send("POST", "/api/v1/schedules", schedule("once", "fire-once", "allow", marker("once")))
          .statusCode());
      assertEquals(201, http.send("POST", "/api/v1/schedules", schedule("skip", "skip", "allow", marker("skip")))
          .statusCode());
      String slow = "echo start $BATON_FIRE_ID >> " + dir.resolve("slow.txt") + "; sleep 2.5; echo end $BATON_FIRE_ID >> "
          + dir.resolve("slow.txt");
      assertEquals(201, http.send("POST", "/api/v1/schedules", schedule("slow", "fire-all", "skip", slow)).statusCode());
      eventually("fires before the kill", Duration.ofSeconds(30), () -> marks("all").size(), n -> n >= 4);

      c.masters.get(first).kill9();
      String second = c.awaitLeader(Duration.ofSeconds(30));
      assertNotEquals(first, second);
      c.startMaster("master-3", "--config", conf.toString());
      int afterKill = marks("all").size();
      eventually("fires after the kill", Duration.ofSeconds(30), () -> marks("all").size(), n -> n >= afterKill + 4);

      BatonProcess paused = c.masters.get(second);
      paused.signal("STOP");
      String third;
      try {
        third = c.awaitLeader(Duration.ofSeconds(30));
        assertNotEquals(second, third);
        int afterPause = marks("all").size();
        eventually("fires under the third leader", Duration.ofSeconds(30), () -> marks("all").size(),
            n -> n >= afterPause + 4);
      } finally {
        paused.signal("CONT");
      }
      // the deposed leader wakes up; let a few more seconds fire, then stop the timetables and let the jobs end
      int woke = marks("all").size();
      eventually("fires after the paused leader woke", Duration.ofSeconds(30), () -> marks("all").size(),
          n -> n >= woke + 2);
      Http leader = new Http(third);
      for (String name : List.of("all", "once", "skip", "slow")) {
        assertEquals(200, leader.send("POST", "/api/v1/schedules/" + name + "/pause", null).statusCode());
      }
      for (String state : List.of("PENDING", "RUNNING")) {
        eventually("no " + state + " job left", Duration.ofSeconds(30),
            () -> leader.get("/api/v1/jobs?state=" + state).path("jobs").size(), n -> n == 0);
      }

      List<Instant> all = marks("all");
      assertNoDuplicates("all", all);
      List<Instant> sorted = all.stream().sorted().toList();
      for (int i = 1; i < sorted.size(); i++) {
        assertEquals(sorted.get(i - 1).plusSeconds(1), sorted.get(i),
            "fire-all: every due second ran, also those due while no leader served: " + sorted);
      }
      List<Instant> once = marks("once");
      List<Instant> skip = marks("skip");
      assertNoDuplicates("once", once);
      assertNoDuplicates("skip", skip);
      // each outage (about 2 s) leaves fires older than the 1 s threshold: misfires
      assertTrue(skip.size() < all.size(), "skip drops the misfires: " + skip);
      assertTrue(once.size() > skip.size(), "fire-once runs the newest misfire of each outage: " + once + " / " + skip);
      assertTrue(once.size() <= all.size(), "fire-once never runs more than cron's own times: " + once);

      // overlap skip: a run starts only after the previous one ended
      Set<String> started = new HashSet<>();
      String running = null;
      for (String line : Files.readAllLines(dir.resolve("slow.txt"))) {
        String[] parts = line.trim().split(" ", 2);
        if (parts[0].equals("start")) {
          assertEquals(null, running, "overlap skip started " + parts[1] + " while " + running + " ran");
          assertTrue(started.add(parts[1]), "fire " + parts[1] + " ran twice");
          running = parts[1];
        } else {
          assertEquals(running, parts[1]);
          running = null;
        }
      }
      assertFalse(started.isEmpty());
    }
  }
}
