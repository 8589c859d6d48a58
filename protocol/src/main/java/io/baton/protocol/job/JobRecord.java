package io.baton.protocol.job;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job as persisted and served: its spec, state, timestamps and one {@link TaskRecord} per unit (a task run once,
 * or one shard of a sharded task: see {@link Units}) in spec order. Immutable; every change returns a new record. {@code idempotencyKey} is null when none was given;
 * {@code rerunOf} is the id of the finished job this one reruns ({@code POST /jobs/{id}/rerun}), else null;
 * {@code runAt}, when set, is the instant before which the job stays PENDING and nothing of it is placed (a
 * schedule's fire, submitted ahead of its instant), else null: it may start at once.
 */
public record JobRecord(
    String id,
    JobSpec spec,
    String idempotencyKey,
    JobState state,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    List<TaskRecord> tasks,
    String rerunOf,
    Instant runAt) {

  public JobRecord {
    tasks = List.copyOf(tasks);
  }

  /** A job that reruns no other. */
  public JobRecord(String id, JobSpec spec, String idempotencyKey, JobState state, Instant submittedAt,
      Instant startedAt, Instant finishedAt, List<TaskRecord> tasks) {
    this(id, spec, idempotencyKey, state, submittedAt, startedAt, finishedAt, tasks, null, null);
  }

  /** A job that may start at once. */
  public JobRecord(String id, JobSpec spec, String idempotencyKey, JobState state, Instant submittedAt,
      Instant startedAt, Instant finishedAt, List<TaskRecord> tasks, String rerunOf) {
    this(id, spec, idempotencyKey, state, submittedAt, startedAt, finishedAt, tasks, rerunOf, null);
  }

  public static JobRecord submitted(String id, JobSpec spec, String idempotencyKey, Instant now) {
    List<TaskRecord> tasks = Units.of(spec).stream().map(TaskRecord::pending).toList();
    return new JobRecord(id, spec, idempotencyKey, JobState.PENDING, now, null, null, tasks);
  }

  /** The record of a unit: a task run once, or a shard named {@code <taskId>#<index>}. */
  public Optional<TaskRecord> task(String taskId) {
    return tasks.stream().filter(t -> t.taskId().equals(taskId)).findFirst();
  }

  /**
   * Finished for good: the job is in a terminal state and none of its attempts can still report (every attempt is
   * terminal). Only a settled job may move to history or be deleted.
   */
  public boolean settled() {
    if (!state.isTerminal()) {
      return false;
    }
    for (TaskRecord t : tasks) {
      for (AttemptRecord a : t.attempts()) {
        if (!a.state().isTerminal()) {
          return false;
        }
      }
    }
    return true;
  }

  /** The records of {@code taskId}'s units (its shards in order, or its one record). */
  public List<TaskRecord> unitsOf(String taskId) {
    return tasks.stream().filter(t -> Units.taskOf(t.taskId()).equals(taskId)).toList();
  }

  public long tasksSucceeded() {
    return tasks.stream().filter(t -> t.state() == AttemptState.SUCCEEDED).count();
  }

  public JobRecord withTask(TaskRecord task) {
    List<TaskRecord> next = new ArrayList<>(tasks);
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i).taskId().equals(task.taskId())) {
        next.set(i, task);
        return new JobRecord(id, spec, idempotencyKey, state, submittedAt, startedAt, finishedAt, next, rerunOf,
            runAt);
      }
    }
    throw new IllegalArgumentException("job " + id + " has no task " + task.taskId());
  }

  public JobRecord withState(JobState newState, Instant now) {
    Instant started = startedAt == null && newState != JobState.PENDING ? now : startedAt;
    Instant finished = newState.isTerminal() && finishedAt == null ? now : finishedAt;
    return new JobRecord(id, spec, idempotencyKey, newState, submittedAt, started, finished, tasks, rerunOf, runAt);
  }

  /** This job, waiting until {@code instant} before it starts (null: not waiting). */
  public JobRecord withRunAt(Instant instant) {
    return new JobRecord(id, spec, idempotencyKey, state, submittedAt, startedAt, finishedAt, tasks, rerunOf, instant);
  }
}
