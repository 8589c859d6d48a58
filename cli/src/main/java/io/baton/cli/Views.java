package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** The human views of the REST answers: pure functions of the JSON and the time now. */
final class Views {
  private Views() {}

  static void jobs(List<JsonNode> jobs, boolean wide, Instant now, PrintWriter out) {
    Table t = wide ? new Table("ID", "STATE", "TASKS", "SUBMITTED", "FINISHED", "DURATION", "NAME")
        : new Table("ID", "STATE", "TASKS", "SUBMITTED", "NAME");
    for (JsonNode j : jobs) {
      String tasks = j.path("tasksSucceeded").asInt() + "/" + j.path("tasksTotal").asInt();
      if (wide) {
        t.row(j.path("id").asText(), j.path("state").asText(), tasks, text(j, "submittedAt"), text(j, "finishedAt"),
            duration(j.path("submittedAt"), j.path("finishedAt"), now), j.path("name").asText());
      } else {
        t.row(j.path("id").asText(), j.path("state").asText(), tasks, text(j, "submittedAt"), j.path("name").asText());
      }
    }
    t.print(out);
  }

  /**
   * A job: a header (id, name, state, tasks, when, how long, labels), then a table of its tasks (the latest attempt
   * of each; with {@code wide}, every attempt) with the reason a task failed or waits.
   */
  static void job(JsonNode job, boolean wide, Instant now, PrintWriter out) {
    out.println("job " + job.path("id").asText() + "  " + job.path("name").asText() + "  " + job.path("state").asText()
        + "  " + job.path("tasksSucceeded").asInt() + "/" + job.path("tasksTotal").asInt() + " tasks succeeded");
    StringJoiner when = new StringJoiner(", ");
    when.add("submitted " + text(job, "submittedAt"));
    if (job.path("startedAt").isTextual()) {
      when.add("started " + text(job, "startedAt"));
    }
    if (job.path("finishedAt").isTextual()) {
      when.add("finished " + text(job, "finishedAt"));
    }
    String took = duration(job.path("startedAt"), job.path("finishedAt"), now);
    if (!took.equals("-")) {
      when.add((job.path("finishedAt").isTextual() ? "took " : "running for ") + took);
    }
    out.println(when);
    if (job.path("labels").size() > 0) {
      out.println("labels " + pairs(job.path("labels")));
    }
    out.println();
    Map<String, String> states = new HashMap<>();
    job.path("tasks").forEach(t -> states.put(t.path("id").asText(), t.path("state").asText()));
    Table t = wide
        ? new Table("TASK", "ATTEMPT", "STATE", "WORKER", "EXIT", "STARTED", "FINISHED", "DURATION", "MESSAGE")
        : new Table("TASK", "STATE", "ATTEMPTS", "WORKER", "EXIT", "DURATION", "MESSAGE");
    for (JsonNode task : job.path("tasks")) {
      boolean sharded = task.has("shards");
      // a sharded task's attempts are its shards': it only waits (for its dependencies) while PENDING
      String waiting = sharded && !task.path("state").asText().equals("PENDING") ? "" : waitingReason(task, states);
      if (!sharded) {
        rows(t, task.path("id").asText(), task.path("state").asText(), task.path("attempts"), waiting, wide, now);
        continue;
      }
      // a sharded task: one summary row, then its shards (without wide: only those that did not succeed)
      Map<String, Integer> byState = new java.util.TreeMap<>();
      int attemptsInAll = 0;
      for (JsonNode shard : task.path("shardStates")) {
        byState.merge(shard.path("state").asText(), 1, Integer::sum);
        attemptsInAll += shard.path("attempts").size();
      }
      StringJoiner counts = new StringJoiner(", ", task.path("shards").asInt() + " shards: ", "");
      byState.forEach((state, n) -> counts.add(n + " " + state));
      String summary = counts + (waiting.isEmpty() ? "" : "; " + waiting);
      if (wide) {
        t.row(task.path("id").asText(), "-", task.path("state").asText(), "-", "-", "-", "-", "-", summary);
      } else {
        t.row(task.path("id").asText(), task.path("state").asText(), attemptsInAll, "-", "-", "-", summary);
      }
      for (JsonNode shard : task.path("shardStates")) {
        if (wide || !shard.path("state").asText().equals("SUCCEEDED")) {
          rows(t, "  #" + shard.path("shard").asInt(), shard.path("state").asText(), shard.path("attempts"),
              shard.path("retryAt").isTextual() ? "retry at " + shard.path("retryAt").asText() : "", wide, now);
        }
      }
    }
    t.print(out);
  }

  /** The row(s) of one task run once or one shard: its latest attempt, or with {@code wide} every attempt. */
  private static void rows(Table t, String id, String state, JsonNode attempts, String waiting, boolean wide,
      Instant now) {
    if (wide) {
      if (attempts.size() == 0) {
        t.row(id, "-", state, "-", "-", "-", "-", "-", waiting);
      }
      for (JsonNode a : attempts) {
        boolean last = a == attempts.get(attempts.size() - 1);
        t.row(id, a.path("attempt").asInt(), a.path("state").asText(), text(a, "workerId"), text(a, "exitCode"),
            text(a, "startedAt"), text(a, "finishedAt"), duration(a.path("startedAt"), a.path("finishedAt"), now),
            message(a, last ? waiting : ""));
      }
    } else {
      JsonNode a = attempts.size() == 0 ? null : attempts.get(attempts.size() - 1);
      t.row(id, state, attempts.size(), a == null ? "-" : text(a, "workerId"),
          a == null ? "-" : text(a, "exitCode"),
          a == null ? "-" : duration(a.path("startedAt"), a.path("finishedAt"), now),
          a == null ? waiting : message(a, waiting));
    }
  }

  /** Why a task has not run (yet): a retry's backoff, or the dependencies it waits for. */
  static String waitingReason(JsonNode task, Map<String, String> states) {
    if (task.path("retryAt").isTextual()) {
      return "retry at " + task.path("retryAt").asText();
    }
    String state = task.path("state").asText();
    if (!state.equals("PENDING")) {
      return task.path("attempts").size() == 0 ? "never started" : "";
    }
    List<String> open = new ArrayList<>();
    task.path("dependsOn").forEach(d -> {
      if (!"SUCCEEDED".equals(states.get(d.asText()))) {
        open.add(d.asText());
      }
    });
    return open.isEmpty() ? "" : "waits for " + String.join(", ", open);
  }

  private static String message(JsonNode attempt, String more) {
    String m = attempt.path("message").isTextual() ? attempt.path("message").asText() : "";
    return m.isEmpty() ? more : more.isEmpty() ? m : m + "; " + more;
  }

  static void workers(JsonNode body, boolean wide, Instant now, PrintWriter out) {
    Table t = wide ? new Table("ID", "HOST", "STATE", "CPUS", "MEMORY MB", "RUNNING", "HEARTBEAT", "LABELS")
        : new Table("ID", "HOST", "STATE", "CPUS", "MEMORY MB", "RUNNING", "HEARTBEAT");
    for (JsonNode w : body.path("workers")) {
      String cpus = number(w.path("cpusUsed").asDouble()) + "/" + number(w.path("cpus").asDouble());
      String memory = w.path("memoryMbUsed").asLong() + "/" + w.path("memoryMb").asLong();
      String heartbeat = ago(w.path("lastHeartbeatAt"), now);
      if (wide) {
        t.row(w.path("id").asText(), w.path("host").asText(), w.path("state").asText(), cpus, memory,
            w.path("runningAttempts").asInt(), heartbeat, w.path("labels").size() == 0 ? "-" : pairs(w.path("labels")));
      } else {
        t.row(w.path("id").asText(), w.path("host").asText(), w.path("state").asText(), cpus, memory,
            w.path("runningAttempts").asInt(), heartbeat);
      }
    }
    if (t.isEmpty()) {
      out.println("no workers registered");
      out.flush();
      return;
    }
    t.print(out);
  }

  static void cluster(JsonNode c, boolean wide, PrintWriter out) {
    JsonNode leader = c.path("leader");
    String row = "%-12s %s%n";
    out.printf(row, "leader", leader.isObject()
        ? leader.path("restUrl").asText() + "  (epoch " + leader.path("epoch").asLong() + ")"
            + (wide ? "  " + leader.path("address").asText() : "")
        : "none: an election is under way");
    JsonNode self = c.path("self");
    out.printf(row, "answered by",
        self.path("restUrl").asText() + (self.path("isLeader").asBoolean() ? "  (the leader)" : "  (a standby)"));
    List<String> masters = new ArrayList<>();
    c.path("masters").forEach(m -> masters.add(m.asText()));
    out.printf(row, "masters", masters.isEmpty() ? "-" : String.join(", ", masters));
    out.printf(row, "zookeeper", c.path("zookeeper").asText());
    JsonNode quarantined = c.path("quarantined");
    out.printf(row, "quarantined", quarantined.size() == 0 ? "none" : quarantined.size() + " job record(s):");
    for (JsonNode q : quarantined) {
      out.println("  " + q.path("id").asText() + "  " + text(q, "at") + "  " + q.path("reason").asText());
    }
    out.flush();
  }

  static void schedules(JsonNode body, PrintWriter out) {
    Table t = new Table("NAME", "CRON", "TZ", "PAUSED", "NEXT FIRE", "LAST FIRE -> JOB STATE");
    for (JsonNode s : body.path("schedules")) {
      JsonNode next = s.path("nextFires").path(0);
      JsonNode last = s.path("lastFires").path(0);
      String lastFire = last.isMissingNode() ? "-" : last.path("scheduledAt").asText() + " -> "
          + (last.path("jobId").isTextual() ? last.path("jobId").asText() : "-") + " " + last.path("state").asText();
      t.row(s.path("name").asText(), s.path("cron").asText(), s.path("timezone").asText(),
          s.path("paused").asBoolean() ? "yes" : "no", next.isTextual() ? next.asText() : "-", lastFire);
    }
    t.print(out);
  }

  /** {@code 850 ms}, {@code 2.1 s}, {@code 3m04s}, {@code 1h02m}; {@code -} when it has not started. */
  static String duration(JsonNode from, JsonNode to, Instant now) {
    Instant start = instant(from);
    if (start == null) {
      return "-";
    }
    Instant end = instant(to);
    return format(Duration.between(start, end == null ? now : end));
  }

  static String format(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
  }

  private static String ago(JsonNode at, Instant now) {
    Instant t = instant(at);
    return t == null ? "-" : format(Duration.between(t, now)) + " ago";
  }

  private static Instant instant(JsonNode n) {
    if (!n.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNull() || v.isMissingNode() ? "-" : v.asText();
  }

  private static String pairs(JsonNode map) {
    StringJoiner j = new StringJoiner(",");
    map.fields().forEachRemaining(e -> j.add(e.getKey() + "=" + e.getValue().asText()));
    return j.toString();
  }

  private static String number(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
