package io.baton.scheduler;

import io.baton.ha.HaServices;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.leader.LeaderSession;
import io.baton.scheduler.leader.WorkerGateway;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
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

  private record Granted(Epoch epoch) implements Command {}

  private record Revoked() implements Command {}

  private record ElectionFailed(Throwable cause) implements Command {}

  private record FromSession(LeaderSession.Event event) implements Command {}

  private record SessionStopped(Epoch epoch) implements Command {}

  private record RetrySession(Epoch epoch) implements Command {}

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
