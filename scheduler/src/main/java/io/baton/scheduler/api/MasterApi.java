package io.baton.scheduler.api;

import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.schedule.ScheduleSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * What the REST layer asks of a master. Thread-safe; every call returns at once. Calls that need the leader
 * complete exceptionally with {@link NotLeaderException} on a master that does not lead, and with a
 * {@link java.util.concurrent.TimeoutException} when the leader does not answer in time. Inputs are already
 * validated by the caller.
 */
public interface MasterApi {
  /** Accepts and persists a job; completes only once it is durable. */
  CompletionStage<SubmitResult> submit(JobSpec spec, Optional<String> idempotencyKey);

  /**
   * The jobs {@code filter} keeps (by state, name, worker, labels), newest first, older than job {@code beforeId},
   * at most {@code limit}. Answered from an index, not a scan.
   */
  CompletionStage<List<JobRecord>> listJobs(JobFilter filter, int limit, Optional<String> beforeId);

  /** Jobs newest first, optionally only those in {@code state} and whose name contains {@code name} (any case). */
  default CompletionStage<List<JobRecord>> listJobs(Optional<JobState> state, Optional<String> name, int limit,
      Optional<String> beforeId) {
    return listJobs(new JobFilter(state, name, Optional.empty(), Map.of()), limit, beforeId);
  }

  default CompletionStage<List<JobRecord>> listJobs(Optional<JobState> state, int limit, Optional<String> beforeId) {
    return listJobs(state, Optional.empty(), limit, beforeId);
  }

  CompletionStage<Optional<JobRecord>> job(String jobId);

  CompletionStage<CancelResult> cancel(String jobId);

  /**
   * Reruns a finished job that did not succeed: a new job of the same spec that reuses the tasks that succeeded
   * (SUCCEEDED, noted as reused) and runs the others again; its {@code rerunOf} names this one. Completes once the
   * new job is durable.
   */
  CompletionStage<RerunResult> rerun(String jobId);

  /** The ids of the jobs that rerun {@code jobId}, oldest first (empty for an unknown job). */
  CompletionStage<List<String>> reruns(String jobId);

  /** What a rerun did. */
  sealed interface RerunResult {
    record Created(String jobId, JobState state) implements RerunResult {}

    record NotFound(String detail) implements RerunResult {}

    /** The job has not finished, or it succeeded (nothing to rerun). */
    record Conflict(String detail) implements RerunResult {}
  }

  /** Deletes a finished job and its logs; refused while any of its attempts may still run. */
  CompletionStage<DeleteResult> delete(String jobId);

  /** The log of one attempt (the latest when {@code attempt} is empty), fetched from its worker. */
  CompletionStage<LogResult> log(String jobId, String taskId, OptionalInt attempt);

  /**
   * The results task {@code taskId} of job {@code jobId} left: one per unit (its shards in order, or its one run)
   * whose latest attempt SUCCEEDED with a result; empty when there is no such job or task.
   */
  CompletionStage<Optional<List<UnitResult>>> results(String jobId, String taskId);

  /** A unit's result: {@code shard} is -1 for a task run once. */
  record UnitResult(String unitId, int shard, int attempt, String result) {}

  CompletionStage<List<WorkerView>> workers();

  /**
   * Drains ({@code drain} true: the worker takes no new attempts, its running ones finish) or undrains a worker.
   * The worker keeps the mode itself and says it in its registrations, so it survives a failover.
   */
  CompletionStage<DrainResult> drain(String workerId, boolean drain);

  /** What a drain or undrain did. */
  sealed interface DrainResult {
    /** Done (or nothing to change): the worker as it is now. */
    record Done(WorkerView worker) implements DrainResult {}

    record NotFound(String detail) implements DrainResult {}

    /** Refused: the worker is DEAD, or is stopping and cannot be undrained. */
    record Conflict(String detail) implements DrainResult {}
  }

  /** Every schedule, by name. */
  CompletionStage<List<ScheduleView>> schedules();

  CompletionStage<Optional<ScheduleView>> schedule(String name);

  /**
   * Creates a schedule ({@code replace} false: {@link ScheduleChange.Exists} when the name is taken) or creates or
   * replaces it ({@code replace} true, PUT: what fired stays fired, a replaced schedule keeps its paused state).
   * The spec is already validated. Completes once durable.
   */
  CompletionStage<ScheduleChange> putSchedule(ScheduleSpec spec, boolean replace);

  /** Pauses ({@code paused} true) or resumes a schedule; a resumed schedule fires from now on. */
  CompletionStage<ScheduleChange> pauseSchedule(String name, boolean paused);

  /** Deletes a schedule and its fire records (not the jobs its fires submitted). */
  CompletionStage<ScheduleChange> deleteSchedule(String name);

  /**
   * Submits the schedule's job once now, outside its timetable (the fire is recorded like any other, at the
   * instant it was asked for); completes with the job's id, or empty when there is no such schedule.
   */
  CompletionStage<Optional<String>> triggerSchedule(String name);

  /** What a change to a schedule did. */
  sealed interface ScheduleChange {
    /** Done; {@code created} when a new schedule was made. */
    record Done(ScheduleView view, boolean created) implements ScheduleChange {}

    record NotFound(String name) implements ScheduleChange {}

    record Exists(String name) implements ScheduleChange {}
  }

  /**
   * A planned handover: the leader takes no new work, lets the submissions being persisted finish, gives up
   * leadership at once (no session timeout) and goes on as a standby, so another master is granted. Completes
   * with {@link StepDownResult.HandedOver} (the epoch given up), or {@link StepDownResult.NoStandby} when no other
   * master contends (then nothing changes); fails with {@link NotLeaderException} where this master does not lead.
   */
  CompletionStage<StepDownResult> stepDown();

  /** What a step-down did. */
  sealed interface StepDownResult {
    record HandedOver(io.baton.protocol.Epoch epoch) implements StepDownResult {}

    record NoStandby() implements StepDownResult {}
  }

  /** Who leads, who this master is, every master contending, the ZooKeeper connection state. No round trip. */
  ClusterView cluster();

  /** True on the leader once its session is running and at least one worker is registered. */
  boolean ready();

  /**
   * The names of the webhook signing secrets this master has ({@code baton.alerts.secrets-file}; every master needs
   * the same file), so that a job naming another is refused at submit instead of failing at each delivery; empty
   * when unknown (nothing is checked then). No round trip.
   */
  default Optional<java.util.Set<String>> alertSecretNames() {
    return Optional.empty();
  }

  record SubmitResult(String jobId, JobState state, boolean created) {}

  enum CancelResult { ACCEPTED, NOT_FOUND, ALREADY_FINISHED }

  enum DeleteResult { DELETED, NOT_FOUND, NOT_FINISHED }

  sealed interface LogResult {
    record Found(byte[] data) implements LogResult {}

    /** No such job, task or attempt, or the worker keeps no log for it; {@code detail} says which. */
    record NotFound(String detail) implements LogResult {}

    /** The attempt's worker is not reachable now. */
    record Unavailable(String detail) implements LogResult {}
  }
}
