package io.baton.scheduler.resourcemanager;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.leader.protocol.AttemptEvent;
import io.baton.scheduler.model.ClusterBook;
import io.baton.scheduler.model.ClusterBook.Decision;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
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

  public record ListWorkers(ActorRef<List<WorkerView>> replyTo) implements Command {}

  public record GetWorker(String workerId, ActorRef<Optional<ActorRef<ToWorker>>> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record FlushAcks() implements Command {}

  private static final Duration ACK_BATCH_WINDOW = Duration.ofMillis(2);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final Clock clock;
  private final AtomicInteger aliveWorkers;
  private final ClusterBook book;
  private final Map<String, ActorRef<ToWorker>> workers = new HashMap<>();
  private final Map<String, ActorRef<AttemptEvent>> owners = new HashMap<>();
  private ActorRef<AttemptEvent.AttemptReported> dispatcher;
  private final List<AttemptEvent.AttemptReported> heldForDispatcher = new ArrayList<>();

  /** @param aliveWorkers kept equal to the number of ALIVE workers (read by readiness checks) */
  public static Behavior<Command> create(Epoch epoch, SchedulerSettings settings, Clock clock, AtomicInteger aliveWorkers) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), settings.heartbeatInterval());
      return new ResourceManager(ctx, timers, epoch, settings, clock, aliveWorkers);
    }));
  }

  private ResourceManager(ActorContext<Command> context, TimerScheduler<Command> timers, Epoch epoch,
      SchedulerSettings settings, Clock clock, AtomicInteger aliveWorkers) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.epoch = epoch;
    this.clock = clock;
    this.aliveWorkers = aliveWorkers;
    this.book = new ClusterBook(epoch, settings.heartbeatTimeout(), clock.instant());
    aliveWorkers.set(0);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromWorker.class, this::onFromWorker)
        .onMessage(SetDispatcher.class, this::onSetDispatcher)
        .onMessage(RequestAttempts.class, this::onRequestAttempts)
        .onMessage(CancelAttempts.class, this::onCancelAttempts)
        .onMessage(Launch.class, m -> apply(new ClusterBook.Launch(m.keys())))
        .onMessage(Track.class, this::onTrack)
        .onMessage(Ack.class, m -> apply(new ClusterBook.Ack(m.workerId(), m.key(), m.state())))
        .onMessage(KillUntracked.class, m -> apply(new ClusterBook.KillUntracked(m.workerId(), m.key())))
        .onMessage(ListWorkers.class, this::onListWorkers)
        .onMessage(GetWorker.class, this::onGetWorker)
        .onMessage(Tick.class, m -> apply(new ClusterBook.Tick()))
        .onMessage(FlushAcks.class, m -> apply(new ClusterBook.FlushAcks()))
        .build();
  }

  private Behavior<Command> onFromWorker(FromWorker msg) {
    ToLeader m = msg.message();
    ActorRef<ToWorker> replyTo;
    ClusterBook.Event event;
    if (m instanceof ToLeader.RegisterWorker r) {
      context.getLog().info("worker {} registers from {} ({} cpus, {} MB, labels {}, {} attempts reported)",
          r.workerId(), r.info().host(), r.info().cpus(), r.info().memoryMb(), r.info().labels(), r.attempts().size());
      replyTo = r.worker();
      event = new ClusterBook.Register(r.epoch(), r.info(), r.attempts(), replyTo.path().toSerializationFormat(),
          r.sentAtNanos());
    } else if (m instanceof ToLeader.Heartbeat h) {
      replyTo = workers.getOrDefault(h.workerId(), h.worker());
      event = new ClusterBook.Heartbeat(h.epoch(), h.workerId(), h.sentAtNanos());
    } else {
      ToLeader.Reports r = (ToLeader.Reports) m;
      replyTo = workers.get(r.workerId());
      event = new ClusterBook.Reports(r.epoch(), r.workerId(), r.reports());
    }
    for (Decision d : book.apply(event, clock.instant())) {
      if (d instanceof ClusterBook.RegistrationAccepted) {
        workers.put(m.workerId(), replyTo);
      }
      send(d, replyTo);
    }
    return this;
  }

  private Behavior<Command> onRequestAttempts(RequestAttempts msg) {
    msg.attempts().forEach(a -> owners.put(a.key().jobId(), msg.owner()));
    return apply(new ClusterBook.RequestAttempts(msg.attempts()));
  }

  private Behavior<Command> onTrack(Track msg) {
    msg.attempts().forEach(a -> owners.put(a.key().jobId(), msg.owner()));
    return apply(new ClusterBook.Track(msg.attempts()));
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

  private Behavior<Command> apply(ClusterBook.Event event) {
    book.apply(event, clock.instant()).forEach(d -> send(d, null));
    return this;
  }

  /** Carries out one decision; {@code sender}: the worker whose message is being handled, if any. */
  private void send(Decision decision, ActorRef<ToWorker> sender) {
    if (decision instanceof ClusterBook.RegistrationRejected r) {
      sender.tell(new ToWorker.RegistrationRejected(epoch, r.reason()));
    } else if (decision instanceof ClusterBook.RegistrationAccepted a) {
      sender.tell(new ToWorker.RegistrationAccepted(epoch, context.getSelf().path().name(), a.echoNanos()));
    } else if (decision instanceof ClusterBook.HeartbeatAccepted h) {
      sender.tell(new ToWorker.HeartbeatAck(epoch, h.echoNanos()));
    } else if (decision instanceof ClusterBook.NotRegistered n) {
      if (sender != null) {
        sender.tell(new ToWorker.NotRegistered(epoch));
      } else {
        context.getLog().debug("reports from unregistered worker {}", n.workerId());
      }
    } else if (decision instanceof ClusterBook.StartAttempts s) {
      workers.get(s.workerId()).tell(new ToWorker.StartAttempts(epoch, s.specs()));
    } else if (decision instanceof ClusterBook.Kill k) {
      workers.get(k.workerId()).tell(new ToWorker.KillAttempts(epoch, k.keys(), AttemptState.CANCELLED));
    } else if (decision instanceof ClusterBook.AckReports a) {
      workers.get(a.workerId()).tell(new ToWorker.AckReports(epoch,
          a.acked().stream().map(x -> new ToWorker.Acked(x.key(), x.state())).toList()));
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
      publish(changed.view());
    } else if (decision instanceof ClusterBook.Reconciled r) {
      context.getLog().info("worker {}: {} attempts adopted, {} results recorded, {} lost", r.workerId(),
          r.outcome().adopted().size(), r.outcome().recorded().size(), r.outcome().lost().size());
    }
  }

  private void route(ClusterBook.RouteReport r) {
    AttemptEvent.AttemptReported reported = new AttemptEvent.AttemptReported(r.report(), r.workerId(), r.provenNotStarted());
    ActorRef<AttemptEvent> owner = r.owned() ? owners.get(r.report().key().jobId()) : null;
    if (owner != null) {
      owner.tell(reported);
    } else if (dispatcher != null) {
      dispatcher.tell(reported);
    } else {
      heldForDispatcher.add(reported);
    }
  }

  private void publish(WorkerView view) {
    aliveWorkers.set(book.aliveWorkers());
    if (view.state().equals("DEAD")) {
      context.getLog().warn("worker {} missed heartbeats; declaring it DEAD and its attempts LOST", view.id());
    }
    context.getSystem().eventStream().tell(new EventStream.Publish<>(new ClusterEvent.WorkerChanged(view)));
  }

  private Behavior<Command> onListWorkers(ListWorkers msg) {
    msg.replyTo().tell(book.workers());
    return this;
  }

  private Behavior<Command> onGetWorker(GetWorker msg) {
    msg.replyTo().tell(Optional.ofNullable(workers.get(msg.workerId())));
    return this;
  }
}
