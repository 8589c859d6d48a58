package io.baton.scheduler.model;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.job.Units;
import io.baton.scheduler.policy.Backoff;
import io.baton.wire.AttemptReport;
import io.baton.wire.WireLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of a job's life, as pure functions from a {@link JobRecord} (plus the time and a random draw) to the
 * next one: DAG readiness, scheduling, applying attempt reports with retries and backoff, failure propagation
 * and cancellation. Nothing here knows actors, ZooKeeper or clocks.
 */
public final class JobLogic {
  private JobLogic() {}

  /** Why {@code job} cannot be rerun ({@link #rerun}), or empty when it can: it must have finished, and not succeeded. */
  public static Optional<String> whyNotRerun(JobRecord job) {
    if (!job.settled()) {
      return Optional.of("job '" + job.id() + "' has not finished (" + job.state() + "); only a finished job can be rerun");
    }
    if (job.state() == JobState.SUCCEEDED) {
      return Optional.of("job '" + job.id() + "' SUCCEEDED: every task succeeded, there is nothing to rerun");
    }
    return Optional.empty();
  }

  /**
   * A new job {@code newId} of {@code old}'s spec that reruns what did not succeed (failed, cancelled, never
   * started: PENDING again, from attempt 1) and reuses what did: each task that SUCCEEDED is SUCCEEDED here with
   * the attempt that succeeded, noted as reused (it is not run again). {@code rerunOf} links it to {@code old}.
   * Refuses what {@link #whyNotRerun} refuses.
   */
  public static JobRecord rerun(JobRecord old, String newId, Instant now) {
    whyNotRerun(old).ifPresent(why -> {
      throw new IllegalArgumentException(why);
    });
    List<TaskRecord> tasks = new ArrayList<>(old.tasks().size());
    for (TaskRecord t : old.tasks()) {
      AttemptRecord succeeded = t.state() == AttemptState.SUCCEEDED ? t.latest().orElse(null) : null;
      if (succeeded == null) {
        tasks.add(TaskRecord.pending(t.taskId()));
      } else {
        String note = succeeded.message() != null && succeeded.message().startsWith(REUSED)
            ? succeeded.message()   // reused already: it names the job where it ran
            : REUSED + "succeeded in job " + old.id() + " (attempt " + succeeded.attempt() + "), not run again";
        tasks.add(new TaskRecord(t.taskId(), AttemptState.SUCCEEDED, List.of(succeeded.with(succeeded.state(),
            succeeded.exitCode(), succeeded.startedAt(), succeeded.finishedAt(), note)), null));
      }
    }
    return new JobRecord(newId, old.spec(), null, JobState.PENDING, now, null, null, tasks, old.id());
  }

  /** How the note of a reused attempt starts. */
  public static final String REUSED = "reused: ";

  /**
   * PENDING becomes RUNNING when a JobMaster takes the job up, unless the job waits for its {@link JobRecord#runAt()}
   * (still after {@code now}): then it stays PENDING and nothing of it is ready.
   */
  public static JobRecord start(JobRecord job, Instant now) {
    return job.state() == JobState.PENDING && !waits(job, now) ? job.withState(JobState.RUNNING, now) : job;
  }

  /** Whether the job is PENDING until its {@link JobRecord#runAt()}, which is after {@code now}. */
  public static boolean waits(JobRecord job, Instant now) {
    return job.state() == JobState.PENDING && job.runAt() != null && job.runAt().isAfter(now);
  }

  /**
   * Units that may start now, in record order: the job is RUNNING, the unit is PENDING with no retry waiting past
   * {@code now}, and every unit of every dependency SUCCEEDED. Each comes as the spec its attempt runs:
   * {@link #unitSpec}.
   */
  public static List<TaskSpec> readyTasks(JobRecord job, Instant now) {
    Map<String, TaskSpec> specs = specsById(job);
    return readyUnits(job, now).stream().map(u -> unitSpec(specs.get(Units.taskOf(u)), u)).toList();
  }

  /**
   * The names of the units {@link #readyTasks} returns, without building their specs: a caller that has asked for
   * most of them already (a 10,000-shard task) builds only the specs it needs.
   */
  public static List<String> readyUnits(JobRecord job, Instant now) {
    if (job.state() != JobState.RUNNING) {
      return List.of();
    }
    Map<String, TaskSpec> specs = specsById(job);
    Map<String, Boolean> succeeded = specs.values().stream().anyMatch(t -> !t.dependsOn().isEmpty())
        ? tasksSucceeded(job) : Map.of();
    Map<String, Boolean> depsDone = new HashMap<>();
    List<String> ready = new ArrayList<>();
    for (TaskRecord unit : job.tasks()) {
      if (unit.state() != AttemptState.PENDING || (unit.retryAt() != null && unit.retryAt().isAfter(now))) {
        continue;
      }
      String taskId = Units.taskOf(unit.taskId());
      boolean canRun = depsDone.computeIfAbsent(taskId, id -> {
        TaskSpec spec = specs.get(id);
        return spec != null && spec.dependsOn().stream().allMatch(d -> succeeded.getOrDefault(d, false));
      });
      if (canRun) {
        ready.add(unit.taskId());
      }
    }
    return ready;
  }

  /** The environment variables a shard's attempt gets: its index and its task's number of shards. */
  public static final String SHARD_INDEX = "BATON_SHARD_INDEX";
  public static final String SHARD_COUNT = "BATON_SHARD_COUNT";

  /**
   * What an attempt of unit {@code unitId} of {@code task} runs: the task itself when it runs once; for a shard, the
   * task named after the shard ({@code <taskId>#<index>}) with {@value #SHARD_INDEX} and {@value #SHARD_COUNT} in
   * its env.
   */
  public static TaskSpec unitSpec(TaskSpec task, String unitId) {
    int shard = Units.shardOf(unitId);
    if (shard < 0) {
      return task;
    }
    return new TaskSpec(unitId, task.command(), task.handler(), task.argsJson(), task.env(), task.cpus(),
        task.memoryMb(), task.retries(), task.timeoutSeconds(), task.constraints(), task.dependsOn(),
        task.secretEnv(), task.shards(), task.broadcast(), task.fanOutFrom())
        .withEnv(Map.of(SHARD_INDEX, Integer.toString(shard), SHARD_COUNT, Integer.toString(task.shards())));
  }

  /** The spec an attempt of unit {@code unitId} of {@code job} runs, if the job has that unit's task. */
  public static Optional<TaskSpec> unitSpec(JobRecord job, String unitId) {
    return job.spec().task(Units.taskOf(unitId)).map(t -> unitSpec(t, unitId));
  }

  /** Whether every unit of each task SUCCEEDED, by task id. */
  public static Map<String, Boolean> tasksSucceeded(JobRecord job) {
    Map<String, Boolean> m = new HashMap<>();
    for (TaskRecord t : job.tasks()) {
      m.merge(Units.taskOf(t.taskId()), t.state() == AttemptState.SUCCEEDED, Boolean::logicalAnd);
    }
    return m;
  }

  /**
   * The results a unit of {@code task} gets as inputs: for each unit of each dependency, the attempt that
   * SUCCEEDED if it left a result, as the key to read it by and the input's name {@code <taskId>/<shard>} (a task
   * run once is shard 0). Asked when the task is ready (every dependency succeeded).
   */
  public static Map<AttemptKey, String> inputsOf(JobRecord job, TaskSpec task) {
    Map<AttemptKey, String> out = new java.util.LinkedHashMap<>();
    for (String dep : task.dependsOn()) {
      for (TaskRecord unit : job.unitsOf(dep)) {
        unit.latest()
            .filter(a -> a.state() == AttemptState.SUCCEEDED && a.resultBytes() != null)
            .ifPresent(a -> out.put(new AttemptKey(job.id(), unit.taskId(), a.attempt()),
                dep + "/" + Math.max(0, Units.shardOf(unit.taskId()))));
      }
    }
    return out;
  }

  /**
   * Fails unit {@code unitId} before any worker ran it (e.g. its inputs are too big to send): a FAILED attempt with
   * {@code message}, not retried (a retry would meet the same refusal); then the job is settled.
   */
  public static JobRecord failBeforeStart(JobRecord job, String unitId, String message, Instant now) {
    TaskRecord unit = job.task(unitId).orElseThrow();
    if (unit.state() != AttemptState.PENDING) {
      return job;
    }
    AttemptRecord failed = new AttemptRecord(unit.attempts().size() + 1, AttemptState.FAILED, null, null, null, now,
        message);
    return settle(job.withTask(unit.withAttempt(failed)), now);
  }

  /** The earliest time a waiting retry becomes ready, if any. */
  public static Optional<Instant> nextRetryAt(JobRecord job) {
    return job.tasks().stream()
        .filter(t -> t.state() == AttemptState.PENDING && t.retryAt() != null)
        .map(TaskRecord::retryAt)
        .min(Instant::compareTo);
  }

  /** The number the next attempt of this task gets. */
  public static int nextAttempt(JobRecord job, String taskId) {
    return job.task(taskId).orElseThrow().attempts().size() + 1;
  }

  /** Records that an attempt was placed on a worker (state SCHEDULED). */
  public static JobRecord scheduled(JobRecord job, AttemptKey key, String workerId) {
    TaskRecord task = job.task(key.taskId()).orElseThrow();
    if (task.attempt(key.attempt()).isPresent()) {
      return job;
    }
    return job.withTask(task.withAttempt(AttemptRecord.scheduled(key.attempt(), workerId)));
  }

  /**
   * Applies a worker's report. Reports for unknown tasks, and reports that would move a terminal attempt, change
   * nothing (reports are repeated until acknowledged, so they must be idempotent). A retryable end with attempts
   * left puts the task back to PENDING after a backoff. Then the job's state is settled. A LOST attempt counts
   * against {@code retries}: it may have run.
   */
  public static JobRecord applyReport(
      JobRecord job, AttemptReport report, String workerId, Instant now, Backoff backoff, double random01) {
    return applyReport(job, report, workerId, now, backoff, random01, false);
  }

  /**
   * {@link #applyReport(JobRecord, AttemptReport, String, Instant, Backoff, double)}, where
   * {@code provenNotStarted} says that a LOST report is proof that the attempt never started (its worker, whose run
   * records precede every launch, re-registered without it): such an attempt, if the leader never saw it running,
   * is retried without counting against {@code retries}. A worker that merely went silent proves nothing.
   */
  public static JobRecord applyReport(JobRecord job, AttemptReport report, String workerId, Instant now,
      Backoff backoff, double random01, boolean provenNotStarted) {
    Optional<TaskRecord> found = job.task(report.key().taskId());
    Optional<TaskSpec> spec = job.spec().task(Units.taskOf(report.key().taskId()));
    if (found.isEmpty() || spec.isEmpty()) {
      return job;
    }
    long resultBytes = WireLimits.utf8Length(report.result());
    if (resultBytes > WireLimits.MAX_RESULT_BYTES) {
      // the worker enforces the cap too; the leader does not trust it to
      report = new AttemptReport(report.key(), AttemptState.FAILED, null, report.startedAt(), report.finishedAt(),
          "result of " + resultBytes + " bytes is over the cap of " + WireLimits.MAX_RESULT_BYTES + " bytes");
    }
    TaskRecord task = found.get();
    AttemptRecord attempt = task.attempt(report.key().attempt())
        .orElse(AttemptRecord.scheduled(report.key().attempt(), workerId));
    if (attempt.state().isTerminal() || attempt.state() == report.state()) {
      return job;
    }
    boolean neverStarted = provenNotStarted && attempt.state() == AttemptState.SCHEDULED
        && report.state() == AttemptState.LOST && report.startedAt() == null;
    AttemptRecord updated = attempt.with(
        report.state(), report.exitCode(), report.startedAt(),
        report.state().isTerminal() ? orNow(report.finishedAt(), now) : null, report.message());
    if (report.state() == AttemptState.SUCCEEDED && report.result() != null) {
      updated = updated.withResultBytes((int) resultBytes);
    }
    TaskRecord next = task.withAttempt(updated);
    int number = updated.attempt();
    boolean isLatest = next.latest().map(a -> a.attempt() == number).orElse(false);
    if (!isLatest) {
      next = next.withState(task.state(), task.retryAt());
    } else if (updated.state().isRetryable()
        && (updated.attempt() < spec.get().maxAttempts() || neverStarted)
        && !job.state().isTerminal()) {
      next = next.withState(AttemptState.PENDING, now.plus(backoff.delay(updated.attempt(), random01)));
    }
    return settle(job.withTask(next), now);
  }

  /**
   * Decides the job's state from its tasks: SUCCEEDED when all succeeded; FAILED once some task failed for good
   * and nothing else can still run (tasks that depend on a failed one never start; independent branches finish
   * first). Tasks left PENDING in a finished job become CANCELLED.
   */
  public static JobRecord settle(JobRecord job, Instant now) {
    if (job.state().isTerminal()) {
      return job;
    }
    if (job.tasks().stream().allMatch(t -> t.state() == AttemptState.SUCCEEDED)) {
      return job.withState(JobState.SUCCEEDED, now);
    }
    Set<String> failed = new HashSet<>();
    for (TaskRecord t : job.tasks()) {
      if (t.state().isTerminal() && t.state() != AttemptState.SUCCEEDED) {
        failed.add(Units.taskOf(t.taskId()));
      }
    }
    if (failed.isEmpty()) {
      return job;
    }
    Set<String> blocked = dependentsOf(job, failed);
    for (TaskRecord t : job.tasks()) {
      boolean active = t.state() == AttemptState.SCHEDULED || t.state() == AttemptState.RUNNING;
      boolean canStillRun = t.state() == AttemptState.PENDING && !blocked.contains(Units.taskOf(t.taskId()));
      if (active || canStillRun) {
        return job;
      }
    }
    return cancelPending(job).withState(JobState.FAILED, now);
  }

  /**
   * Cancels the job: pending tasks become CANCELLED and the job CANCELLED at once. The caller kills the attempts
   * {@link #activeAttempts} lists; their reports still update their attempt records. A finished job is unchanged.
   */
  public static JobRecord cancel(JobRecord job, Instant now) {
    if (job.state().isTerminal()) {
      return job;
    }
    return cancelPending(job).withState(JobState.CANCELLED, now);
  }

  /** Attempts placed on a worker and not yet finished. */
  public static List<AttemptKey> activeAttempts(JobRecord job) {
    List<AttemptKey> keys = new ArrayList<>();
    for (TaskRecord t : job.tasks()) {
      for (AttemptRecord a : t.attempts()) {
        if (!a.state().isTerminal()) {
          keys.add(new AttemptKey(job.id(), t.taskId(), a.attempt()));
        }
      }
    }
    return keys;
  }

  private static JobRecord cancelPending(JobRecord job) {
    JobRecord out = job;
    for (TaskRecord t : job.tasks()) {
      if (t.state() == AttemptState.PENDING) {
        out = out.withTask(t.withState(AttemptState.CANCELLED, null));
      }
    }
    return out;
  }

  private static Set<String> dependentsOf(JobRecord job, Set<String> roots) {
    Map<String, List<String>> dependents = new HashMap<>();
    for (TaskSpec s : job.spec().tasks()) {
      for (String d : s.dependsOn()) {
        dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s.id());
      }
    }
    Set<String> out = new HashSet<>();
    List<String> frontier = new ArrayList<>(roots);
    while (!frontier.isEmpty()) {
      String next = frontier.remove(frontier.size() - 1);
      for (String dep : dependents.getOrDefault(next, List.of())) {
        if (out.add(dep)) {
          frontier.add(dep);
        }
      }
    }
    return out;
  }

  private static Map<String, TaskSpec> specsById(JobRecord job) {
    Map<String, TaskSpec> m = new HashMap<>();
    for (TaskSpec t : job.spec().tasks()) {
      m.put(t.id(), t);
    }
    return m;
  }

  private static Instant orNow(Instant t, Instant now) {
    return t != null ? t : now;
  }
}
