package io.baton.scheduler.dispatcher;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.MasterApi.CancelResult;
import io.baton.scheduler.alerts.JobAlerts;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.protocol.AttemptEvent;
import io.baton.scheduler.model.ClusterBook;
import io.baton.scheduler.model.JobLogic;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Drives one job for one leader epoch: asks the ResourceManager to place every ready task, applies attempt
 * reports through {@link JobLogic}, persists each change (fenced by the epoch) and acknowledges a report to its
 * worker only once the change is durable. Stops when the job is finished and none of its attempts is active.
 */
public final class JobMaster extends AbstractBehavior<JobMaster.Command> {
  public sealed interface Command {}

  /** A report of one of this job's attempts that reached the Dispatcher (the ResourceManager held no owner). */
  public record ReportRouted(AttemptEvent.AttemptReported reported) implements Command {}

  public record Cancel(ActorRef<CancelResult> replyTo) implements Command {}

  private record FromResourceManager(AttemptEvent event) implements Command {}

  private record RetryDue() implements Command {}

  /** An attempt may have run past a webhook's RUNNING_LONG threshold. */
  private record RunningLongDue() implements Command {}

  /** Persists a change that was kept in memory only (see {@link #begin}) if nothing has persisted it since. */
  private record SaveDue() implements Command {}

  /**
   * How long the start of a job (PENDING to RUNNING) may stay unwritten: its first placement normally writes it
   * with the attempt, one write instead of two on the path to launching; a job waiting for capacity writes it then.
   */
  public static final Duration SAVE_START_WITHIN = Duration.ofSeconds(1);

  /**
   * Every attempt's fencing token, {@code <epoch>.<attempt>} of the leader that started it: compare by epoch, then by
   * attempt, and a downstream system can refuse a write from a stale attempt.
   */
  static final String FENCING_TOKEN = "BATON_FENCING_TOKEN";

  private record Persisted(List<ResourceManager.Command> afterDurable, Throwable failure) implements Command {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final JobStore store;
  private final ActorRef<ResourceManager.Command> resourceManager;
  private final ActorRef<AttemptEvent> fromResourceManager;
  private final ActorRef<Dispatcher.Command> dispatcher;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final Random random;
  private final Map<String, AttemptKey> requested = new LinkedHashMap<>();
  private int persistsInFlight;
  /** The job has a change not yet handed to the store. */
  private boolean unsaved;
  /** Set when something happened that may make a task ready (start, success, retry due, failure). */
  private boolean mayLaunch = true;
  private int cancelsInFlight;
  private JobRecord job;
  /** Alerts raised and not yet handed to the store with the job's next write; the RUNNING_LONG ids raised so far. */
  private final List<Alert> raised = new ArrayList<>();
  private final java.util.Set<String> raisedRunningLong = new java.util.HashSet<>();

  public static Behavior<Command> create(
      JobRecord job, Epoch epoch, JobStore store, ActorRef<ResourceManager.Command> resourceManager,
      ActorRef<Dispatcher.Command> dispatcher, SchedulerSettings settings, Clock clock, Random random) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new JobMaster(ctx, timers, job, epoch, store, resourceManager, dispatcher, settings, clock, random).begin()));
  }

  private JobMaster(
      ActorContext<Command> context, TimerScheduler<Command> timers, JobRecord job, Epoch epoch, JobStore store,
      ActorRef<ResourceManager.Command> resourceManager, ActorRef<Dispatcher.Command> dispatcher,
      SchedulerSettings settings, Clock clock, Random random) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.job = job;
    this.epoch = epoch;
    this.store = store;
    this.resourceManager = resourceManager;
    this.dispatcher = dispatcher;
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.fromResourceManager = context.messageAdapter(AttemptEvent.class, FromResourceManager::new);
  }

  private Behavior<Command> begin() {
    List<ClusterBook.Tracked> active = new ArrayList<>();
    for (AttemptKey key : JobLogic.activeAttempts(job)) {
      TaskSpec spec = job.spec().task(key.taskId()).orElseThrow();
      String workerId = job.task(key.taskId()).flatMap(t -> t.attempt(key.attempt())).map(a -> a.workerId()).orElse("");
      active.add(new ClusterBook.Tracked(key, workerId, spec.milliCpus(), spec.memoryMb()));
    }
    if (!active.isEmpty()) {
      resourceManager.tell(new ResourceManager.Track(active, fromResourceManager));
      if (job.state().isTerminal()) {
        // e.g. cancelled just before a failover: whatever still runs of it is stopped
        cancelsInFlight++;
        resourceManager.tell(new ResourceManager.CancelAttempts(active.stream().map(ClusterBook.Tracked::key).toList(),
            fromResourceManager));
      }
    }
    JobRecord started = JobLogic.start(job, clock.instant());
    if (started != job) {
      // written with the first placement (one write fewer before the launch), or by SaveDue if none comes soon
      job = started;
      unsaved = true;
      dispatcher.tell(new Dispatcher.JobUpdated(job));
      timers.startSingleTimer("save", new SaveDue(), SAVE_START_WITHIN);
    }
    return afterChange();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromResourceManager.class, this::onFromResourceManager)
        .onMessage(ReportRouted.class, msg -> onReported(msg.reported()))
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(RetryDue.class, msg -> {
          mayLaunch = true;
          return afterChange();
        })
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(RunningLongDue.class, msg -> {
          List<Alert> due = JobAlerts.runningLong(job, clock.instant(), raisedRunningLong, settings.alerts().linkBase());
          due.forEach(a -> raisedRunningLong.add(a.id()));
          raised.addAll(due);
          update(job, List.of());
          return afterChange();
        })
        .onMessage(SaveDue.class, msg -> {
          if (unsaved) {
            update(job, List.of());
          }
          return afterChange();
        })
        .build();
  }

  private Behavior<Command> onFromResourceManager(FromResourceManager msg) {
    if (msg.event() instanceof AttemptEvent.AttemptsPlaced placed) {
      return onPlaced(placed);
    } else if (msg.event() instanceof AttemptEvent.AttemptReported reported) {
      return onReported(reported);
    }
    cancelsInFlight--;
    return afterChange();
  }

  private Behavior<Command> onPlaced(AttemptEvent.AttemptsPlaced msg) {
    JobRecord next = job;
    List<AttemptKey> keys = new ArrayList<>();
    for (AttemptEvent.Placement p : msg.placements()) {
      requested.remove(p.key().taskId());
      next = JobLogic.scheduled(next, p.key(), p.workerId());
      keys.add(p.key());
    }
    // workers are asked to start them only once the attempts are durable (see ResourceManager.Launch)
    update(next, List.of(new ResourceManager.Launch(keys)));
    return afterChange();
  }

  private Behavior<Command> onReported(AttemptEvent.AttemptReported msg) {
    AttemptReport r = msg.report();
    JobRecord next = JobLogic.applyReport(job, r, msg.workerId(), clock.instant(), settings.backoff(),
        random.nextDouble(), msg.provenNotStarted());
    ResourceManager.Ack ack = new ResourceManager.Ack(msg.workerId(), r.key(), r.state());
    if (r.state().isTerminal()) {
      // a result is acknowledged only once durable: after a failover the worker reports it again if not
      mayLaunch = true;
      update(next, List.of(ack));
    } else {
      // a running attempt is reported again by its worker to any new leader, so no need to wait
      update(next, List.of());
      resourceManager.tell(ack);
    }
    return afterChange();
  }

  private Behavior<Command> onCancel(Cancel msg) {
    if (job.state().isTerminal()) {
      msg.replyTo().tell(CancelResult.ALREADY_FINISHED);
      return this;
    }
    List<AttemptKey> kill = new ArrayList<>(JobLogic.activeAttempts(job));
    kill.addAll(requested.values());
    requested.clear();
    update(JobLogic.cancel(job, clock.instant()), List.of());
    cancelsInFlight++;
    resourceManager.tell(new ResourceManager.CancelAttempts(kill, fromResourceManager));
    msg.replyTo().tell(CancelResult.ACCEPTED);
    return afterChange();
  }

  private Behavior<Command> onPersisted(Persisted msg) {
    persistsInFlight--;
    if (msg.failure() != null) {
      dispatcher.tell(new Dispatcher.StoreFailed(job.id(), msg.failure()));
      return Behaviors.stopped();
    }
    msg.afterDurable().forEach(resourceManager::tell);
    return afterChange();
  }

  /**
   * Records a new version of the job: shown to the Dispatcher and persisted; {@code afterDurable} (acks,
   * launches) goes to the ResourceManager only once the store confirmed the write.
   */
  private void update(JobRecord next, List<ResourceManager.Command> afterDurable) {
    boolean changed = next != job;
    // stored with this write, in its transaction: durable together with the terminal state (README, "Alerts")
    raised.addAll(JobAlerts.onChange(job, next, clock.instant(), settings.alerts().linkBase()));
    job = next;
    if (!changed && afterDurable.isEmpty() && !unsaved && raised.isEmpty()) {
      return;
    }
    unsaved = false;
    if (changed) {
      dispatcher.tell(new Dispatcher.JobUpdated(job));
    }
    persistsInFlight++;
    // Done, not the Void result: a null piped to a stopped actor makes Pekko's dead-letter logger throw
    List<Alert> alerts = List.copyOf(raised);
    raised.clear();
    context.pipeToSelf(store.put(epoch, job, alerts).thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new Persisted(afterDurable, failure));
  }

  private Behavior<Command> afterChange() {
    Instant now = clock.instant();
    List<AttemptSpec> toRequest = new ArrayList<>();
    for (TaskSpec task : mayLaunch ? JobLogic.readyTasks(job, now) : List.<TaskSpec>of()) {
      if (!requested.containsKey(task.id())) {
        AttemptKey key = new AttemptKey(job.id(), task.id(), JobLogic.nextAttempt(job, task.id()));
        requested.put(task.id(), key);
        toRequest.add(new AttemptSpec(key, task.withEnv(Map.of(FENCING_TOKEN, epoch.value() + "." + key.attempt()))));
      }
    }
    if (!toRequest.isEmpty()) {
      resourceManager.tell(new ResourceManager.RequestAttempts(toRequest, fromResourceManager));
    }
    if (mayLaunch) {
      Optional<Instant> retryAt = JobLogic.nextRetryAt(job);
      if (retryAt.isPresent() && retryAt.get().isAfter(now)) {
        timers.startSingleTimer("retry", new RetryDue(), Duration.between(now, retryAt.get()));
      }
    }
    mayLaunch = false;
    if (!job.spec().webhooks().isEmpty()) {
      JobAlerts.nextRunningLongDue(job, raisedRunningLong).ifPresentOrElse(
          due -> timers.startSingleTimer("running-long", new RunningLongDue(),
              Duration.between(now, due).isNegative() ? Duration.ZERO : Duration.between(now, due)),
          () -> timers.cancel("running-long"));
    }
    boolean done = job.state().isTerminal() && requested.isEmpty() && cancelsInFlight == 0
        && persistsInFlight == 0 && !unsaved && JobLogic.activeAttempts(job).isEmpty();
    return done ? Behaviors.stopped() : this;
  }
}
