package io.baton.scheduler;

import io.baton.ha.HaServices;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.leader.LeaderSession;
import io.baton.scheduler.leader.WorkerGateway;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The root actor of a master. Once told its REST URL ({@link Start}) it contends for leadership; for each
 * granted epoch it runs one {@link LeaderSession}, started only after the previous session has stopped, and
 * points the worker gateway and the REST facade at it once it is ready. Revocation stops the session at once.
 */
public final class MasterGuardian extends AbstractBehavior<MasterGuardian.Command> {
  public sealed interface Command {}

  /** Start contending; {@code restUrl} is how clients reach this master. */
  public record Start(String restUrl) implements Command {}

  /**
   * A planned handover ({@code POST /cluster/step-down}, or SIGTERM): if this master leads, it stops taking work,
   * waits (up to {@code drainTimeout}) until every submission being persisted has been, stops its session and
   * gives up leadership at once, so a standby is granted without waiting for a session to expire. With
   * {@code rejoin} it goes on as a standby; without, it stops contending (the process is about to stop).
   */
  public record StepDown(boolean rejoin, Duration drainTimeout, ActorRef<StepDownDone> replyTo) implements Command {}

  /** What a step-down did: handed leadership over (the epoch it gave up), or nothing, as this master did not lead. */
  public record StepDownDone(Optional<Epoch> gaveUp) {}

  private record Drained(Epoch epoch, StepDown request) implements Command {}

  private record SteppedDown(Epoch epoch, StepDown request) implements Command {}

  private record Granted(Epoch epoch) implements Command {}

  private record Revoked() implements Command {}

  private record ElectionFailed(Throwable cause) implements Command {}

  private record FromSession(LeaderSession.Event event) implements Command {}

  private record SessionStopped(Epoch epoch) implements Command {}

  private record RetrySession(Epoch epoch) implements Command {}

  /** How long a step-down waits for submissions being persisted before it gives leadership up anyway. */
  static final Duration STEP_DOWN_DRAIN = Duration.ofSeconds(3);

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final HaServices ha;
  private final SchedulerSettings settings;
  private final DefaultMasterApi api;
  private final Clock clock;
  private final ActorRef<Object> gateway;
  private final ActorRef<LeaderSession.Event> sessionEvents;
  private LeaderElection election;
  private String restUrl;
  private Epoch granted;
  private ActorRef<LeaderSession.Command> session;
  private Epoch sessionEpoch;
  private boolean backingOff;

  public static Behavior<Command> create(HaServices ha, SchedulerSettings settings, DefaultMasterApi api, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new MasterGuardian(ctx, timers, ha, settings, api, clock)));
  }

  private MasterGuardian(
      ActorContext<Command> context, TimerScheduler<Command> timers, HaServices ha, SchedulerSettings settings,
      DefaultMasterApi api, Clock clock) {
    super(context);
    this.context = context;
    this.timers = timers;
    this.ha = ha;
    this.settings = settings;
    this.api = api;
    this.clock = clock;
    this.gateway = context.spawn(WorkerGateway.create(), WorkerGateway.NAME);
    this.sessionEvents = context.messageAdapter(LeaderSession.Event.class, FromSession::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Granted.class, this::onGranted)
        .onMessage(Revoked.class, msg -> onRevoked())
        .onMessage(ElectionFailed.class, this::onElectionFailed)
        .onMessage(FromSession.class, this::onSessionEvent)
        .onMessage(SessionStopped.class, this::onSessionStopped)
        .onMessage(RetrySession.class, this::onRetrySession)
        .onMessage(StepDown.class, this::onStepDown)
        .onMessage(Drained.class, this::onDrained)
        .onMessage(SteppedDown.class, this::onSteppedDown)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onStart(Start msg) throws Exception {
    if (election != null) {
      return this;
    }
    restUrl = msg.restUrl();
    election = ha.leaderElection(restUrl);
    api.started(restUrl, election);
    ActorRef<Command> self = context.getSelf();
    org.apache.pekko.actor.typed.Scheduler scheduler = context.getSystem().scheduler();
    api.stepsDownWith(rejoin -> org.apache.pekko.actor.typed.javadsl.AskPattern.<Command, StepDownDone>ask(self,
        replyTo -> new StepDown(rejoin, STEP_DOWN_DRAIN, replyTo), STEP_DOWN_DRAIN.plusSeconds(5), scheduler)
        .thenApply(StepDownDone::gaveUp));
    election.start(new LeaderContender() {
      @Override
      public void grantLeadership(Epoch epoch) {
        self.tell(new Granted(epoch));
      }

      @Override
      public void revokeLeadership() {
        self.tell(new Revoked());
      }

      @Override
      public void handleError(Throwable error) {
        self.tell(new ElectionFailed(error));
      }
    });
    context.getLog().info("master {} at {} contends for leadership", restUrl, remoteAddress());
    return this;
  }

  private Behavior<Command> onGranted(Granted msg) {
    context.getLog().info("granted leadership for {}", msg.epoch());
    granted = msg.epoch();
    backingOff = false;
    stopSession();
    maybeStartSession();
    return this;
  }

  private Behavior<Command> onRevoked() {
    if (granted != null) {
      context.getLog().warn("leadership for {} revoked", granted);
    }
    granted = null;
    stopSession();
    return this;
  }

  private Behavior<Command> onElectionFailed(ElectionFailed msg) {
    context.getLog().error("leader election failed; stepping down", msg.cause());
    return onRevoked();
  }

  private Behavior<Command> onSessionEvent(FromSession msg) {
    if (msg.event() instanceof LeaderSession.Started started) {
      // route workers to the new session before /leader is published, so their first registration lands
      if (started.epoch().equals(granted) && started.epoch().equals(sessionEpoch)) {
        gateway.tell(new WorkerGateway.Route(Optional.of(started.resourceManager())));
      }
    } else if (msg.event() instanceof LeaderSession.Ready ready) {
      if (ready.epoch().equals(granted) && ready.epoch().equals(sessionEpoch)) {
        api.sessionReady(ready.handles());
        context.getLog().info("leading as {}; published at {}", ready.epoch(), restUrl);
      }
    } else if (msg.event() instanceof LeaderSession.Failed failed) {
      context.getLog().error("leader session for {} failed", failed.epoch(), failed.cause());
      if (failed.epoch().equals(sessionEpoch)) {
        // a failed session serves nothing: not ready, no REST calls, no worker routed to it
        gateway.tell(new WorkerGateway.Route(Optional.empty()));
        api.sessionEnded();
      }
      if (failed.epoch().equals(granted)) {
        backingOff = true;
        timers.startSingleTimer(new RetrySession(failed.epoch()), Duration.ofSeconds(1));
      }
    }
    return this;
  }

  private Behavior<Command> onRetrySession(RetrySession msg) {
    backingOff = false;
    if (!msg.epoch().equals(granted)) {
      return this;
    }
    if (election.hasLeadership(msg.epoch())) {
      maybeStartSession();
    } else {
      // not leading at this instant (e.g. confirming after a pause); a real loss arrives as a revocation
      backingOff = true;
      timers.startSingleTimer(new RetrySession(msg.epoch()), Duration.ofSeconds(1));
    }
    return this;
  }

  private Behavior<Command> onStepDown(StepDown msg) {
    Optional<LeaderSession.Handles> handles = api.session().filter(h -> h.epoch().equals(granted));
    if (handles.isEmpty()) {
      if (!msg.rejoin() && election != null) {
        LeaderElection e = election;
        context.pipeToSelf(CompletableFuture.runAsync(() -> e.stepDown(false),
                context.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
            (ok, failure) -> new SteppedDown(null, msg));
        return this;
      }
      msg.replyTo().tell(new StepDownDone(Optional.empty()));
      return this;
    }
    Epoch epoch = granted;
    context.getLog().info("stepping down from {}: no new work; waiting for submissions being persisted", epoch);
    api.sessionEnded(); // REST now answers as a standby does
    context.ask(Done.class, handles.get().dispatcher(), msg.drainTimeout(), Dispatcher.Drain::new,
        (done, failure) -> {
          if (failure != null) {
            context.getLog().warn("submissions still being persisted after {}; stepping down anyway", msg.drainTimeout());
          }
          return new Drained(epoch, msg);
        });
    return this;
  }

  private Behavior<Command> onDrained(Drained msg) {
    if (!msg.epoch().equals(granted)) {
      msg.request().replyTo().tell(new StepDownDone(Optional.empty())); // lost meanwhile
      return this;
    }
    granted = null;
    stopSession();
    // ZooKeeper round trips: off the actor's thread
    LeaderElection e = election;
    boolean rejoin = msg.request().rejoin();
    context.pipeToSelf(CompletableFuture.runAsync(() -> e.stepDown(rejoin),
            context.getSystem().dispatchers().lookup(DispatcherSelector.blocking())),
        (ok, failure) -> new SteppedDown(msg.epoch(), msg.request()));
    return this;
  }

  private Behavior<Command> onSteppedDown(SteppedDown msg) {
    if (msg.epoch() == null) {
      msg.request().replyTo().tell(new StepDownDone(Optional.empty())); // a standby that left the election
      return this;
    }
    context.getLog().info("stepped down from {}; {}", msg.epoch(),
        msg.request().rejoin() ? "contending again as a standby" : "no longer contending");
    msg.request().replyTo().tell(new StepDownDone(Optional.of(msg.epoch())));
    return this;
  }

  private Behavior<Command> onSessionStopped(SessionStopped msg) {
    if (msg.epoch().equals(sessionEpoch)) {
      session = null;
      sessionEpoch = null;
      maybeStartSession();
    }
    return this;
  }

  private void stopSession() {
    gateway.tell(new WorkerGateway.Route(Optional.empty()));
    api.sessionEnded();
    if (session != null) {
      context.stop(session);
    }
  }

  private void maybeStartSession() {
    if (session != null || granted == null || backingOff) {
      return;
    }
    sessionEpoch = granted;
    session = context.spawn(
        LeaderSession.create(granted, remoteAddress(), restUrl, ha.jobStore(), ha.scheduleStore(), election,
            settings, clock, sessionEvents),
        "session-" + granted.value());
    context.watchWith(session, new SessionStopped(granted));
  }

  /** The address workers reach this master at (host and port included once remoting is on). */
  private String remoteAddress() {
    return ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(context.getSystem()))
        .provider().getDefaultAddress().toString();
  }

  private Behavior<Command> onPostStop() {
    api.sessionEnded();
    if (election != null) {
      election.close();
    }
    return this;
  }
}
