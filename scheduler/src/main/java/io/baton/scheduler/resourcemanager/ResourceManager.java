package io.baton.scheduler.resourcemanager;

import io.baton.protocol.Epoch;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.scheduler.SchedulerSettings;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobMaster;
import io.baton.scheduler.model.Reconciliation;
import io.baton.scheduler.policy.Placement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The leader's view of the workers for one epoch: registration, heartbeats, capacity, placement of attempts,
 * and the route of every message between workers and JobMasters. Attempts wait, grouped by what they ask for
 * (their shape) and in arrival order within a shape, until some worker fits them ({@link Placement}). A placed
 * attempt holds its capacity at once but is sent to its worker only after its JobMaster has recorded it durably
 * ({@link Launch}), so after a failover the store knows every attempt that may be running; the new leader's
 * JobMasters {@link Track} them and {@link Reconciliation} decides which are adopted and which are LOST. A worker silent past the heartbeat timeout is DEAD and its attempts are
 * reported LOST to their JobMasters.
 */
public final class ResourceManager extends AbstractBehavior<ResourceManager.Command> {
  public sealed interface Command {}

  /** A message from a worker, through the gateway. */
  public record FromWorker(ToLeader message) implements Command {}

  /** Sent once by the leader session, before anything else, so reports of unknown attempts have a route. */
  public record SetDispatcher(ActorRef<Dispatcher.Command> dispatcher) implements Command {}

  /** Place these attempts; the owner hears {@link JobMaster.AttemptsPlaced} and every report of them. */
  public record RequestAttempts(List<AttemptSpec> attempts, ActorRef<JobMaster.Command> owner) implements Command {}

  /** Cancel these attempts: drop the waiting ones, kill the placed ones; then tell {@code replyTo} CancelsDone. */
  public record CancelAttempts(List<AttemptKey> keys, ActorRef<JobMaster.Command> replyTo) implements Command {}

  /** The owner has durably recorded these placed attempts: now ask their workers to start them. */
  public record Launch(List<AttemptKey> keys) implements Command {}

  /**
   * After a failover: attempts the store says are active on some worker. They are adopted when their worker
   * reports them, LOST when it re-registers without them or does not re-register within the heartbeat timeout.
   */
  public record Track(List<Tracked> attempts, ActorRef<JobMaster.Command> owner) implements Command {}

  public record Tracked(AttemptKey key, String workerId, long milliCpus, long memoryMb) {}

  /** A JobMaster has durably recorded this report: acknowledge it to the worker. */
  public record Ack(String workerId, AttemptKey key, AttemptState state) implements Command {}

  /** Kill an attempt no JobMaster tracks (e.g. one still running for a job that already finished). */
  public record KillUntracked(String workerId, AttemptKey key) implements Command {}

  public record ListWorkers(ActorRef<List<WorkerView>> replyTo) implements Command {}

  public record GetWorker(String workerId, ActorRef<Optional<ActorRef<ToWorker>>> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record FlushAcks() implements Command {}

  private static final class WorkerEntry {
    WorkerInfo info;
    ActorRef<ToWorker> ref;
    boolean alive = true;
    Instant lastHeartbeat;
    long usedMilliCpus;
    long usedMemoryMb;
    int running;
    List<ToWorker.Acked> pendingAcks = new ArrayList<>();
  }

  /** An attempt holding capacity on a worker; {@code launched} once its worker was asked to run it. */
  private record Placed(
      String workerId, long milliCpus, long memoryMb, ActorRef<JobMaster.Command> owner, AttemptSpec spec, boolean launched) {
    Placed asLaunched() {
      return new Placed(workerId, milliCpus, memoryMb, owner, spec, true);
    }
  }

  private record Waiting(AttemptSpec spec, ActorRef<JobMaster.Command> owner) {}

  private final Epoch epoch;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final AtomicInteger aliveWorkers;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Map<String, WorkerEntry> workers = new LinkedHashMap<>();
  private final Map<AttemptKey, Placed> placed = new HashMap<>();
  /** Attempts waiting for capacity, by shape (requests of one shape are placed in arrival order). */
  private final LinkedHashMap<Placement.Shape, LinkedHashMap<AttemptKey, Waiting>> waiting = new LinkedHashMap<>();
  private ActorRef<Dispatcher.Command> dispatcher;
  private final Instant sessionStart;
  /** Tracked (recovered) attempts not yet confirmed by a registration of their worker, with that worker. */
  private final Map<AttemptKey, String> unconfirmed = new HashMap<>();
  /** Attempts to kill once their worker registers (it was not registered when they were cancelled). */
  private final java.util.Set<AttemptKey> killOnRegistration = new java.util.HashSet<>();
  /** What each worker reported when it first registered in this session. */
  private final Map<String, java.util.Set<AttemptKey>> reportedAtRegistration = new HashMap<>();

  /**
   * @param aliveWorkers updated by this actor with the number of ALIVE workers (read by readiness checks)
   */
  public static Behavior<Command> create(Epoch epoch, SchedulerSettings settings, Clock clock, AtomicInteger aliveWorkers) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.heartbeatInterval());
      return new ResourceManager(ctx, timers, epoch, settings, clock, aliveWorkers);
    }));
  }

  private ResourceManager(
      ActorContext<Command> context, TimerScheduler<Command> timers, Epoch epoch, SchedulerSettings settings,
      Clock clock, AtomicInteger aliveWorkers) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.epoch = epoch;
    this.settings = settings;
    this.clock = clock;
    this.aliveWorkers = aliveWorkers;
    this.sessionStart = clock.instant();
    aliveWorkers.set(0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromWorker.class, this::onFromWorker)
        .onMessage(SetDispatcher.class, this::onSetDispatcher)
        .onMessage(RequestAttempts.class, this::onRequestAttempts)
        .onMessage(CancelAttempts.class, this::onCancelAttempts)
        .onMessage(Ack.class, this::onAck)
        .onMessage(Launch.class, this::onLaunch)
        .onMessage(Track.class, this::onTrack)
        .onMessage(KillUntracked.class, this::onKillUntracked)
        .onMessage(ListWorkers.class, this::onListWorkers)
        .onMessage(GetWorker.class, this::onGetWorker)
        .onMessage(Tick.class, this::onTick)
        .onMessage(FlushAcks.class, this::onFlushAcks)
        .build();
  }

  private Behavior<Command> onSetDispatcher(SetDispatcher msg) {
    dispatcher = msg.dispatcher();
    return this;
  }

  private Behavior<Command> onFromWorker(FromWorker msg) {
    ToLeader m = msg.message();
    if (m instanceof ToLeader.RegisterWorker r) {
      register(r);
      return this;
    }
    WorkerEntry w = workers.get(m.workerId());
    if (w == null || !m.epoch().equals(epoch)) {
      if (w != null) {
        w.ref.tell(new ToWorker.NotRegistered(epoch));
      } else if (m instanceof ToLeader.Heartbeat beat) {
        beat.worker().tell(new ToWorker.NotRegistered(epoch));
      } else {
        context.getLog().debug("message from unregistered worker {}: {}", m.workerId(), m.getClass().getSimpleName());
      }
      return this;
    }
    if (m instanceof ToLeader.Heartbeat beat) {
      w.lastHeartbeat = clock.instant();
      if (!w.alive) {
        w.alive = true;
        aliveWorkers.incrementAndGet();
        publish(w);
      }
      w.ref.tell(new ToWorker.HeartbeatAck(epoch, beat.sentAtNanos()));
    } else if (m instanceof ToLeader.Reports reports) {
      w.lastHeartbeat = clock.instant();
      for (AttemptReport report : reports.reports()) {
        route(report, w.info.workerId());
      }
      tryPlace();
    }
    return this;
  }

  private void register(ToLeader.RegisterWorker r) {
    if (r.epoch().compareTo(epoch) > 0) {
      r.worker().tell(new ToWorker.RegistrationRejected(epoch, "this leader's " + epoch + " is older than " + r.epoch()));
      return;
    }
    WorkerEntry w = workers.computeIfAbsent(r.workerId(), id -> new WorkerEntry());
    boolean wasAlive = w.ref != null && w.alive;
    boolean newIncarnation = w.ref != null && !w.ref.equals(r.worker());
    w.info = r.info();
    w.ref = r.worker();
    w.alive = true;
    w.lastHeartbeat = clock.instant();
    if (!wasAlive) {
      aliveWorkers.incrementAndGet();
    }
    context.getLog().info("worker {} registered from {} ({} cpus, {} MB, labels {}, {} attempts reported)",
        r.workerId(), r.info().host(), r.info().cpus(), r.info().memoryMb(), r.info().labels(), r.attempts().size());
    w.ref.tell(new ToWorker.RegistrationAccepted(epoch, context.getSelf().path().name(), r.sentAtNanos()));
    recomputeUsage(w);
    publish(w);
    List<AttemptKey> trackedHere = unconfirmed.entrySet().stream()
        .filter(e -> e.getValue().equals(r.workerId())).map(Map.Entry::getKey).toList();
    Reconciliation.Outcome outcome = Reconciliation.onRegistration(trackedHere, r.attempts());
    reportedAtRegistration.putIfAbsent(r.workerId(), new java.util.HashSet<>(
        r.attempts().stream().map(AttemptReport::key).toList()));
    r.attempts().forEach(a -> unconfirmed.remove(a.key()));
    for (AttemptReport report : r.attempts()) {
      route(report, r.workerId());
    }
    List<AttemptKey> toKill = r.attempts().stream()
        .filter(a -> !a.state().isTerminal() && killOnRegistration.remove(a.key())).map(AttemptReport::key).toList();
    if (!toKill.isEmpty()) {
      w.ref.tell(new ToWorker.KillAttempts(epoch, toKill, AttemptState.CANCELLED));
    }
    for (AttemptKey key : outcome.lost()) {
      unconfirmed.remove(key);
      routeNeverStarted(key, r.workerId());
    }
    if (newIncarnation) {
      lostWithPreviousIncarnation(r);
    }
    if (!trackedHere.isEmpty()) {
      context.getLog().info("worker {}: {} attempts adopted, {} results recorded, {} lost", r.workerId(),
          outcome.adopted().size(), outcome.recorded().size(), outcome.lost().size());
    }
    tryPlace();
  }

  /**
   * A worker process registered in place of an earlier one of the same id (a restart on its data directory):
   * attempts launched to the earlier process that the new one does not report never started. Messages to the
   * dead process went nowhere, and had it received them it would have written run records, which the new one
   * reports. (A worker that merely registers again is the same process: attempts on their way to it still come.)
   */
  private void lostWithPreviousIncarnation(ToLeader.RegisterWorker r) {
    java.util.Set<AttemptKey> reported = new java.util.HashSet<>(r.attempts().stream().map(AttemptReport::key).toList());
    List<AttemptKey> vanished = placed.entrySet().stream()
        .filter(e -> e.getValue().workerId().equals(r.workerId()) && e.getValue().launched()
            && !reported.contains(e.getKey()) && !unconfirmed.containsKey(e.getKey()))
        .map(Map.Entry::getKey).toList();
    vanished.forEach(key -> routeNeverStarted(key, r.workerId()));
  }

  private AttemptReport lostReport(AttemptKey key, String why) {
    return new AttemptReport(key, AttemptState.LOST, null, null, clock.instant(), why);
  }

  private void recomputeUsage(WorkerEntry w) {
    w.usedMilliCpus = 0;
    w.usedMemoryMb = 0;
    w.running = 0;
    for (Placed p : placed.values()) {
      if (p.workerId().equals(w.info.workerId())) {
        w.usedMilliCpus += p.milliCpus();
        w.usedMemoryMb += p.memoryMb();
        w.running++;
      }
    }
  }

  private void reserve(Placed p) {
    WorkerEntry w = workers.get(p.workerId());
    if (w != null) {
      w.usedMilliCpus += p.milliCpus();
      w.usedMemoryMb += p.memoryMb();
      w.running++;
    }
  }

  private Behavior<Command> onLaunch(Launch msg) {
    Map<String, List<AttemptSpec>> starts = new LinkedHashMap<>();
    for (AttemptKey key : msg.keys()) {
      Placed p = placed.get(key);
      if (p != null && !p.launched()) {
        placed.put(key, p.asLaunched());
        starts.computeIfAbsent(p.workerId(), id -> new ArrayList<>()).add(p.spec());
      }
    }
    starts.forEach((workerId, specs) -> {
      WorkerEntry w = workers.get(workerId);
      if (w != null) {
        w.ref.tell(new ToWorker.StartAttempts(epoch, specs));
      }
    });
    return this;
  }

  private Behavior<Command> onTrack(Track msg) {
    for (Tracked t : msg.attempts()) {
      if (placed.containsKey(t.key())) {
        continue;
      }
      Placed p = new Placed(t.workerId(), t.milliCpus(), t.memoryMb(), msg.owner(), null, true);
      placed.put(t.key(), p);
      reserve(p);
      java.util.Set<AttemptKey> reported = reportedAtRegistration.get(t.workerId());
      if (reported == null) {
        unconfirmed.put(t.key(), t.workerId());
      } else if (!reported.contains(t.key())) {
        routeNeverStarted(t.key(), t.workerId());
      }
    }
    return this;
  }

  /**
   * The attempt's worker re-registered without it: it never started there (a worker writes its run record before
   * it starts an attempt and reports every recorded attempt until acknowledged), so it is LOST and may run again
   * without counting against its retries.
   */
  private void routeNeverStarted(AttemptKey key, String workerId) {
    route(lostReport(key, "worker " + workerId + " re-registered without it"), workerId, true);
  }

  private void route(AttemptReport report, String workerId) {
    route(report, workerId, false);
  }

  private void route(AttemptReport report, String workerId, boolean provenNotStarted) {
    Placed p = placed.get(report.key());
    if (p != null && report.state().isTerminal()) {
      placed.remove(report.key());
      release(p);
    }
    if (p != null) {
      p.owner().tell(new JobMaster.AttemptReported(report, workerId, provenNotStarted));
    } else if (dispatcher != null) {
      dispatcher.tell(new Dispatcher.RouteReport(report, workerId));
    }
  }

  private void release(Placed p) {
    WorkerEntry w = workers.get(p.workerId());
    if (w != null) {
      w.usedMilliCpus -= p.milliCpus();
      w.usedMemoryMb -= p.memoryMb();
      w.running--;
    }
  }

  private Behavior<Command> onRequestAttempts(RequestAttempts msg) {
    for (AttemptSpec spec : msg.attempts()) {
      if (!placed.containsKey(spec.key())) {
        waiting.computeIfAbsent(shapeOf(spec), s -> new LinkedHashMap<>()).put(spec.key(), new Waiting(spec, msg.owner()));
      }
    }
    tryPlace();
    return this;
  }

  private Behavior<Command> onCancelAttempts(CancelAttempts msg) {
    Map<String, List<AttemptKey>> kills = new HashMap<>();
    for (AttemptKey key : msg.keys()) {
      waiting.values().forEach(queue -> queue.remove(key));
      Placed p = placed.get(key);
      if (p != null && p.launched()) {
        kills.computeIfAbsent(p.workerId(), id -> new ArrayList<>()).add(key);
      } else if (p != null) {
        // never sent to its worker: it ends here
        route(new AttemptReport(key, AttemptState.CANCELLED, null, null, clock.instant(), "cancelled before it started"),
            p.workerId());
      }
    }
    kills.forEach((workerId, keys) -> {
      WorkerEntry w = workers.get(workerId);
      if (w != null && w.alive) {
        w.ref.tell(new ToWorker.KillAttempts(epoch, keys, AttemptState.CANCELLED));
      } else {
        killOnRegistration.addAll(keys);
      }
    });
    msg.replyTo().tell(new JobMaster.CancelsDone());
    return this;
  }

  private Behavior<Command> onKillUntracked(KillUntracked msg) {
    WorkerEntry w = workers.get(msg.workerId());
    if (w != null) {
      w.ref.tell(new ToWorker.KillAttempts(epoch, List.of(msg.key()), AttemptState.CANCELLED));
    }
    return this;
  }

  private Behavior<Command> onAck(Ack msg) {
    WorkerEntry w = workers.get(msg.workerId());
    if (w != null) {
      if (w.pendingAcks.isEmpty() && !timers.isTimerActive("acks")) {
        timers.startSingleTimer("acks", new FlushAcks(), Duration.ofMillis(2));
      }
      w.pendingAcks.add(new ToWorker.Acked(msg.key(), msg.state()));
      if (w.pendingAcks.size() >= 1000) {
        flush(w);
      }
    }
    return this;
  }

  private Behavior<Command> onFlushAcks(FlushAcks msg) {
    workers.values().forEach(this::flush);
    return this;
  }

  private void flush(WorkerEntry w) {
    if (!w.pendingAcks.isEmpty()) {
      w.ref.tell(new ToWorker.AckReports(epoch, w.pendingAcks));
      w.pendingAcks = new ArrayList<>();
    }
  }

  private Behavior<Command> onListWorkers(ListWorkers msg) {
    msg.replyTo().tell(workers.values().stream().map(ResourceManager::view).toList());
    return this;
  }

  private static WorkerView view(WorkerEntry w) {
    return new WorkerView(w.info.workerId(), w.info.host(), w.alive ? "ALIVE" : "DEAD", w.info.cpus(),
        w.info.memoryMb(), w.usedMilliCpus / 1000.0, w.usedMemoryMb, w.info.labels(), w.running, w.lastHeartbeat);
  }

  private void publish(WorkerEntry w) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.WorkerChanged(view(w))));
  }

  private Behavior<Command> onGetWorker(GetWorker msg) {
    WorkerEntry w = workers.get(msg.workerId());
    msg.replyTo().tell(w == null ? Optional.empty() : Optional.of(w.ref));
    return this;
  }

  private Behavior<Command> onTick(Tick msg) {
    Instant deadline = clock.instant().minus(settings.heartbeatTimeout());
    boolean changed = false;
    for (WorkerEntry w : workers.values()) {
      if (w.alive && w.lastHeartbeat.isBefore(deadline)) {
        w.alive = false;
        aliveWorkers.decrementAndGet();
        changed = true;
        publish(w);
        context.getLog().warn("worker {} missed heartbeats for {}; declaring it DEAD and its attempts LOST",
            w.info.workerId(), settings.heartbeatTimeout());
        loseAttemptsOf(w);
      }
    }
    for (AttemptKey key : Reconciliation.lostAfterGrace(unconfirmed, reportedAtRegistration.keySet(), sessionStart,
        settings.heartbeatTimeout(), clock.instant())) {
      String workerId = unconfirmed.remove(key);
      route(lostReport(key, "worker " + workerId + " did not re-register within "
          + settings.heartbeatTimeout().toMillis() + " ms of the new leader"), workerId);
      changed = true;
    }
    if (changed) {
      tryPlace();
    }
    return this;
  }

  private void loseAttemptsOf(WorkerEntry w) {
    String workerId = w.info.workerId();
    Instant now = clock.instant();
    List<AttemptKey> lost = placed.entrySet().stream()
        .filter(e -> e.getValue().workerId().equals(workerId)).map(Map.Entry::getKey).toList();
    for (AttemptKey key : lost) {
      route(new AttemptReport(key, AttemptState.LOST, null, null, now,
          "worker " + workerId + " missed heartbeats for " + settings.heartbeatTimeout().toMillis() + " ms"), workerId);
    }
  }

  private void tryPlace() {
    Map<ActorRef<JobMaster.Command>, List<JobMaster.Placement>> placedByOwner = new LinkedHashMap<>();
    Iterator<Map.Entry<Placement.Shape, LinkedHashMap<AttemptKey, Waiting>>> shapes = waiting.entrySet().iterator();
    while (shapes.hasNext()) {
      Map.Entry<Placement.Shape, LinkedHashMap<AttemptKey, Waiting>> entry = shapes.next();
      LinkedHashMap<AttemptKey, Waiting> queue = entry.getValue();
      List<String> targets = Placement.placeUniform(freeCapacity(), entry.getKey(), queue.size());
      Iterator<Waiting> it = queue.values().iterator();
      for (String workerId : targets) {
        Waiting wt = it.next();
        it.remove();
        WorkerEntry w = workers.get(workerId);
        Placed p = new Placed(workerId, wt.spec().task().milliCpus(), wt.spec().task().memoryMb(), wt.owner(),
            wt.spec(), false);
        placed.put(wt.spec().key(), p);
        w.usedMilliCpus += p.milliCpus();
        w.usedMemoryMb += p.memoryMb();
        w.running++;
        placedByOwner.computeIfAbsent(wt.owner(), o -> new ArrayList<>())
            .add(new JobMaster.Placement(wt.spec().key(), workerId));
      }
      if (queue.isEmpty()) {
        shapes.remove();
      }
    }
    placedByOwner.forEach((owner, placements) -> owner.tell(new JobMaster.AttemptsPlaced(placements)));
  }

  private List<Placement.Worker> freeCapacity() {
    List<Placement.Worker> free = new ArrayList<>(workers.size());
    for (WorkerEntry w : workers.values()) {
      free.add(new Placement.Worker(w.info.workerId(), w.alive, w.info.milliCpus() - w.usedMilliCpus,
          w.info.memoryMb() - w.usedMemoryMb, w.info.labels()));
    }
    return free;
  }

  private static Placement.Shape shapeOf(AttemptSpec spec) {
    return new Placement.Shape(spec.task().milliCpus(), spec.task().memoryMb(), spec.task().constraints());
  }
}
