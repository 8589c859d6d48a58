package io.baton.scheduler.dispatcher;

import io.baton.ha.FencedException;
import io.baton.ha.JobStore;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.alerts.JobAlerts;
import io.baton.scheduler.api.NotLeaderException;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
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
 * runs one {@link JobMaster} child per unfinished job. It holds the unfinished jobs, and of each finished job only
 * what retention and idempotency need; every version of every job goes to the {@link JobsView}, which answers the
 * queries. It starts from the unfinished jobs and reads the finished history in the background (a submission with
 * an Idempotency-Key, a cancel and a delete of a job it does not know yet wait until that history is in); then it
 * deletes finished jobs as {@link Retention} says, and on request. A store failure is fatal to the session: it is
 * reported to {@code fatal} and the Dispatcher stops.
 */
public final class Dispatcher extends AbstractBehavior<Dispatcher.Command> {
  public sealed interface Command {}

  public record Submit(JobSpec spec, Optional<String> idempotencyKey, ActorRef<StatusReply<SubmitResult>> replyTo)
      implements Command {}

  /**
   * Submits the jobs of schedules' fires, all that came due together in one message (10,000 schedules due in the
   * same second are one message, not 10,000 asks): each is persisted together with its fire's record
   * ({@link JobStore#putFired}), so a fire never submits two jobs, and answered on its own as soon as it is durable
   * ({@link FireSubmitted}: the job's id, or {@link JobStore.FireExistsException} when the fire was submitted before).
   * No queue cap: a timetable is not a flood (and a refused fire would be a missed one).
   */
  public record SubmitFires(List<FireSubmission> fires, ActorRef<FireSubmitted> replyTo) implements Command {
    public SubmitFires {
      fires = List.copyOf(fires);
    }
  }

  /**
   * One fire of {@link SubmitFires}: the job to submit, the fire it is for, and when the job may start
   * ({@link JobRecord#runAt()}; null: at once).
   */
  public record FireSubmission(JobSpec spec, JobStore.Fire fire, Instant runAt) {}

  /** The answer for one fire of {@link SubmitFires}: {@code jobId} when it is durable, else {@code failure}. */
  public record FireSubmitted(JobStore.Fire fire, String jobId, Throwable failure) {}

  /**
   * Submits the rerun of finished job {@code of} ({@link JobLogic#rerun}: what succeeded is reused, the rest runs
   * again); answered like a submission once the new job is durable. {@code of} must be rerunnable
   * ({@link JobLogic#whyNotRerun}); the caller checked.
   */
  public record Rerun(JobRecord of, ActorRef<StatusReply<SubmitResult>> replyTo) implements Command {}

  public record Cancel(String jobId, ActorRef<CancelResult> replyTo) implements Command {}

  /** Deletes a settled job (and has its workers delete its logs). */
  public record Delete(String jobId, ActorRef<DeleteResult> replyTo) implements Command {}

  public record JobUpdated(JobRecord job) implements Command {}

  /**
   * A planned handover: take no more submissions (they are refused as by a master that does not lead) and answer
   * once every submission and fire being persisted has been, so that each one's client has its answer before the
   * leadership goes.
   */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  public record StoreFailed(String jobId, Throwable cause) implements Command {}

  private record Persisted(JobRecord job, Throwable failure) implements Command {}

  private record FirePersisted(JobRecord job, JobStore.Fire fire, ActorRef<FireSubmitted> replyTo, Throwable failure)
      implements Command {}

  /** The unfinished jobs read by {@link #recovering}. */
  private record Recovered(JobStore.Loaded loaded, Throwable failure) implements Command {}

  private record HistoryBatch(List<JobRecord> jobs) implements Command {}

  private record HistoryLoaded(List<JobStore.Quarantined> quarantined, Throwable failure) implements Command {}

  private record Sweep() implements Command {}

  private record Deleted(List<String> jobIds, ActorRef<DeleteResult> replyTo, boolean sweep, Throwable failure)
      implements Command {}

  /** A worker's report of an attempt the ResourceManager holds for no JobMaster. */
  private record Unowned(AttemptEvent.AttemptReported reported) implements Command {}

  /** What is kept of a settled job: its state for an idempotent repeat, when it finished, its key. */
  private record Settled(JobState state, Instant finishedAt, String idempotencyKey) {}

  static final int HISTORY_BATCH = 2_000;
  /** Most commands held while a new leader reads its unfinished jobs; submissions beyond are refused. */
  static final int MAX_HELD_WHILE_RECOVERING = 10_000;
  /** Most submissions, cancels and deletes held while the history loads; more are refused. */
  static final int MAX_WAITING_FOR_HISTORY = 10_000;
  private static final Object SWEEP_TIMER = "retention-sweep";

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final JobStore store;
  private final ActorRef<ResourceManager.Command> resourceManager;
  private final ActorRef<JobsView.Command> view;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final ActorRef<Throwable> fatal;
  private final Random random = new Random();
  private final JobIds ids = new JobIds();
  /** Jobs not settled yet, each with its JobMaster. */
  private final Map<String, JobRecord> open = new HashMap<>();
  private final NavigableMap<String, Settled> settled = new TreeMap<>();
  private final Map<String, String> jobByIdempotencyKey = new HashMap<>();
  private final Map<String, List<ActorRef<StatusReply<SubmitResult>>>> submitting = new HashMap<>();
  private final Map<String, ActorRef<JobMaster.Command>> masters = new HashMap<>();
  private final List<Command> waitingForHistory = new ArrayList<>();
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;
  private long submittingTasks;
  private long openTasks;
  private boolean historyLoaded;
  private boolean sweeping;

  /**
   * A Dispatcher serving {@code recovered} (what {@link JobStore#loadForLeader} returned) at once, and the finished
   * history once {@link JobStore#loadHistory} has read it; {@code view} hears of every job.
   */
  public static Behavior<Command> create(
      Epoch epoch, JobStore.Loaded recovered, JobStore store, ActorRef<ResourceManager.Command> resourceManager,
      ActorRef<JobsView.Command> view, SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal) {
    return create(epoch, recovered, store, resourceManager, view, settings, clock, fatal,
        CompletableFuture.completedFuture(null));
  }

  /** {@link #create}, reading the finished history only once {@code historyAfter} completes (failed or not). */
  static Behavior<Command> create(
      Epoch epoch, JobStore.Loaded recovered, JobStore store, ActorRef<ResourceManager.Command> resourceManager,
      ActorRef<JobsView.Command> view, SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal,
      CompletionStage<?> historyAfter) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Dispatcher(ctx, timers, epoch, recovered, store,
        resourceManager, view, settings, clock, fatal, historyAfter)));
  }

  /**
   * The Dispatcher of a new leader that has not read its jobs yet: it reads the unfinished ones
   * ({@link JobStore#loadForLeader}) on a blocking thread while the leader already serves (workers register and
   * keep their heartbeats, REST answers), holds what it is asked meanwhile, then becomes {@link #create}'s
   * Dispatcher and handles what it held. What the store quarantined goes to {@code quarantined}; a failed read ends
   * the session through {@code fatal}. It starts reading once {@code readAfter} completes (the leader's publication:
   * the reads would otherwise queue ahead of it on the same ZooKeeper session), and reads the finished history once
   * {@code historyAfter} completes too (the schedules' load: fires due now matter more than the history).
   */
  public static Behavior<Command> recovering(
      Epoch epoch, JobStore store, ActorRef<ResourceManager.Command> resourceManager, ActorRef<JobsView.Command> view,
      SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal,
      AtomicReference<List<JobStore.Quarantined>> quarantined, CompletionStage<?> readAfter,
      CompletionStage<?> historyAfter) {
    return Behaviors.setup(ctx -> Behaviors.withStash(MAX_HELD_WHILE_RECOVERING, stash -> {
      Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      // after readAfter, failed or not (a failed publication ends the session anyway)
      ctx.pipeToSelf(readAfter.handle((ok, failure) -> null).thenApplyAsync(x -> {
        try {
          return store.loadForLeader(epoch);
        } catch (Exception e) {
          throw new IllegalStateException("could not load jobs", e);
        }
      }, blocking), Recovered::new);
      return Behaviors.receive(Command.class)
          .onMessage(Recovered.class, m -> {
            if (m.failure() != null) {
              ctx.getLog().error("the jobs could not be read in {}; this leader session ends", epoch, m.failure());
              fatal.tell(m.failure());
              return Behaviors.stopped();
            }
            List<JobStore.Quarantined> bad = m.loaded().quarantined();
            quarantined.set(bad);
            if (!bad.isEmpty()) {
              ctx.getLog().warn("{} serves {} jobs; {} job records are quarantined and not served (GET /cluster "
                  + "lists them): {}", epoch, m.loaded().jobs().size(), bad.size(), bad);
            }
            return stash.unstashAll(create(epoch, m.loaded(), store, resourceManager, view, settings, clock, fatal,
                historyAfter));
          })
          .onMessage(Command.class, m -> {
            if (stash.isFull()) {
              refuseWhileRecovering(m);
            } else {
              stash.stash(m);
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** Past {@link #MAX_HELD_WHILE_RECOVERING}: a submission is told to come back (503); other asks time out. */
  private static void refuseWhileRecovering(Command m) {
    NotLeaderException notYet = new NotLeaderException(Optional.empty());
    if (m instanceof Submit s) {
      s.replyTo().tell(StatusReply.error(notYet));
    } else if (m instanceof Rerun r) {
      r.replyTo().tell(StatusReply.error(notYet));
    } else if (m instanceof SubmitFires f) {
      f.fires().forEach(fire -> f.replyTo().tell(new FireSubmitted(fire.fire(), null, notYet)));
    }
  }

  private Dispatcher(
      ActorContext<Command> context, TimerScheduler<Command> timers, Epoch epoch, JobStore.Loaded loaded,
      JobStore store, ActorRef<ResourceManager.Command> resourceManager, ActorRef<JobsView.Command> view,
      SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal, CompletionStage<?> historyAfter) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.epoch = epoch;
    this.store = store;
    this.resourceManager = resourceManager;
    this.view = view;
    this.settings = settings;
    this.clock = clock;
    this.fatal = fatal;
    resourceManager.tell(new ResourceManager.SetDispatcher(
        context.messageAdapter(AttemptEvent.AttemptReported.class, Unowned::new)));
    if (loaded.newestId() != null) {
      ids.seed(loaded.newestId());
    }
    ActorRef<Command> self = context.getSelf();
    view.tell(new JobsView.Recovered(loaded.jobs()));
    for (JobRecord job : runningFirst(loaded.jobs())) {
      ids.seed(job.id());
      if (!job.settled()) {
        startMaster(job);
      } else {
        rememberSettled(job);
        // stored among the unfinished by an older version: this put moves it to the history
        store.put(epoch, job).whenComplete((ok, failure) -> {
          if (failure != null) {
            self.tell(new StoreFailed(job.id(), failure));
          }
        });
      }
    }
    context.getLog().info("dispatcher for {} recovered {} unfinished jobs; reading the finished history", epoch,
        open.size());
    Executor blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    context.pipeToSelf(historyAfter.handle((ok, failure) -> null).thenApplyAsync(x -> {
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
        .onMessage(Rerun.class, this::onRerun)
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(SubmitFires.class, this::onSubmitFires)
        .onMessage(FirePersisted.class, this::onFirePersisted)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(Delete.class, this::onDelete)
        .onMessage(Unowned.class, this::onUnowned)
        .onMessage(JobUpdated.class, this::onJobUpdated)
        .onMessage(StoreFailed.class, this::onStoreFailed)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(HistoryBatch.class, this::onHistoryBatch)
        .onMessage(HistoryLoaded.class, this::onHistoryLoaded)
        .onMessage(Sweep.class, this::onSweep)
        .onMessage(Deleted.class, this::onDeleted)
        .onSignal(Terminated.class, this::onMasterStopped)
        .build();
  }

  // ---- submissions

  private Behavior<Command> onSubmit(Submit msg) {
    if (draining) {
      msg.replyTo().tell(StatusReply.error(new NotLeaderException(Optional.empty())));
      return this;
    }
    Optional<String> key = msg.idempotencyKey();
    if (key.isPresent()) {
      String existing = jobByIdempotencyKey.get(key.get());
      if (existing != null) {
        msg.replyTo().tell(StatusReply.success(new SubmitResult(existing, stateOf(existing), false)));
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
    int units = io.baton.protocol.job.Units.count(msg.spec()); // a shard counts as a task
    if (queued + units > settings.maxQueuedTasks()) {
      msg.replyTo().tell(StatusReply.error(
          new QueueFullException(queued, units, settings.maxQueuedTasks())));
      return this;
    }
    JobRecord job = JobRecord.submitted(ids.next(clock.instant()), msg.spec(), key.orElse(null), clock.instant());
    persistNew(job, msg.replyTo());
    return this;
  }

  private void persistNew(JobRecord job, ActorRef<StatusReply<SubmitResult>> replyTo) {
    submittingTasks += job.tasks().size();
    List<ActorRef<StatusReply<SubmitResult>>> replies = new ArrayList<>();
    replies.add(replyTo);
    submitting.put(submittingKey(job), replies);
    // Done, not the Void result: a null piped to a stopped actor makes Pekko's dead-letter logger throw
    context.pipeToSelf(store.put(epoch, job).thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new Persisted(job, failure));
  }

  private Behavior<Command> onRerun(Rerun msg) {
    if (draining) {
      msg.replyTo().tell(StatusReply.error(new NotLeaderException(Optional.empty())));
      return this;
    }
    long queued = queuedTasks();
    int tasks = msg.of().tasks().size();
    if (queued + tasks > settings.maxQueuedTasks()) {
      msg.replyTo().tell(StatusReply.error(new QueueFullException(queued, tasks, settings.maxQueuedTasks())));
      return this;
    }
    JobRecord job = JobLogic.rerun(msg.of(), ids.next(clock.instant()), clock.instant());
    context.getLog().info("job {} reruns job {}: {} of {} tasks reused", job.id(), msg.of().id(),
        job.tasksSucceeded(), tasks);
    persistNew(job, msg.replyTo());
    return this;
  }

  private Behavior<Command> onSubmitFires(SubmitFires msg) {
    for (FireSubmission f : msg.fires()) {
      submitFire(f, msg.replyTo());
    }
    return this;
  }

  private void submitFire(FireSubmission f, ActorRef<FireSubmitted> replyTo) {
    if (draining) {
      // not written: the next leader fires it (its fire record does not exist)
      replyTo.tell(new FireSubmitted(f.fire(), null, new NotLeaderException(Optional.empty())));
      return;
    }
    String key = f.fire().id();
    if (jobByIdempotencyKey.containsKey(key)) {
      replyTo.tell(new FireSubmitted(f.fire(), null, new JobStore.FireExistsException(f.fire())));
      return;
    }
    JobRecord job = JobRecord.submitted(ids.next(clock.instant()), f.spec(), key, clock.instant()).withRunAt(f.runAt());
    submittingTasks += job.tasks().size();
    context.pipeToSelf(store.putFired(epoch, job, f.fire()).thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new FirePersisted(job, f.fire(), replyTo, failure));
  }

  private Behavior<Command> onFirePersisted(FirePersisted msg) {
    JobRecord job = msg.job();
    submittingTasks -= job.tasks().size();
    answerDrainIfDone();
    Throwable failure = msg.failure() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
        ? c.getCause() : msg.failure();
    if (failure != null) {
      msg.replyTo().tell(new FireSubmitted(msg.fire(), null, failure));
      if (failure instanceof JobStore.FireExistsException || failure instanceof IllegalStateException) {
        return this; // submitted before, or the schedule was deleted meanwhile: nothing was written
      }
      return onStoreFailed(new StoreFailed(job.id(), failure));
    }
    view.tell(new JobsView.Put(List.of(job)));
    publish(job);
    startMaster(job);
    msg.replyTo().tell(new FireSubmitted(msg.fire(), job.id(), null));
    return this;
  }

  private Behavior<Command> onDrain(Drain msg) {
    if (!draining) {
      context.getLog().info("dispatcher for {} takes no more submissions (stepping down); {} tasks being persisted",
          epoch, submittingTasks);
    }
    draining = true;
    drainWaiters.add(msg.replyTo());
    answerDrainIfDone();
    return this;
  }

  /** Answers the drain once nothing submitted is still being persisted (a job has at least one task). */
  private void answerDrainIfDone() {
    if (draining && submittingTasks == 0) {
      drainWaiters.forEach(w -> w.tell(Done.getInstance()));
      drainWaiters.clear();
    }
  }

  private JobState stateOf(String jobId) {
    JobRecord job = open.get(jobId);
    return job != null ? job.state() : settled.get(jobId).state();
  }

  /** Tasks of unfinished jobs, including those being persisted: what the queue cap counts. */
  private long queuedTasks() {
    return submittingTasks + openTasks;
  }

  private static String submittingKey(JobRecord job) {
    return job.idempotencyKey() != null ? job.idempotencyKey() : "\0" + job.id();
  }

  private Behavior<Command> onPersisted(Persisted msg) {
    JobRecord job = msg.job();
    List<ActorRef<StatusReply<SubmitResult>>> replies = submitting.remove(submittingKey(job));
    submittingTasks -= job.tasks().size();
    answerDrainIfDone();
    if (msg.failure() != null) {
      context.getLog().error("could not persist job {}", job.id(), msg.failure());
      replies.forEach(r -> r.tell(StatusReply.error(msg.failure())));
      return onStoreFailed(new StoreFailed(job.id(), msg.failure()));
    }
    view.tell(new JobsView.Put(List.of(job)));
    publish(job);
    startMaster(job);
    context.getLog().info("accepted job {} '{}' ({} task{})", job.id(), job.spec().name(), job.tasks().size(),
        job.tasks().size() == 1 ? "" : "s");
    for (int i = 0; i < replies.size(); i++) {
      replies.get(i).tell(StatusReply.success(new SubmitResult(job.id(), job.state(), i == 0)));
    }
    return this;
  }

  private void publish(JobRecord job) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.JobChanged(job)));
  }

  private void startMaster(JobRecord job) {
    open.put(job.id(), job);
    openTasks += job.tasks().size();
    if (job.idempotencyKey() != null) {
      jobByIdempotencyKey.put(job.idempotencyKey(), job.id());
    }
    ActorRef<JobMaster.Command> master = context.spawn(
        JobMaster.create(job, epoch, store, resourceManager, context.getSelf(), settings, clock, random),
        "job-" + job.id());
    context.watch(master);
    masters.put(job.id(), master);
  }

  /**
   * The jobs with an attempt placed or running first: their JobMasters start (and track those attempts with the
   * ResourceManager, which adopts them from the workers) before the many that only wait for room.
   */
  static List<JobRecord> runningFirst(List<JobRecord> jobs) {
    List<JobRecord> ordered = new ArrayList<>(jobs.size());
    List<JobRecord> rest = new ArrayList<>(jobs.size());
    for (JobRecord job : jobs) {
      (hasLiveAttempt(job) ? ordered : rest).add(job);
    }
    ordered.addAll(rest);
    return ordered;
  }

  private static boolean hasLiveAttempt(JobRecord job) {
    for (TaskRecord task : job.tasks()) {
      for (AttemptRecord attempt : task.attempts()) {
        if (attempt.state() == AttemptState.SCHEDULED || attempt.state() == AttemptState.RUNNING) {
          return true;
        }
      }
    }
    return false;
  }

  private void rememberSettled(JobRecord job) {
    settled.put(job.id(), new Settled(job.state(), job.finishedAt(), job.idempotencyKey()));
    if (job.idempotencyKey() != null) {
      jobByIdempotencyKey.put(job.idempotencyKey(), job.id());
    }
  }

  private Behavior<Command> onJobUpdated(JobUpdated msg) {
    JobRecord job = msg.job();
    if (open.containsKey(job.id())) {
      open.put(job.id(), job);
      if (!masters.containsKey(job.id()) && job.settled()) {
        settle(job.id());
      }
    }
    view.tell(new JobsView.Put(List.of(job)));
    publish(job);
    return this;
  }

  /** A JobMaster stops once its job settled; its last update may still be in the mailbox (signals come first). */
  private Behavior<Command> onMasterStopped(Terminated signal) {
    String id = signal.getRef().path().name().substring("job-".length());
    masters.remove(id);
    JobRecord job = open.get(id);
    if (job != null && job.settled()) {
      settle(id);
    }
    return this;
  }

  private void settle(String jobId) {
    JobRecord job = open.remove(jobId);
    openTasks -= job.tasks().size();
    rememberSettled(job);
    logSettled(job);
  }

  /** One line per finished job; a failed one names its failed tasks and their last attempt's reason. */
  private void logSettled(JobRecord job) {
    String took = job.finishedAt() != null
        ? String.format(" in %.1f s", java.time.Duration.between(job.submittedAt(), job.finishedAt()).toMillis() / 1000.0)
        : "";
    if (job.state() != JobState.FAILED) {
      context.getLog().info("job {} '{}' {}{}", job.id(), job.spec().name(), job.state(), took);
      return;
    }
    context.getLog().info("job {} '{}' FAILED{}: {}", job.id(), job.spec().name(), took,
        JobAlerts.failureSummary(job));
  }

  // ---- control

  private Behavior<Command> onCancel(Cancel msg) {
    JobRecord job = open.get(msg.jobId());
    ActorRef<JobMaster.Command> master = masters.get(msg.jobId());
    if (job != null && master != null && !job.state().isTerminal()) {
      master.tell(new JobMaster.Cancel(msg.replyTo()));
    } else if (job != null || settled.containsKey(msg.jobId())) {
      msg.replyTo().tell(CancelResult.ALREADY_FINISHED);
    } else if (!historyLoaded) {
      return waitForHistory(msg, () -> msg.replyTo().tell(CancelResult.NOT_FOUND));
    } else {
      msg.replyTo().tell(CancelResult.NOT_FOUND);
    }
    return this;
  }

  private Behavior<Command> onDelete(Delete msg) {
    if (settled.containsKey(msg.jobId())) {
      delete(List.of(msg.jobId()), msg.replyTo(), false);
    } else if (open.containsKey(msg.jobId())) {
      msg.replyTo().tell(DeleteResult.NOT_FINISHED);
    } else if (!historyLoaded) {
      return waitForHistory(msg, () -> msg.replyTo().tell(DeleteResult.NOT_FOUND));
    } else {
      msg.replyTo().tell(DeleteResult.NOT_FOUND);
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

  // ---- history and retention

  private Behavior<Command> waitForHistory(Command msg, Runnable refuse) {
    if (waitingForHistory.size() >= MAX_WAITING_FOR_HISTORY) {
      refuse.run();
    } else {
      waitingForHistory.add(msg);
    }
    return this;
  }

  private Behavior<Command> onHistoryBatch(HistoryBatch msg) {
    List<JobRecord> fresh = new ArrayList<>(msg.jobs().size());
    for (JobRecord job : msg.jobs()) {
      if (!open.containsKey(job.id()) && !settled.containsKey(job.id())) {
        rememberSettled(job);
        fresh.add(job);
      }
    }
    view.tell(new JobsView.Put(fresh));
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
    view.tell(new JobsView.HistoryRead());
    context.getLog().info("dispatcher for {} serves {} unfinished and {} finished jobs (history read{})", epoch,
        open.size(), settled.size(), msg.quarantined().isEmpty() ? ""
            : "; " + msg.quarantined().size() + " unreadable records quarantined");
    List<Command> waiting = new ArrayList<>(waitingForHistory);
    waitingForHistory.clear();
    waiting.forEach(context.getSelf()::tell);
    timers.startTimerWithFixedDelay(SWEEP_TIMER, new Sweep(), settings.retention().sweepInterval());
    context.getSelf().tell(new Sweep());
    return this;
  }

  private Behavior<Command> onSweep(Sweep msg) {
    if (sweeping || !historyLoaded) {
      return this;
    }
    List<Retention.Finished> finished = new ArrayList<>(settled.size());
    settled.forEach((id, s) -> finished.add(new Retention.Finished(id, s.finishedAt())));
    List<String> expired = settings.retention().expired(finished, clock.instant());
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
      Settled gone = settled.remove(id);
      if (gone != null && gone.idempotencyKey() != null && id.equals(jobByIdempotencyKey.get(gone.idempotencyKey()))) {
        jobByIdempotencyKey.remove(gone.idempotencyKey());
      }
      context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.JobRemoved(id)));
    }
    view.tell(new JobsView.Remove(msg.jobIds()));
    resourceManager.tell(new ResourceManager.ForgetJobs(msg.jobIds()));
    if (msg.replyTo() != null) {
      msg.replyTo().tell(DeleteResult.DELETED);
    }
    if (msg.sweep()) {
      context.getLog().info("retention deleted {} finished jobs ({} kept)", msg.jobIds().size(), settled.size());
      if (msg.jobIds().size() >= settings.retention().maxPerSweep()) {
        context.getSelf().tell(new Sweep());
      }
    }
    return this;
  }

  private Behavior<Command> onStoreFailed(StoreFailed msg) {
    if (draining && FencedException.isIn(msg.cause())) {
      // a planned step-down: this leader gave up its term, so a write still in flight is refused by the fence; the
      // next leader reads the job as it was stored and carries on
      context.getLog().info("job store write for {} not made: {} has stepped down", msg.jobId(), epoch);
    } else {
      context.getLog().error("job store write for {} failed in {}; this leader session ends", msg.jobId(), epoch,
          msg.cause());
    }
    fatal.tell(msg.cause());
    return Behaviors.stopped();
  }
}
