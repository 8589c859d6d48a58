package io.baton.web;

import io.baton.protocol.JobState;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.JobFilter;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.NotLeaderException;
import io.baton.scheduler.api.ScheduleView;
import io.baton.scheduler.api.ScheduleView.FireView;
import io.baton.scheduler.api.WorkerView;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.model.ScheduleLogic;
import io.baton.scheduler.model.ScheduleState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link MasterApi}: jobs live in a map, ids are {@code job-000001, ...} in submission order,
 * schedules in a map by name (their next fires from {@link ScheduleLogic#nextFires} at a settable {@link #now}; a
 * trigger submits the schedule's job with the fire id as its Idempotency-Key; nothing fires by itself),
 * and every leader call can be made to fail ({@link #failWith}) or hang ({@link #hang}). Thread-safe
 * (synchronized); tests and Pekko's dispatcher call it concurrently.
 */
final class TestingMasterApi implements MasterApi {
  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final Map<String, JobRecord> jobs = new LinkedHashMap<>();
  private final Map<String, String> byKey = new LinkedHashMap<>();
  private final Map<String, LogResult> logs = new ConcurrentHashMap<>();
  private final AtomicInteger sequence = new AtomicInteger();
  private final AtomicInteger leaderCalls = new AtomicInteger();
  private volatile RuntimeException failure;
  private volatile boolean hang;
  private volatile Optional<java.util.Set<String>> secretNames = Optional.empty();
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private volatile List<WorkerView> workers = List.of();
  private volatile ClusterView cluster = new ClusterView(Optional.empty(), "http://127.0.0.1:0", true, List.of(), "CONNECTED");
  private volatile boolean ready;
  private final Map<String, ScheduleState> schedules = new TreeMap<>();
  private final Map<String, List<FireView>> fires = new LinkedHashMap<>();
  private volatile Instant now = Instant.parse("2026-03-01T10:00:30Z");

  // --- configuration -----------------------------------------------------------------------------------

  void failWith(RuntimeException e) {
    failure = e;
  }

  void notLeader(Optional<LeaderInfo> leader) {
    failure = new NotLeaderException(leader);
  }

  void hang(boolean value) {
    hang = value;
  }

  /** The signing secrets this master says it has (none known, so none checked, until set). */
  void knowsSecrets(String... names) {
    secretNames = Optional.of(java.util.Set.of(names));
  }

  @Override
  public Optional<java.util.Set<String>> alertSecretNames() {
    return secretNames;
  }

  /** Leader calls from now on answer once {@code gate} completes (and at once again after it). */
  void holdUntil(CompletableFuture<Void> gate) {
    this.gate = gate;
  }

  void reset() {
    failure = null;
    hang = false;
  }

  void setWorkers(List<WorkerView> value) {
    workers = List.copyOf(value);
  }

  void setCluster(ClusterView value) {
    cluster = value;
  }

  void setReady(boolean value) {
    ready = value;
  }

  void putLog(String jobId, String taskId, int attempt, LogResult result) {
    logs.put(jobId + "/" + taskId + "#" + attempt, result);
  }

  synchronized JobRecord put(JobRecord job) {
    jobs.put(job.id(), job);
    return job;
  }

  synchronized int jobCount() {
    return jobs.size();
  }

  synchronized Optional<JobRecord> stored(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  void setNow(Instant value) {
    now = value;
  }

  synchronized Optional<ScheduleState> storedSchedule(String name) {
    return Optional.ofNullable(schedules.get(name));
  }

  synchronized void putFire(String name, FireView fire) {
    fires.computeIfAbsent(name, n -> new ArrayList<>()).add(0, fire);
  }

  int leaderCalls() {
    return leaderCalls.get();
  }

  // --- MasterApi ---------------------------------------------------------------------------------------

  @Override
  public CompletionStage<SubmitResult> submit(JobSpec spec, Optional<String> idempotencyKey) {
    return leaderCall(() -> {
      synchronized (this) {
        if (idempotencyKey.isPresent() && byKey.containsKey(idempotencyKey.get())) {
          JobRecord first = jobs.get(byKey.get(idempotencyKey.get()));
          return new SubmitResult(first.id(), first.state(), false);
        }
        int n = sequence.incrementAndGet();
        String id = String.format("job-%06d", n);
        jobs.put(id, JobRecord.submitted(id, spec, idempotencyKey.orElse(null), EPOCH.plusSeconds(n)));
        idempotencyKey.ifPresent(k -> byKey.put(k, id));
        return new SubmitResult(id, JobState.PENDING, true);
      }
    });
  }

  @Override
  public CompletionStage<List<JobRecord>> listJobs(JobFilter filter, int limit, Optional<String> beforeId) {
    return leaderCall(() -> {
      synchronized (this) {
        List<JobRecord> newestFirst = new ArrayList<>(jobs.values());
        newestFirst.sort(Comparator.comparing(JobRecord::submittedAt).thenComparing(JobRecord::id).reversed());
        if (beforeId.isPresent()) {
          int at = -1;
          for (int i = 0; i < newestFirst.size(); i++) {
            if (newestFirst.get(i).id().equals(beforeId.get())) {
              at = i;
            }
          }
          newestFirst = at < 0 ? List.of() : newestFirst.subList(at + 1, newestFirst.size());
        }
        return newestFirst.stream().filter(filter::matches).limit(limit).toList();
      }
    });
  }

  @Override
  public CompletionStage<Optional<JobRecord>> job(String jobId) {
    return leaderCall(() -> stored(jobId));
  }

  @Override
  public CompletionStage<DeleteResult> delete(String jobId) {
    return leaderCall(() -> {
      synchronized (this) {
        JobRecord job = jobs.get(jobId);
        if (job == null) {
          return DeleteResult.NOT_FOUND;
        }
        if (!job.settled()) {
          return DeleteResult.NOT_FINISHED;
        }
        jobs.remove(jobId);
        return DeleteResult.DELETED;
      }
    });
  }

  /** A rerun through the scheduler's own rules ({@link io.baton.scheduler.model.JobLogic#rerun}). */
  @Override
  public CompletionStage<RerunResult> rerun(String jobId) {
    return leaderCall(() -> {
      synchronized (this) {
        JobRecord job = jobs.get(jobId);
        if (job == null) {
          return new RerunResult.NotFound("no job with id '" + jobId + "'");
        }
        Optional<String> why = io.baton.scheduler.model.JobLogic.whyNotRerun(job);
        if (why.isPresent()) {
          return new RerunResult.Conflict(why.get());
        }
        int n = sequence.incrementAndGet();
        JobRecord rerun = io.baton.scheduler.model.JobLogic.rerun(job, String.format("job-%06d", n), EPOCH.plusSeconds(n));
        jobs.put(rerun.id(), rerun);
        return new RerunResult.Created(rerun.id(), rerun.state());
      }
    });
  }

  @Override
  public CompletionStage<List<String>> reruns(String jobId) {
    return leaderCall(() -> {
      synchronized (this) {
        return jobs.values().stream().filter(j -> jobId.equals(j.rerunOf())).map(JobRecord::id).sorted().toList();
      }
    });
  }

  @Override
  public CompletionStage<CancelResult> cancel(String jobId) {
    return leaderCall(() -> {
      synchronized (this) {
        JobRecord job = jobs.get(jobId);
        if (job == null) {
          return CancelResult.NOT_FOUND;
        }
        if (job.state().isTerminal()) {
          return CancelResult.ALREADY_FINISHED;
        }
        jobs.put(jobId, job.withState(JobState.CANCELLED, EPOCH.plusSeconds(100_000)));
        return CancelResult.ACCEPTED;
      }
    });
  }

  /** Results served by {@link #results}, by job id then task id. */
  final Map<String, Map<String, List<UnitResult>>> results = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public CompletionStage<Optional<List<UnitResult>>> results(String jobId, String taskId) {
    return leaderCall(() -> stored(jobId).flatMap(job -> job.spec().task(taskId))
        .map(t -> results.getOrDefault(jobId, Map.of()).getOrDefault(taskId, List.of())));
  }

  @Override
  public CompletionStage<LogResult> log(String jobId, String taskId, OptionalInt attempt) {
    return leaderCall(() -> {
      Optional<JobRecord> job = stored(jobId);
      if (job.isEmpty()) {
        return new LogResult.NotFound("no job with id '" + jobId + "'");
      }
      Optional<TaskRecord> task = job.get().task(taskId);
      if (task.isEmpty()) {
        return new LogResult.NotFound("job '" + jobId + "' has no task '" + taskId + "'");
      }
      int number = attempt.isPresent()
          ? attempt.getAsInt()
          : task.get().latest().map(AttemptRecord::attempt).orElse(0);
      LogResult result = logs.get(jobId + "/" + taskId + "#" + number);
      return result != null ? result : new LogResult.NotFound("task '" + taskId + "' has no attempt " + number);
    });
  }

  @Override
  public CompletionStage<List<WorkerView>> workers() {
    return leaderCall(() -> workers);
  }

  /** Drain and undrain act on the workers set with {@link #setWorkers}: unknown 404, DEAD 409. */
  @Override
  public CompletionStage<DrainResult> drain(String workerId, boolean drain) {
    return leaderCall(() -> {
      synchronized (this) {
        Optional<WorkerView> found = workers.stream().filter(w -> w.id().equals(workerId)).findFirst();
        if (found.isEmpty()) {
          return new DrainResult.NotFound("no worker with id '" + workerId + "' is registered");
        }
        WorkerView w = found.get();
        if (w.state().equals("DEAD")) {
          return new DrainResult.Conflict("worker '" + workerId + "' is DEAD");
        }
        WorkerView changed = new WorkerView(w.id(), w.host(), drain ? "DRAINING" : "ALIVE", w.cpus(), w.memoryMb(),
            w.cpusUsed(), w.memoryMbUsed(), w.labels(), w.runningAttempts(), w.lastHeartbeatAt());
        workers = workers.stream().map(x -> x.id().equals(workerId) ? changed : x).toList();
        return new DrainResult.Done(changed);
      }
    });
  }

  @Override
  public CompletionStage<List<ScheduleView>> schedules() {
    return leaderCall(() -> {
      synchronized (this) {
        return schedules.keySet().stream().map(this::view).toList();
      }
    });
  }

  @Override
  public CompletionStage<Optional<ScheduleView>> schedule(String name) {
    return leaderCall(() -> {
      synchronized (this) {
        return schedules.containsKey(name) ? Optional.of(view(name)) : Optional.empty();
      }
    });
  }

  @Override
  public CompletionStage<ScheduleChange> putSchedule(ScheduleSpec spec, boolean replace) {
    return leaderCall(() -> {
      synchronized (this) {
        ScheduleState old = schedules.get(spec.name());
        if (old != null && !replace) {
          return new ScheduleChange.Exists(spec.name());
        }
        schedules.put(spec.name(), old == null ? ScheduleState.created(spec, now) : old.withSpec(spec));
        return new ScheduleChange.Done(view(spec.name()), old == null);
      }
    });
  }

  @Override
  public CompletionStage<ScheduleChange> pauseSchedule(String name, boolean paused) {
    return leaderCall(() -> {
      synchronized (this) {
        ScheduleState state = schedules.get(name);
        if (state == null) {
          return new ScheduleChange.NotFound(name);
        }
        schedules.put(name, paused ? state.pause() : state.resume(now));
        return new ScheduleChange.Done(view(name), false);
      }
    });
  }

  @Override
  public CompletionStage<ScheduleChange> deleteSchedule(String name) {
    return leaderCall(() -> {
      synchronized (this) {
        ScheduleState state = schedules.remove(name);
        fires.remove(name);
        return state == null ? new ScheduleChange.NotFound(name) : new ScheduleChange.Done(view(state), false);
      }
    });
  }

  @Override
  public CompletionStage<Optional<String>> triggerSchedule(String name) {
    return leaderCall(() -> {
      synchronized (this) {
        ScheduleState state = schedules.get(name);
        if (state == null) {
          return Optional.empty();
        }
        ScheduleLogic.Fire fire = ScheduleLogic.Fire.of(name, now);
        String jobId = submit(state.spec().job(), Optional.of(fire.id())).toCompletableFuture().join().jobId();
        putFire(name, new FireView(fire.id(), fire.scheduledAt(), jobId, JobState.PENDING.name()));
        return Optional.of(jobId);
      }
    });
  }

  private ScheduleView view(String name) {
    return view(schedules.get(name));
  }

  private ScheduleView view(ScheduleState state) {
    List<FireView> last = fires.getOrDefault(state.name(), List.of());
    return new ScheduleView(state.spec(), state.paused(), state.createdAt(),
        ScheduleLogic.nextFires(state, now, ScheduleView.NEXT_FIRES),
        last.subList(0, Math.min(last.size(), ScheduleView.LAST_FIRES)));
  }

  @Override
  public ClusterView cluster() {
    return cluster;
  }

  @Override
  public boolean ready() {
    return ready;
  }

  private volatile StepDownResult stepDown = new StepDownResult.HandedOver(new io.baton.protocol.Epoch(1));

  void setStepDown(StepDownResult result) {
    this.stepDown = result;
  }

  @Override
  public CompletionStage<StepDownResult> stepDown() {
    return leaderCall(() -> stepDown);
  }

  private <T> CompletionStage<T> leaderCall(java.util.function.Supplier<T> body) {
    leaderCalls.incrementAndGet();
    if (hang) {
      return new CompletableFuture<>();
    }
    RuntimeException f = failure;
    if (f != null) {
      return CompletableFuture.failedFuture(f);
    }
    if (!gate.isDone()) {
      return gate.thenApply(open -> body.get());
    }
    return CompletableFuture.completedFuture(body.get());
  }
}
