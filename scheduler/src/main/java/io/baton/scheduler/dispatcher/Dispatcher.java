package io.baton.scheduler.dispatcher;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.MasterApi.CancelResult;
import io.baton.scheduler.api.MasterApi.DeleteResult;
import io.baton.scheduler.api.MasterApi.SubmitResult;
import io.baton.scheduler.api.QueueFullException;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.protocol.AttemptEvent;
import io.baton.scheduler.model.JobLogic;
import io.baton.scheduler.policy.Retention;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.wire.AttemptReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * Accepts jobs for one leader epoch: gives each an id, persists it (fenced by the epoch) before answering, and
 * runs one {@link JobMaster} child per unfinished job. Keeps the latest version of every job for queries,
 * newest first. It starts from the unfinished jobs and reads the finished history in the background (a
 * submission with an Idempotency-Key, and a delete, wait until that history is in); then it deletes finished jobs
 * as {@link Retention} says, and on request. A store failure is fatal to the session: it is reported to
 * {@code fatal} and the Dispatcher stops.
 */
public final class Dispatcher extends AbstractBehavior<Dispatcher.Command> {
  public sealed interface Command {}

  public record Submit(JobSpec spec, Optional<String> idempotencyKey, ActorRef<StatusReply<SubmitResult>> replyTo)
      implements Command {}

  public record ListJobs(Optional<JobState> state, int limit, Optional<String> beforeId, ActorRef<List<JobRecord>> replyTo)
      implements Command {}

  public record GetJob(String jobId, ActorRef<Optional<JobRecord>> replyTo) implements Command {}

  public record Cancel(String jobId, ActorRef<CancelResult> replyTo) implements Command {}

  /** Finds an attempt (the latest when none is named) to fetch its log. */
  public record FindAttempt(String jobId, String taskId, OptionalInt attempt, ActorRef<AttemptLookup> replyTo)
      implements Command {}

  public sealed interface AttemptLookup {}

  /** {@code handler}: a Java-handler task, whose worker writes a log file only if the handler printed something. */
  public record AttemptFound(String workerId, int attempt, boolean handler) implements AttemptLookup {}

  public record AttemptMissing(String detail) implements AttemptLookup {}

  /** Deletes a settled job (and has its workers delete its logs). */
  public record Delete(String jobId, ActorRef<DeleteResult> replyTo) implements Command {}

  public record JobUpdated(JobRecord job) implements Command {}

  public record StoreFailed(String jobId, Throwable cause) implements Command {}

  private record Persisted(JobRecord job, Throwable failure) implements Command {}

  private record HistoryBatch(List<JobRecord> jobs) implements Command {}

  private record HistoryLoaded(List<JobStore.Quarantined> quarantined, Throwable failure) implements Command {}

  private record Sweep() implements Command {}

  private record Deleted(List<String> jobIds, ActorRef<DeleteResult> replyTo, boolean sweep, Throwable failure)
      implements Command {}

  /** A worker's report of an attempt the ResourceManager holds for no JobMaster. */
  private record Unowned(AttemptEvent.AttemptReported reported) implements Command {}

  static final int HISTORY_BATCH = 2_000;
  /** Most submissions and deletes held while the history loads; more are refused as a full queue. */
  static final int MAX_WAITING_FOR_HISTORY = 10_000;
  private static final Object SWEEP_TIMER = "retention-sweep";

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final JobStore store;
  private final ActorRef<ResourceManager.Command> resourceManager;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final ActorRef<Throwable> fatal;
  private final Random random = new Random();
  private final JobIds ids = new JobIds();
  private final NavigableMap<String, JobRecord> jobs = new TreeMap<>();
  private final Map<String, String> jobByIdempotencyKey = new HashMap<>();
  private final Map<String, List<ActorRef<StatusReply<SubmitResult>>>> submitting = new HashMap<>();
  private final Map<String, ActorRef<JobMaster.Command>> masters = new HashMap<>();
  private long submittingTasks;
  private boolean historyLoaded;
  private final List<Command> waitingForHistory = new ArrayList<>();
  private boolean sweeping;

  /**
   * A Dispatcher serving {@code recovered} (what {@link JobStore#loadForLeader} returned) at once, and the finished
   * history once {@link JobStore#loadHistory} has read it.
   */
  public static Behavior<Command> create(
      Epoch epoch, JobStore.Loaded recovered, JobStore store, ActorRef<ResourceManager.Command> resourceManager,
      SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new Dispatcher(ctx, timers, epoch, recovered, store, resourceManager, settings, clock, fatal)));
  }

  private Dispatcher(
      ActorContext<Command> context, TimerScheduler<Command> timers, Epoch epoch, JobStore.Loaded loaded,
      JobStore store, ActorRef<ResourceManager.Command> resourceManager, SchedulerSettings settings, Clock clock,
      ActorRef<Throwable> fatal) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.epoch = epoch;
    this.store = store;
    this.resourceManager = resourceManager;
    this.settings = settings;
    this.clock = clock;
    this.fatal = fatal;
    resourceManager.tell(new ResourceManager.SetDispatcher(
        context.messageAdapter(AttemptEvent.AttemptReported.class, Unowned::new)));
    List<JobRecord> recovered = loaded.jobs();
    if (loaded.newestId() != null) {
      ids.seed(loaded.newestId());
    }
    ActorRef<Command> self = context.getSelf();
    for (JobRecord job : recovered) {
      remember(job);
      ids.seed(job.id());
      if (!job.settled()) {
        startMaster(job);
      } else {
        // stored among the unfinished by an older version: this put moves it to the history
        store.put(epoch, job).whenComplete((ok, failure) -> {
          if (failure != null) {
            self.tell(new StoreFailed(job.id(), failure));
          }
        });
      }
    }
    context.getLog().info("dispatcher for {} recovered {} unfinished jobs; loading the finished history", epoch,
        masters.size());
    Executor blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
      try {
        return store.loadHistory(epoch, HISTORY_BATCH, batch -> self.tell(new HistoryBatch(batch)));
      } catch (Exception e) {
        throw new IllegalStateException("could not load the finished history", e);
      }
    }, blocking), HistoryLoaded::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, this::onSubmit)
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(ListJobs.class, this::onList)
        .onMessage(GetJob.class, msg -> reply(msg.replyTo(), Optional.ofNullable(jobs.get(msg.jobId()))))
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(FindAttempt.class, this::onFindAttempt)
        .onMessage(Unowned.class, this::onUnowned)
        .onMessage(JobUpdated.class, msg -> {
          jobs.put(msg.job().id(), msg.job());
          publish(msg.job());
          return this;
        })
        .onMessage(StoreFailed.class, this::onStoreFailed)
        .onMessage(Delete.class, this::onDelete)
        .onMessage(HistoryBatch.class, this::onHistoryBatch)
        .onMessage(HistoryLoaded.class, this::onHistoryLoaded)
        .onMessage(Sweep.class, this::onSweep)
        .onMessage(Deleted.class, this::onDeleted)
        .onSignal(Terminated.class, this::onMasterStopped)
        .build();
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T value) {
    to.tell(value);
    return this;
  }

  private Behavior<Command> onSubmit(Submit msg) {
    Optional<String> key = msg.idempotencyKey();
    if (key.isPresent()) {
      String existing = jobByIdempotencyKey.get(key.get());
      if (existing != null) {
        JobRecord job = jobs.get(existing);
        msg.replyTo().tell(StatusReply.success(new SubmitResult(existing, job.state(), false)));
        return this;
      }
      List<ActorRef<StatusReply<SubmitResult>>> waiting = submitting.get(key.get());
      if (waiting != null) {
        waiting.add(msg.replyTo());
        return this;
      }
      if (!historyLoaded) {
        // the key may name a finished job not read yet
        return waitForHistory(msg, () -> msg.replyTo().tell(StatusReply.error(new QueueFullException(
            queuedTasks(), msg.spec().tasks().size(), settings.maxQueuedTasks()))));
      }
    }
    long queued = queuedTasks();
    if (queued + msg.spec().tasks().size() > settings.maxQueuedTasks()) {
      msg.replyTo().tell(StatusReply.error(
          new QueueFullException(queued, msg.spec().tasks().size(), settings.maxQueuedTasks())));
      return this;
    }
    JobRecord job = JobRecord.submitted(ids.next(clock.instant()), msg.spec(), key.orElse(null), clock.instant());
    submittingTasks += job.tasks().size();
    List<ActorRef<StatusReply<SubmitResult>>> replies = new ArrayList<>();
    replies.add(msg.replyTo());
    submitting.put(submittingKey(job), replies);
    // Done, not the Void result: a null piped to a stopped actor makes Pekko's dead-letter logger throw
    context.pipeToSelf(store.put(epoch, job).thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new Persisted(job, failure));
    return this;
  }

  /** Tasks of unfinished jobs, including those being persisted: what the queue cap counts. */
  private long queuedTasks() {
    long n = submittingTasks;
    for (String id : masters.keySet()) {
      JobRecord job = jobs.get(id);
      if (job != null && !job.state().isTerminal()) {
        n += job.tasks().size();
      }
    }
    return n;
  }

  private static String submittingKey(JobRecord job) {
    return job.idempotencyKey() != null ? job.idempotencyKey() : "\0" + job.id();
  }

  private Behavior<Command> onPersisted(Persisted msg) {
    JobRecord job = msg.job();
    List<ActorRef<StatusReply<SubmitResult>>> replies = submitting.remove(submittingKey(job));
    submittingTasks -= job.tasks().size();
    if (msg.failure() != null) {
      context.getLog().error("could not persist job {}", job.id(), msg.failure());
      replies.forEach(r -> r.tell(StatusReply.error(msg.failure())));
      return onStoreFailed(new StoreFailed(job.id(), msg.failure()));
    }
    remember(job);
    publish(job);
    for (int i = 0; i < replies.size(); i++) {
      replies.get(i).tell(StatusReply.success(new SubmitResult(job.id(), job.state(), i == 0)));
    }
    startMaster(job);
    return this;
  }

  private void publish(JobRecord job) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.JobChanged(job)));
  }

  private void remember(JobRecord job) {
    jobs.put(job.id(), job);
    if (job.idempotencyKey() != null) {
      jobByIdempotencyKey.put(job.idempotencyKey(), job.id());
    }
  }

  private void startMaster(JobRecord job) {
    ActorRef<JobMaster.Command> master = context.spawn(
        JobMaster.create(job, epoch, store, resourceManager, context.getSelf(), settings, clock, random),
        "job-" + job.id());
    context.watch(master);
    masters.put(job.id(), master);
  }

  private Behavior<Command> onList(ListJobs msg) {
    NavigableMap<String, JobRecord> view = msg.beforeId().map(b -> jobs.headMap(b, false)).orElse(jobs).descendingMap();
    List<JobRecord> out = new ArrayList<>();
    for (JobRecord job : view.values()) {
      if (out.size() >= msg.limit()) {
        break;
      }
      if (msg.state().isEmpty() || msg.state().get() == job.state()) {
        out.add(job);
      }
    }
    msg.replyTo().tell(out);
    return this;
  }

  private Behavior<Command> onCancel(Cancel msg) {
    JobRecord job = jobs.get(msg.jobId());
    ActorRef<JobMaster.Command> master = masters.get(msg.jobId());
    if (job == null) {
      msg.replyTo().tell(CancelResult.NOT_FOUND);
    } else if (master == null || job.state().isTerminal()) {
      msg.replyTo().tell(CancelResult.ALREADY_FINISHED);
    } else {
      master.tell(new JobMaster.Cancel(msg.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onFindAttempt(FindAttempt msg) {
    JobRecord job = jobs.get(msg.jobId());
    if (job == null) {
      msg.replyTo().tell(new AttemptMissing("no job " + msg.jobId()));
      return this;
    }
    Optional<TaskRecord> task = job.task(msg.taskId());
    if (task.isEmpty()) {
      msg.replyTo().tell(new AttemptMissing("job " + msg.jobId() + " has no task " + msg.taskId()));
      return this;
    }
    Optional<AttemptRecord> attempt = msg.attempt().isPresent()
        ? task.get().attempt(msg.attempt().getAsInt()) : task.get().latest();
    if (attempt.isEmpty()) {
      msg.replyTo().tell(new AttemptMissing(msg.attempt().isPresent()
          ? "task " + msg.taskId() + " has no attempt " + msg.attempt().getAsInt()
          : "task " + msg.taskId() + " has not started yet"));
    } else if (attempt.get().workerId() == null) {
      msg.replyTo().tell(new AttemptMissing("attempt " + attempt.get().attempt() + " was never placed on a worker"));
    } else {
      boolean handler = job.spec().task(msg.taskId()).map(t -> t.isHandler()).orElse(false);
      msg.replyTo().tell(new AttemptFound(attempt.get().workerId(), attempt.get().attempt(), handler));
    }
    return this;
  }

  private Behavior<Command> onUnowned(Unowned msg) {
    AttemptReport report = msg.reported().report();
    String workerId = msg.reported().workerId();
    ActorRef<JobMaster.Command> master = masters.get(report.key().jobId());
    if (master != null) {
      master.tell(new JobMaster.ReportRouted(msg.reported()));
      return this;
    }
    // No JobMaster: the job is unknown or finished with nothing active. Its record already says how the
    // attempt ended (or the attempt is foreign), so acknowledge to let the worker forget it, and stop it if
    // it still runs.
    if (!report.state().isTerminal()) {
      resourceManager.tell(new ResourceManager.KillUntracked(workerId, report.key()));
    }
    resourceManager.tell(new ResourceManager.Ack(workerId, report.key(), report.state()));
    return this;
  }

  private Behavior<Command> waitForHistory(Command msg, Runnable refuse) {
    if (waitingForHistory.size() >= MAX_WAITING_FOR_HISTORY) {
      refuse.run();
    } else {
      waitingForHistory.add(msg);
    }
    return this;
  }

  private Behavior<Command> onHistoryBatch(HistoryBatch msg) {
    for (JobRecord job : msg.jobs()) {
      if (!jobs.containsKey(job.id())) {
        remember(job);
      }
    }
    return this;
  }

  private Behavior<Command> onHistoryLoaded(HistoryLoaded msg) {
    if (msg.failure() != null) {
      context.getLog().error("could not load the finished history in {}; this leader session ends", epoch,
          msg.failure());
      fatal.tell(msg.failure());
      return Behaviors.stopped();
    }
    historyLoaded = true;
    context.getLog().info("dispatcher for {} serves {} jobs, {} unfinished (finished history loaded{})", epoch,
        jobs.size(), masters.size(), msg.quarantined().isEmpty() ? ""
            : "; " + msg.quarantined().size() + " unreadable records quarantined");
    List<Command> waiting = new ArrayList<>(waitingForHistory);
    waitingForHistory.clear();
    for (Command m : waiting) {
      context.getSelf().tell(m);
    }
    timers.startTimerWithFixedDelay(SWEEP_TIMER, new Sweep(), settings.retention().sweepInterval());
    context.getSelf().tell(new Sweep());
    return this;
  }

  private Behavior<Command> onDelete(Delete msg) {
    JobRecord job = jobs.get(msg.jobId());
    if (job == null && !historyLoaded) {
      return waitForHistory(msg, () -> msg.replyTo().tell(DeleteResult.NOT_FOUND));
    }
    if (job == null) {
      msg.replyTo().tell(DeleteResult.NOT_FOUND);
    } else if (!job.settled() || masters.containsKey(job.id())) {
      msg.replyTo().tell(DeleteResult.NOT_FINISHED);
    } else {
      delete(List.of(job.id()), msg.replyTo(), false);
    }
    return this;
  }

  private Behavior<Command> onSweep(Sweep msg) {
    if (sweeping || !historyLoaded) {
      return this;
    }
    List<Retention.Finished> settled = new ArrayList<>();
    for (JobRecord job : jobs.values()) {
      if (job.settled() && !masters.containsKey(job.id())) {
        settled.add(new Retention.Finished(job.id(), job.finishedAt()));
      }
    }
    List<String> expired = settings.retention().expired(settled, clock.instant());
    if (!expired.isEmpty()) {
      sweeping = true;
      delete(expired, null, true);
    }
    return this;
  }

  private void delete(List<String> jobIds, ActorRef<DeleteResult> replyTo, boolean sweep) {
    List<CompletableFuture<Void>> writes = new ArrayList<>(jobIds.size());
    for (String id : jobIds) {
      writes.add(store.delete(epoch, id));
    }
    context.pipeToSelf(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
            .thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new Deleted(jobIds, replyTo, sweep, failure));
  }

  private Behavior<Command> onDeleted(Deleted msg) {
    if (msg.sweep()) {
      sweeping = false;
    }
    if (msg.failure() != null) {
      if (msg.replyTo() != null) {
        msg.replyTo().tell(DeleteResult.NOT_FOUND);
      }
      return onStoreFailed(new StoreFailed(msg.jobIds().get(0), msg.failure()));
    }
    for (String id : msg.jobIds()) {
      JobRecord job = jobs.remove(id);
      if (job != null && job.idempotencyKey() != null && id.equals(jobByIdempotencyKey.get(job.idempotencyKey()))) {
        jobByIdempotencyKey.remove(job.idempotencyKey());
      }
      context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.JobRemoved(id)));
    }
    resourceManager.tell(new ResourceManager.ForgetJobs(msg.jobIds()));
    if (msg.replyTo() != null) {
      msg.replyTo().tell(DeleteResult.DELETED);
    }
    if (msg.sweep()) {
      context.getLog().info("retention deleted {} finished jobs ({} kept)", msg.jobIds().size(), jobs.size());
      if (msg.jobIds().size() >= settings.retention().maxPerSweep()) {
        context.getSelf().tell(new Sweep());
      }
    }
    return this;
  }

  private Behavior<Command> onStoreFailed(StoreFailed msg) {
    context.getLog().error("job store write for {} failed in {}; this leader session ends", msg.jobId(), epoch, msg.cause());
    fatal.tell(msg.cause());
    return Behaviors.stopped();
  }

  private Behavior<Command> onMasterStopped(Terminated signal) {
    String name = signal.getRef().path().name();
    masters.remove(name.substring("job-".length()));
    return this;
  }
}
