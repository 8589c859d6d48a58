package io.baton.scheduler.resourcemanager;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.leader.protocol.AttemptEvent;
import io.baton.scheduler.model.ClusterBook.Decision;
import io.baton.scheduler.model.ClusterBook;
import io.baton.wire.AttemptSpec;
import io.baton.wire.RejectionLog;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WireLimits;
import io.baton.wire.WorkerMode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The leader's link to the workers for one epoch. Every decision (liveness, capacity, placement, failover
 * reconciliation, ack batching) is the {@link ClusterBook}'s; this actor decodes each message into a book event,
 * applies it with the clock's time and sends the decisions: to workers by id, to the owner of an attempt (its
 * job's JobMaster) by job id, to the Dispatcher for reports nobody owns.
 */
public final class ResourceManager extends AbstractBehavior<ResourceManager.Command> {
  public sealed interface Command {}

  /** A message from a worker, through the gateway. */
  public record FromWorker(ToLeader message) implements Command {}

  /** Where reports of attempts no JobMaster owns go; held back until this arrives. */
  public record SetDispatcher(ActorRef<AttemptEvent.AttemptReported> unowned) implements Command {}

  /** Place these attempts; {@code owner} hears where they were placed and every report of them. */
  public record RequestAttempts(List<AttemptSpec> attempts, ActorRef<AttemptEvent> owner) implements Command {}

  /** Cancel these attempts (see {@link ClusterBook.Cancel}); then tell {@code replyTo} CancelsDone. */
  public record CancelAttempts(List<AttemptKey> keys, ActorRef<AttemptEvent> replyTo) implements Command {}

  /** The owner has durably recorded these placed attempts: now ask their workers to start them. */
  public record Launch(List<AttemptKey> keys) implements Command {}

  /** After a failover: attempts the store says are active on some worker (see {@link ClusterBook.Track}). */
  public record Track(List<ClusterBook.Tracked> attempts, ActorRef<AttemptEvent> owner) implements Command {}

  /** A JobMaster has durably recorded this report: acknowledge it to the worker. */
  public record Ack(String workerId, AttemptKey key, AttemptState state) implements Command {}

  /** Kill an attempt no JobMaster tracks (e.g. one still running for a job that already finished). */
  public record KillUntracked(String workerId, AttemptKey key) implements Command {}

  /** These jobs were deleted: every registered worker deletes what it keeps of them. */
  public record ForgetJobs(List<String> jobIds) implements Command {}

  public record ListWorkers(ActorRef<List<WorkerView>> replyTo) implements Command {}

  public record GetWorker(String workerId, ActorRef<Optional<ActorRef<ToWorker>>> replyTo) implements Command {}

  /** An operator drains ({@code DRAINING}) or undrains ({@code ACTIVE}) a worker (see {@link ClusterBook.SetMode}). */
  public record SetWorkerMode(String workerId, WorkerMode mode, ActorRef<MasterApi.DrainResult> replyTo)
      implements Command {}

  private record Tick() implements Command {}

  private record FlushAcks() implements Command {}

  /** How long acknowledgements wait to be sent together. */
  private static final Duration ACK_BATCH_WINDOW = Duration.ofMillis(2);

  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final String sessionId;
  private final Clock clock;
  private final AtomicInteger aliveWorkers;
  private final ClusterBook book;
  private final WorkerIdentities identities;
  private final RejectionLog refusals = new RejectionLog(Duration.ofSeconds(10));
  private final Map<String, ActorRef<ToWorker>> workers = new HashMap<>();
  private final Map<String, ActorRef<AttemptEvent>> owners = new HashMap<>();
  private ActorRef<AttemptEvent.AttemptReported> dispatcher;
  private final List<AttemptEvent.AttemptReported> heldForDispatcher = new ArrayList<>();

  /**
   * @param sessionId    the session id this term publishes in {@code /leader}: workers accept a registration
   *                     only from the session they follow
   * @param aliveWorkers kept equal to the number of ALIVE workers (read by readiness checks)
   */
  public static Behavior<Command> create(Epoch epoch, String sessionId, SchedulerSettings settings, Clock clock,
      AtomicInteger aliveWorkers) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.heartbeatInterval());
      return new ResourceManager(ctx, timers, epoch, sessionId, settings, clock, aliveWorkers);
    }));
  }

  private ResourceManager(ActorContext<Command> context, TimerScheduler<Command> timers, Epoch epoch,
      String sessionId, SchedulerSettings settings, Clock clock, AtomicInteger aliveWorkers) {
    super(context);
    this.timers = timers;
    this.epoch = epoch;
    this.sessionId = sessionId;
    this.clock = clock;
    this.aliveWorkers = aliveWorkers;
    this.book = new ClusterBook(epoch, settings.heartbeatTimeout(), clock.instant());
    this.identities = WorkerIdentities.get(context.getSystem());
    aliveWorkers.set(0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromWorker.class, this::onFromWorker)
        .onMessage(SetDispatcher.class, this::onSetDispatcher)
        .onMessage(RequestAttempts.class, m -> owned(m.attempts().stream().map(AttemptSpec::key), m.owner(),
            new ClusterBook.RequestAttempts(m.attempts())))
        .onMessage(CancelAttempts.class, this::onCancelAttempts)
        .onMessage(Launch.class, m -> apply(new ClusterBook.Launch(m.keys())))
        .onMessage(Track.class, m -> owned(m.attempts().stream().map(ClusterBook.Tracked::key), m.owner(),
            new ClusterBook.Track(m.attempts())))
        .onMessage(Ack.class, m -> apply(new ClusterBook.Ack(m.workerId(), m.key(), m.state())))
        .onMessage(KillUntracked.class, m -> apply(new ClusterBook.KillUntracked(m.workerId(), m.key())))
        .onMessage(ForgetJobs.class, this::onForgetJobs)
        .onMessage(ListWorkers.class, m -> reply(m.replyTo(), book.workers()))
        .onMessage(GetWorker.class, m -> reply(m.replyTo(), Optional.ofNullable(workers.get(m.workerId()))))
        .onMessage(SetWorkerMode.class, this::onSetWorkerMode)
        .onMessage(Tick.class, m -> apply(new ClusterBook.Tick()))
        .onMessage(FlushAcks.class, m -> apply(new ClusterBook.FlushAcks()))
        .build();
  }

  private Behavior<Command> onFromWorker(FromWorker msg) {
    ToLeader m = msg.message();
    if (m instanceof ToLeader.RegisterWorker r) {
      getContext().getLog().info("worker {} registers from {} ({} cpus, {} MB, labels {}, {} attempts reported)",
          r.workerId(), r.info().host(), r.info().cpus(), r.info().memoryMb(), r.info().labels(), r.attempts().size());
    }
    // answers go to the registered worker, or to a newcomer's own ref (a registration, a heartbeat)
    ActorRef<ToWorker> sender = m instanceof ToLeader.RegisterWorker r ? r.worker()
        : workers.getOrDefault(m.workerId(), m instanceof ToLeader.Heartbeat h ? h.worker() : null);
    ClusterBook.Event event = WorkerMessages.event(m, identities);
    for (Decision d : book.apply(event, clock.instant())) {
      if (d instanceof ClusterBook.RegistrationAccepted) {
        // reached only at this address from now on, where the certificate must name it (WorkerIdentities.claim)
        workers.put(m.workerId(), sender);
      } else if (d instanceof ClusterBook.Unauthenticated u) {
        refusals.admit(System.nanoTime()).ifPresent(left -> getContext().getLog().warn(
            "ignored {} naming worker {} without its registration's capability ({} more refused since the last of "
                + "these lines)", u.what(), u.workerId(), left));
        continue;
      } else if (d instanceof ClusterBook.RegistrationRejected rejected) {
        refusals.admit(System.nanoTime()).ifPresent(left -> getContext().getLog().warn(
            "refused registration of worker {} from {}: {} ({} more refused since the last of these lines)",
            m.workerId(), sender.path().address(), rejected.reason(), left));
      }
      send(d, m.workerId(), sender);
    }
    return this;
  }

  /** Applies an owner's request, remembering the owner of the attempts' jobs. */
  private Behavior<Command> owned(Stream<AttemptKey> keys, ActorRef<AttemptEvent> owner, ClusterBook.Event event) {
    keys.forEach(key -> owners.put(key.jobId(), owner));
    return apply(event);
  }

  private Behavior<Command> onSetDispatcher(SetDispatcher msg) {
    dispatcher = msg.unowned();
    heldForDispatcher.forEach(dispatcher::tell);
    heldForDispatcher.clear();
    return this;
  }

  private Behavior<Command> onCancelAttempts(CancelAttempts msg) {
    apply(new ClusterBook.Cancel(msg.keys()));
    msg.replyTo().tell(new AttemptEvent.CancelsDone());
    return this;
  }

  private Behavior<Command> onForgetJobs(ForgetJobs msg) {
    List<String> ids = msg.jobIds();
    for (int from = 0; from < ids.size(); from += WireLimits.MAX_ATTEMPTS_PER_MESSAGE) {
      ToWorker forget = new ToWorker.ForgetJobs(epoch,
          ids.subList(from, Math.min(ids.size(), from + WireLimits.MAX_ATTEMPTS_PER_MESSAGE)));
      workers.values().forEach(w -> w.tell(forget));
    }
    return this;
  }

  private Behavior<Command> onSetWorkerMode(SetWorkerMode msg) {
    MasterApi.DrainResult result = null;
    for (Decision d : book.apply(new ClusterBook.SetMode(msg.workerId(), msg.mode()), clock.instant())) {
      if (d instanceof ClusterBook.ModeSet set) {
        result = new MasterApi.DrainResult.Done(set.view());
      } else if (d instanceof ClusterBook.ModeRefused refused) {
        result = refused.notFound() ? new MasterApi.DrainResult.NotFound(refused.reason())
            : new MasterApi.DrainResult.Conflict(refused.reason());
      } else {
        if (d instanceof ClusterBook.TellMode) {
          getContext().getLog().info("worker {} {} by an operator", msg.workerId(),
              msg.mode() == WorkerMode.DRAINING ? "drained" : "undrained");
        }
        send(d, null, null);
      }
    }
    msg.replyTo().tell(result);
    return this;
  }

  private Behavior<Command> apply(ClusterBook.Event event) {
    book.apply(event, clock.instant()).forEach(d -> send(d, null, null));
    return this;
  }

  /** Carries out one decision; {@code sender}: the worker (by id) whose message is being applied, if any. */
  private void send(Decision decision, String senderId, ActorRef<ToWorker> sender) {
    if (decision instanceof ClusterBook.ForWorker w) {
      ActorRef<ToWorker> to = w.workerId().equals(senderId) && sender != null ? sender : workers.get(w.workerId());
      if (to != null) {
        to.tell(WorkerMessages.message(w, epoch, sessionId));
      }
    } else if (decision instanceof ClusterBook.FlushAcksSoon && !timers.isTimerActive("acks")) {
      timers.startSingleTimer("acks", new FlushAcks(), ACK_BATCH_WINDOW);
    } else if (decision instanceof ClusterBook.Place p) {
      owners.get(p.jobId()).tell(new AttemptEvent.AttemptsPlaced(
          p.placements().stream().map(x -> new AttemptEvent.Placement(x.key(), x.workerId())).toList()));
    } else if (decision instanceof ClusterBook.RouteReport r) {
      route(r);
    } else if (decision instanceof ClusterBook.OwnerIdle idle) {
      owners.remove(idle.jobId());
    } else if (decision instanceof ClusterBook.WorkerChanged changed) {
      publish(changed.view(), changed.saidStopped());
    } else if (decision instanceof ClusterBook.Reconciled r) {
      getContext().getLog().info("worker {}: {} attempts adopted, {} results recorded, {} lost", r.workerId(),
          r.outcome().adopted().size(), r.outcome().recorded().size(), r.outcome().lost().size());
    }
  }

  private void route(ClusterBook.RouteReport r) {
    var reported = new AttemptEvent.AttemptReported(r.report(), r.workerId(), r.provenNotStarted());
    ActorRef<AttemptEvent> owner = r.owned() ? owners.get(r.report().key().jobId()) : null;
    if (owner != null) {
      owner.tell(reported);
    } else if (dispatcher != null) {
      dispatcher.tell(reported);
    } else {
      heldForDispatcher.add(reported);
    }
  }

  private void publish(WorkerView view, boolean saidStopped) {
    aliveWorkers.set(book.aliveWorkers());
    if (view.state().equals("DEAD") && saidStopped) {
      // a planned stop (SIGTERM, drained): what it still ran was handed back before, nothing to warn about
      getContext().getLog().info("worker {} stopped (it drained and said so); DEAD", view.id());
    } else if (view.state().equals("DEAD")) {
      getContext().getLog().warn("worker {} is DEAD (silent past the heartbeat timeout); its attempts are LOST",
          view.id());
    } else if (view.state().equals("DRAINING")) {
      getContext().getLog().info("worker {} is DRAINING: no new attempts; {} running", view.id(), view.runningAttempts());
    }
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.WorkerChanged(view)));
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T value) {
    to.tell(value);
    return this;
  }
}
