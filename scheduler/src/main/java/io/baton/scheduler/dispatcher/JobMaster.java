package io.baton.scheduler.dispatcher;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.job.Units;
import io.baton.scheduler.api.MasterApi.CancelResult;
import io.baton.scheduler.alerts.JobAlerts;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.protocol.AttemptEvent;
import io.baton.scheduler.model.ClusterBook;
import io.baton.scheduler.model.JobLogic;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.WireLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
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

  /** The job's {@link JobRecord#runAt()} has come: it starts. */
  private record RunAtDue() implements Command {}

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

  /** A reported result is durable (or its write failed): the report that carried it can now be applied. */
  private record ResultStored(AttemptEvent.AttemptReported reported, Throwable failure) implements Command {}

  /** The results a ready task gets as inputs were read (or the read failed). */
  private record InputsRead(String taskId, Map<AttemptKey, String> names, Map<AttemptKey, String> results,
      Throwable failure) implements Command {}

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
  /** Inputs of ready tasks, read from the store, by task id; a task's units all get the same inputs. */
  private final Map<String, Map<String, String>> inputs = new HashMap<>();
  private final Set<String> readingInputs = new HashSet<>();
  private int resultsInFlight;
  /** Acks of repeated reports, sent once the writes in flight (which hold what they ack) are durable. */
  private final List<ResourceManager.Command> deferred = new ArrayList<>();
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
      TaskSpec spec = JobLogic.unitSpec(job, key.taskId()).orElseThrow();
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
    return startOrWait();
  }

  /** Starts the job (PENDING to RUNNING, and its ready tasks placed), or waits for its runAt. */
  private Behavior<Command> startOrWait() {
    Instant now = clock.instant();
    if (JobLogic.waits(job, now)) {
      // a fire submitted ahead of its instant: PENDING until then (a cancel meanwhile ends it as any pending job)
      timers.startSingleTimer("run-at", new RunAtDue(), Duration.between(now, job.runAt()));
      return this;
    }
    JobRecord started = JobLogic.start(job, now);
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
        .onMessage(ResultStored.class, this::onResultStored)
        .onMessage(InputsRead.class, this::onInputsRead)
        .onMessage(RunAtDue.class, msg -> job.state().isTerminal() ? afterChange() : startOrWait())
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
    boolean storesResult = r.result() != null && r.state() == AttemptState.SUCCEEDED
        && job.task(r.key().taskId()).flatMap(t -> t.attempt(r.key().attempt()))
            .map(a -> !a.state().isTerminal()).orElse(true)
        && WireLimits.utf8Length(r.result()) <= WireLimits.MAX_RESULT_BYTES;
    if (storesResult) {
      // the result is durable before the end that points to it (JobLogic re-checks the cap on the leader)
      resultsInFlight++;
      context.pipeToSelf(store.putResult(epoch, r.key(), r.result()).thenApply(ok -> Done.getInstance()),
          (ok, failure) -> new ResultStored(msg, failure));
      return this;
    }
    return applyReported(msg);
  }

  private Behavior<Command> onResultStored(ResultStored msg) {
    resultsInFlight--;
    if (msg.failure() != null) {
      dispatcher.tell(new Dispatcher.StoreFailed(job.id(), msg.failure()));
      return Behaviors.stopped();
    }
    return applyReported(msg.reported());
  }

  private Behavior<Command> onInputsRead(InputsRead msg) {
    readingInputs.remove(msg.taskId());
    if (msg.failure() != null) {
      dispatcher.tell(new Dispatcher.StoreFailed(job.id(), msg.failure()));
      return Behaviors.stopped();
    }
    Map<String, String> named = new LinkedHashMap<>();
    long bytes = 0;
    for (Map.Entry<AttemptKey, String> e : msg.names().entrySet()) {
      String result = msg.results().get(e.getKey());
      if (result != null) {
        named.put(e.getValue(), result);
        bytes += WireLimits.utf8Length(result);
      }
    }
    if (bytes > WireLimits.MAX_INPUT_BYTES) {
      String why = "inputs of " + bytes + " bytes (results of " + named.size() + " dependency units) are over the cap"
          + " of " + WireLimits.MAX_INPUT_BYTES + " bytes an attempt may receive";
      JobRecord next = job;
      for (TaskRecord unit : job.unitsOf(msg.taskId())) {
        next = JobLogic.failBeforeStart(next, unit.taskId(), why, clock.instant());
      }
      update(next, List.of());
    } else {
      inputs.put(msg.taskId(), named);
    }
    mayLaunch = true;
    return afterChange();
  }

  private Behavior<Command> applyReported(AttemptEvent.AttemptReported msg) {
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
    if (persistsInFlight == 0 && !deferred.isEmpty()) {
      deferred.forEach(resourceManager::tell);
      deferred.clear();
    }
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
    if (!changed && !unsaved && raised.isEmpty()) {
      // nothing new to write (e.g. a worker repeating a report): what it acks is durable once the writes in flight are
      if (persistsInFlight == 0) {
        afterDurable.forEach(resourceManager::tell);
      } else {
        deferred.addAll(afterDurable);
      }
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

  /**
   * The inputs of a ready unit's attempt (its dependencies' results, by {@code <taskId>/<shard>}), or empty while
   * they are being read from the store (a read is started here).
   */
  private Optional<Map<String, String>> inputsFor(TaskSpec unit) {
    String taskId = Units.taskOf(unit.id());
    Map<String, String> known = inputs.get(taskId);
    if (known != null) {
      return Optional.of(known);
    }
    Map<AttemptKey, String> names = JobLogic.inputsOf(job, unit);
    if (names.isEmpty()) {
      inputs.put(taskId, Map.of());
      return Optional.of(Map.of());
    }
    if (readingInputs.add(taskId)) {
      context.pipeToSelf(store.results(names.keySet()),
          (results, failure) -> new InputsRead(taskId, names, results, failure));
    }
    return Optional.empty();
  }

  private Behavior<Command> afterChange() {
    Instant now = clock.instant();
    List<AttemptSpec> toRequest = new ArrayList<>();
    for (String unit : mayLaunch ? JobLogic.readyUnits(job, now) : List.<String>of()) {
      if (!requested.containsKey(unit)) {
        TaskSpec task = JobLogic.unitSpec(job, unit).orElseThrow();
        Optional<Map<String, String>> given = inputsFor(task);
        if (given.isEmpty()) {
          continue; // being read; InputsRead calls this again
        }
        AttemptKey key = new AttemptKey(job.id(), task.id(), JobLogic.nextAttempt(job, task.id()));
        requested.put(task.id(), key);
        toRequest.add(new AttemptSpec(key, task.withEnv(Map.of(FENCING_TOKEN, epoch.value() + "." + key.attempt())),
            given.get()));
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
    boolean done = job.state().isTerminal() && requested.isEmpty() && cancelsInFlight == 0 && resultsInFlight == 0
        && readingInputs.isEmpty()
        && persistsInFlight == 0 && !unsaved && JobLogic.activeAttempts(job).isEmpty();
    return done ? Behaviors.stopped() : this;
  }
}
