package io.baton.app.chaos;

import io.baton.app.chaos.LedgerEntry.Kind;
import io.baton.app.chaos.LedgerEntry.TaskKey;
import io.baton.app.chaos.Violation.Check;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Proves a chaos run's history, from what the tasks wrote (the ledger) and what the cluster recorded (job
 * records), against the rules of SPEC.md's guarantees 1 and 3:
 * <ol>
 *   <li>every acknowledged job exists, once per idempotency key, and SUCCEEDED (the tasks never fail on their own);
 *   <li>no task had two runs alive at one instant (a run lives from its start line to its end or last beat);
 *   <li>no (job, task, attempt) ran as two processes;
 *   <li>no run of a task started after its succeeded run ended, and every recorded success has a run that ended;
 *   <li>every rerun is explained by a fault: its previous attempt ran on a worker that had a fault, or on any
 *       worker while a master or ZooKeeper fault was in progress, where "while" means the fault's window
 *       {@code [at, recovered]} meets the previous attempt's life widened by {@link Rules#rerunSlack} on each side;
 *   <li>no run wrote a line more than {@link Rules#orphanGrace} after its worker was killed with SIGKILL.
 * </ol>
 * Pure: no I/O, no clock. Lines that do not parse are violations of their own.
 */
public final class HistoryChecker {

  /** The tolerances: the orphan grace (1.5 s) and the slack around a previous attempt's life (10 s). */
  public record Rules(Duration orphanGrace, Duration rerunSlack) {
    public static final Rules DEFAULT = new Rules(Duration.ofMillis(1500), Duration.ofSeconds(10));
  }

  private final Rules rules;

  public HistoryChecker(Rules rules) {
    this.rules = rules;
  }

  public CheckReport check(History history) {
    List<Violation> found = new ArrayList<>();
    List<LedgerEntry> entries = new ArrayList<>();
    for (String line : history.ledger()) {
      if (line.isBlank()) {
        continue;
      }
      Optional<LedgerEntry> e = LedgerEntry.parse(line);
      if (e.isPresent()) {
        entries.add(e.get());
      } else {
        found.add(new Violation(Check.MALFORMED, "a ledger line does not parse", List.of(line)));
      }
    }
    List<Run> runs = Run.of(entries);
    Map<TaskKey, List<Run>> byTask = new LinkedHashMap<>();
    runs.forEach(r -> byTask.computeIfAbsent(r.id().task(), k -> new ArrayList<>()).add(r));
    checkJobs(history, found);
    byTask.forEach((task, taskRuns) -> {
      checkOverlaps(task, taskRuns, found);
      checkDuplicateAttempts(task, taskRuns, found);
    });
    checkAfterSuccess(history, byTask, found);
    checkReruns(history, byTask, found);
    checkOrphans(history.faults(), runs, found);
    found.sort(Comparator.comparing(Violation::check));
    return new CheckReport(runs.size(), List.copyOf(found));
  }

  private static void checkJobs(History history, List<Violation> found) {
    Map<String, List<JobRecord.Listed>> byName = new HashMap<>();
    history.listed().forEach(j -> byName.computeIfAbsent(j.name(), n -> new ArrayList<>()).add(j));
    history.acknowledged().forEach((key, id) -> {
      JobRecord job = history.records().get(id);
      if (job == null) {
        found.add(new Violation(Check.LOST, "key " + key + " was acknowledged as job " + id + ", which does not exist",
            List.of()));
      } else if (!job.terminal()) {
        found.add(new Violation(Check.LOST, "job " + id + " (key " + key + ") never finished: " + job.state(),
            List.of(attempts(job))));
      } else if (!job.state().equals("SUCCEEDED") && !exhaustedByFaults(job)) {
        found.add(new Violation(Check.FAILED, "job " + id + " (key " + key + ") ended " + job.state(),
            List.of(attempts(job))));
      }
      List<JobRecord.Listed> named = byName.getOrDefault(key, List.of());
      if (named.size() > 1) {
        found.add(new Violation(Check.DUPLICATED, named.size() + " jobs for key " + key,
            named.stream().map(j -> j.id() + " " + j.state()).toList()));
      }
    });
  }

  /**
   * A job whose unfinished tasks lost every attempt (LOST: their workers were killed or stopped) ran out of
   * retries to the faults, which is what retries are for; whether each rerun had a fault behind it is
   * {@link #checkReruns}'s business. Tasks never fail on their own here, so anything else is a violation.
   */
  private static boolean exhaustedByFaults(JobRecord job) {
    return job.tasks().stream().filter(t -> !t.state().equals("SUCCEEDED")).allMatch(t ->
        !t.attempts().isEmpty() && t.attempts().stream().allMatch(a -> a.state().equals("LOST"))
        || t.state().equals("CANCELLED") || t.state().equals("PENDING"));
  }

  private static String attempts(JobRecord job) {
    StringBuilder b = new StringBuilder();
    for (JobRecord.Task t : job.tasks()) {
      b.append(t.id()).append('=').append(t.state()).append(' ');
      t.attempts().forEach(a -> b.append("[#").append(a.attempt()).append(' ').append(a.state()).append(" on ")
          .append(a.workerId()).append("] "));
    }
    return b.toString().trim();
  }

  private static void checkOverlaps(TaskKey task, List<Run> runs, List<Violation> found) {
    for (int i = 0; i < runs.size(); i++) {
      for (int j = i + 1; j < runs.size(); j++) {
        Run a = runs.get(i);
        Run b = runs.get(j);
        if (a.overlaps(b)) {
          found.add(new Violation(Check.OVERLAP, "task " + task + ": attempt " + a.id().attempt() + " on "
              + a.id().worker() + " and attempt " + b.id().attempt() + " on " + b.id().worker() + " were alive together",
              List.of(a.first().line(), a.last().line(), b.first().line(), b.last().line())));
        }
      }
    }
  }

  private static void checkDuplicateAttempts(TaskKey task, List<Run> runs, List<Violation> found) {
    Map<Integer, List<Run>> byAttempt = new LinkedHashMap<>();
    runs.forEach(r -> byAttempt.computeIfAbsent(r.id().attempt(), a -> new ArrayList<>()).add(r));
    byAttempt.forEach((attempt, same) -> {
      long starts = same.stream().mapToLong(Run::starts).sum();
      if (same.size() > 1 || starts > 1) {
        found.add(new Violation(Check.DUPLICATE_ATTEMPT, "task " + task + " attempt " + attempt + " ran "
            + Math.max(same.size(), starts) + " times", same.stream().map(r -> r.first().line()).toList()));
      }
    });
  }

  private static void checkAfterSuccess(History history, Map<TaskKey, List<Run>> byTask, List<Violation> found) {
    for (JobRecord job : history.records().values()) {
      for (JobRecord.Task task : job.tasks()) {
        Optional<JobRecord.Attempt> success = task.succeeded();
        if (success.isEmpty()) {
          continue;
        }
        TaskKey key = new TaskKey(job.id(), task.id());
        List<Run> runs = byTask.getOrDefault(key, List.of());
        int attempt = success.get().attempt();
        Optional<Run> succeeded = runs.stream().filter(r -> r.id().attempt() == attempt && r.ended()).findFirst();
        if (succeeded.isEmpty()) {
          found.add(new Violation(Check.AFTER_SUCCESS, "task " + key + " is recorded SUCCEEDED by attempt " + attempt
              + " but no run of that attempt ended", runs.stream().map(r -> r.last().line()).toList()));
          continue;
        }
        Instant end = succeeded.get().to();
        for (Run r : runs) {
          if (r.from().isAfter(end)) {
            found.add(new Violation(Check.AFTER_SUCCESS, "task " + key + " started attempt " + r.id().attempt()
                + " after attempt " + attempt + " succeeded", List.of(succeeded.get().last().line(), r.first().line())));
          }
        }
      }
    }
  }

  private void checkReruns(History history, Map<TaskKey, List<Run>> byTask, List<Violation> found) {
    for (JobRecord job : history.records().values()) {
      for (JobRecord.Task task : job.tasks()) {
        TaskKey key = new TaskKey(job.id(), task.id());
        List<Run> runs = byTask.getOrDefault(key, List.of());
        SortedSet<Integer> attempts = new TreeSet<>();
        task.attempts().forEach(a -> attempts.add(a.attempt()));
        runs.forEach(r -> attempts.add(r.id().attempt()));
        for (int rerun : attempts.tailSet(2)) {
          Life previous = previousLife(task, rerun - 1, runs);
          if (!explained(previous, history.faults())) {
            found.add(new Violation(Check.UNEXPLAINED_RERUN, "task " + key + " attempt " + rerun
                + ": no fault explains why attempt " + (rerun - 1) + " (on " + previous.worker()
                + ", " + previous.from() + " .. " + previous.to() + ") was retried", previous.evidence()));
          }
        }
      }
    }
  }

  /** Where and when an attempt lived: from its ledger runs, else from its record. */
  private record Life(String worker, Instant from, Instant to, List<String> evidence) {}

  private static Life previousLife(JobRecord.Task task, int attempt, List<Run> runs) {
    List<Run> mine = runs.stream().filter(r -> r.id().attempt() == attempt).toList();
    if (!mine.isEmpty()) {
      Instant from = mine.stream().map(Run::from).min(Comparator.naturalOrder()).orElseThrow();
      Instant to = mine.stream().map(Run::to).max(Comparator.naturalOrder()).orElseThrow();
      List<String> evidence = new ArrayList<>();
      mine.forEach(r -> {
        evidence.add(r.first().line());
        evidence.add(r.last().line());
      });
      return new Life(mine.get(0).id().worker(), from, to, evidence);
    }
    JobRecord.Attempt record = task.attempts().stream().filter(a -> a.attempt() == attempt).findFirst().orElse(null);
    if (record == null) {
      return new Life(null, Instant.MIN, Instant.MAX, List.of("no record of attempt " + attempt));
    }
    Instant from = record.startedAt() != null ? record.startedAt() : record.finishedAt();
    Instant to = record.finishedAt() != null ? record.finishedAt() : record.startedAt();
    String evidence = "attempt " + attempt + " never wrote to the ledger; recorded " + record.state() + " on "
        + record.workerId() + " started " + record.startedAt() + " finished " + record.finishedAt();
    return new Life(record.workerId(), from == null ? Instant.MIN : from, to == null ? Instant.MAX : to, List.of(evidence));
  }

  private boolean explained(Life life, List<Fault> faults) {
    Instant from = life.from().equals(Instant.MIN) ? Instant.MIN : life.from().minus(rules.rerunSlack());
    Instant to = life.to().equals(Instant.MAX) ? Instant.MAX : life.to().plus(rules.rerunSlack());
    return faults.stream().anyMatch(f -> f.concerns(life.worker())
        && !f.at().isAfter(to) && !f.recovered().isBefore(from));
  }

  /** Each run against the first SIGKILL of its worker after it started (a later kill hits a later process). */
  private void checkOrphans(List<Fault> faults, List<Run> runs, List<Violation> found) {
    for (Run r : runs) {
      Optional<Fault> kill = faults.stream()
          .filter(f -> f.kind().killsWorker() && f.target().equals(r.id().worker()) && f.at().isAfter(r.from()))
          .min(Comparator.comparing(Fault::at));
      if (kill.isEmpty()) {
        continue;
      }
      Instant deadline = kill.get().at().plus(rules.orphanGrace());
      r.lines().stream().filter(l -> l.at().isAfter(deadline)).findFirst().ifPresent(late -> found.add(
          new Violation(Check.ORPHAN, "task " + r.id().task() + " attempt " + r.id().attempt() + " (pid "
              + r.id().pid() + ") kept running " + Duration.between(kill.get().at(), r.to()).toMillis() + " ms after "
              + r.id().worker() + " was killed (fault " + kill.get().index() + ")"
              + (r.last().kind() == Kind.END ? " and finished" : ""),
              List.of(r.first().line(), late.line(), r.last().line()))));
    }
  }
}
