package io.baton.worker.connection;

import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.wire.ToLeader;
import io.baton.wire.WireLimits;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.wire.WorkerMode;
import io.baton.worker.execution.AttemptRunner;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The worker's link to its leader, and the only door for leader commands: follows the leader published in
 * {@code /leader}, resolves its gateway, registers, heartbeats, and fences the worker off when its lease ends.
 * States: {@link #following} (no leader), {@link #resolving}, {@link #registering}, {@link #registered}.
 *
 * <p>Each leader followed gets an inbox of its own ({@link LeaderInbox}), sent only in the registrations with
 * that leader; whatever arrives on any inbox passes the {@link LeaderDoor} or is dropped. Admitted commands go to
 * the {@link AttemptRunner}; its report batches go to the leader while registered (a registration carries every
 * report the runner holds, so nothing is lost in between).
 */
public final class LeaderLink {

  public sealed interface Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * The worker's own change of mode (STOPPING on SIGTERM, STOPPED when drained): kept for every later
   * registration and told to the leader at once if registered; then {@code replyTo} (may be null) hears the mode.
   */
  public record SetMode(WorkerMode mode, ActorRef<WorkerMode> replyTo) implements Command {}

  /**
   * {@code stopAcknowledged}: this worker is STOPPING and the leader it is registered with has said so back
   * ({@link ToWorker.SetMode} STOPPING): every start that leader will send has arrived before that answer.
   */
  public record Status(Epoch newestEpoch, Optional<LeaderInfo> leader, boolean registered,
      AttemptRunner.Status runner, boolean stopAcknowledged) {}

  /**
   * @param heartbeatTimeout the leader's: the lease ends {@code leaseMargin} before it, counted from the newest
   *                         message the leader answered
   */
  public record Settings(WorkerInfo info, Duration heartbeatInterval, Duration heartbeatTimeout,
      Duration leaseMargin, Duration registrationBackoffMax) {}

  private record LeaderChanged(Optional<LeaderInfo> leader) implements Command {}

  private record RetrievalFailed(Throwable error) implements Command {}

  private record GatewayResolved(LeaderInfo leader, ActorRef<ToLeader> gateway, Throwable error)
      implements Command {}

  private record FromInbox(LeaderInbox.Delivered delivered) implements Command {}

  private record FromRunner(AttemptRunner.Reports batch) implements Command {}

  private record ForRegistration(AttemptRunner.RegistrationReports answer) implements Command {}

  private record RunnerStatus(AttemptRunner.Status status) implements Command {}

  private record StatusBehindInbox(ActorRef<Status> replyTo) implements Command {}

  private record HeartbeatTick() implements Command {}

  private record RegisterTick(String sessionId) implements Command {}

  /** The leader followed and the inbox made for it. */
  private record Followed(LeaderInfo leader, ActorRef<Object> inboxRef) {
    ActorRef<ToWorker> inbox() {
      return inboxRef.narrow();
    }

    boolean is(LeaderInfo other) {
      return LeaderDoor.sameLeader(leader, other);
    }
  }

  private static final Object HEARTBEAT_TIMER = "heartbeat";
  private static final Object REGISTER_TIMER = "register";
  /** Inboxes of leaders no longer followed kept alive, so what still arrives on them is logged, not lost. */
  private static final int RETIRED_INBOXES = 8;
  private static final SecureRandom NAMES = new SecureRandom();

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final LeaderRetrieval retrieval;
  private final LeaderResolver resolver;
  private final ActorRef<AttemptRunner.Command> runner;
  private final LongSupplier nanoClock;
  private final LeaderConnection connection;
  private final LeaderDoor door;
  private final ActorRef<LeaderInbox.Delivered> delivered;
  private final ActorRef<AttemptRunner.RegistrationReports> registrationReports;
  private final ActorRef<AttemptRunner.Status> runnerStatus;
  /** By leader (epoch and session id), oldest first: the followed leader's and those of the last ones followed. */
  private final Map<String, ActorRef<Object>> inboxes = new LinkedHashMap<>();
  private final Deque<ActorRef<Status>> statusWaiting = new ArrayDeque<>();
  /** Attempts running, as of the runner's latest batch. */
  private int running;
  /** Whether this worker takes new attempts; said in every registration, so it outlives a leader. */
  private WorkerMode mode = WorkerMode.ACTIVE;
  /** The mode the last registration sent said. */
  private WorkerMode registeredAs = WorkerMode.ACTIVE;
  /** The leader registered with answered this worker's STOPPING (see {@link Status}). */
  private boolean stopAcknowledged;

  /** A link; it starts {@code retrieval} and closes it when it stops. */
  public static Behavior<Command> create(Settings settings, LeaderRetrieval retrieval, LeaderResolver resolver,
      ActorRef<AttemptRunner.Command> runner, LongSupplier nanoClock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new LeaderLink(ctx, timers, settings, retrieval, resolver, runner, nanoClock).start()));
  }

  private LeaderLink(ActorContext<Command> ctx, TimerScheduler<Command> timers, Settings settings,
      LeaderRetrieval retrieval, LeaderResolver resolver, ActorRef<AttemptRunner.Command> runner,
      LongSupplier nanoClock) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.retrieval = retrieval;
    this.resolver = resolver;
    this.runner = runner;
    this.nanoClock = nanoClock;
    this.connection = new LeaderConnection(nanoClock.getAsLong());
    this.door = new LeaderDoor(ctx.getLog());
    this.delivered = ctx.messageAdapter(LeaderInbox.Delivered.class, FromInbox::new);
    this.registrationReports = ctx.messageAdapter(AttemptRunner.RegistrationReports.class, ForRegistration::new);
    this.runnerStatus = ctx.messageAdapter(AttemptRunner.Status.class, RunnerStatus::new);
  }

  private Behavior<Command> start() throws Exception {
    runner.tell(new AttemptRunner.Attach(ctx.messageAdapter(AttemptRunner.Reports.class, FromRunner::new)));
    runner.tell(new AttemptRunner.LeaseRenewed(leaseDeadline()));
    timers.startTimerWithFixedDelay(HEARTBEAT_TIMER, new HeartbeatTick(), settings.heartbeatInterval());
    ActorRef<Command> self = ctx.getSelf();
    retrieval.start(new LeaderListener() {
      @Override
      public void leaderChanged(Optional<LeaderInfo> leader) {
        self.tell(new LeaderChanged(leader));
      }

      @Override
      public void handleError(Throwable error) {
        self.tell(new RetrievalFailed(error));
      }
    });
    return following();
  }

  // ---- states

  private Behavior<Command> following() {
    return common(Behaviors.receive(Command.class), null).build();
  }

  private Behavior<Command> resolving(Followed f) {
    return common(Behaviors.receive(Command.class)
        .onMessage(GatewayResolved.class, m -> onGatewayResolved(f, m))
        .onMessage(RegisterTick.class, m -> f.leader().sessionId().equals(m.sessionId()) ? resolve(f) : same()), f)
        .build();
  }

  private Behavior<Command> registering(Followed f, ActorRef<ToLeader> gateway) {
    return common(Behaviors.receive(Command.class)
        .onMessage(RegisterTick.class, m -> {
          if (f.leader().sessionId().equals(m.sessionId())) {
            askForRegistration(f);
          }
          return same();
        })
        .onMessage(ForRegistration.class, m -> onForRegistration(f, gateway, m.answer()))
        .onMessage(FromInbox.class, m -> admit(m).map(msg -> {
          if (msg instanceof ToWorker.RegistrationAccepted a && connection.registrationAccepted(a.epoch())) {
            timers.cancel(REGISTER_TIMER);
            ctx.getLog().info("registered with leader {}", a.epoch());
            answered(a.epoch(), a.echoNanos());
            if (mode != WorkerMode.ACTIVE || mode != registeredAs) {
              // the mode changed while registering (a drain asked just then), or the accepted registration may be an
              // older one: say it now rather than at the next registration
              gateway.tell(new ToLeader.ModeChanged(connection.epoch(), workerId(), mode, a.token()));
            }
            return registered(f, gateway, a.token());
          }
          return obey(msg);
        }).orElse(same())), f)
        .build();
  }

  private Behavior<Command> registered(Followed f, ActorRef<ToLeader> gateway, long token) {
    return common(Behaviors.receive(Command.class)
        .onMessage(HeartbeatTick.class, m -> {
          fenceIfLeaseEnded();
          Epoch epoch = connection.epoch();
          gateway.tell(new ToLeader.Heartbeat(epoch, workerId(), running, f.inbox(), nanoClock.getAsLong(), token));
          runner.tell(new AttemptRunner.ResendDue());
          return same();
        })
        .onMessage(FromRunner.class, m -> {
          running = m.batch().running();
          // results ride in reports: a batch carrying many is sent as several messages (see WireLimits)
          for (var part : WireLimits.splitByPayload(m.batch().reports(), r -> WireLimits.utf8Length(r.result()))) {
            gateway.tell(new ToLeader.Reports(connection.epoch(), workerId(), part, token));
          }
          return same();
        })
        .onMessage(SetMode.class, m -> {
          onSetMode(m);
          gateway.tell(new ToLeader.ModeChanged(connection.epoch(), workerId(), mode, token));
          return same();
        })
        .onMessage(FromInbox.class, m -> admit(m).map(msg -> {
          if (msg instanceof ToWorker.RegistrationAccepted a) {   // a repeated registration: its token is current
            answered(a.epoch(), a.echoNanos());
            return registered(f, gateway, a.token());
          } else if (msg instanceof ToWorker.SetMode s) {
            if (!modeSetByLeader(s)) {
              // confirmed, so the leader's book ends with this worker's mode even if a registration crossed it (and
              // a stopping worker, which keeps stopping, says so)
              gateway.tell(new ToLeader.ModeChanged(connection.epoch(), workerId(), mode, token));
            }
            return same();
          } else if (msg instanceof ToWorker.NotRegistered) {
            connection.unregistered();
            askForRegistration(f);
            return registering(f, gateway);
          }
          return obey(msg);
        }).orElse(same())), f)
        .build();
  }

  /** What every state does; {@code f} is the leader followed, null for none. */
  private BehaviorBuilder<Command> common(BehaviorBuilder<Command> b, Followed f) {
    return b.onMessage(LeaderChanged.class, this::onLeaderChanged)
        .onMessage(RetrievalFailed.class, m -> {
          ctx.getLog().error("leader retrieval failed; this worker cannot follow leaders any more", m.error());
          return same();
        })
        .onMessage(HeartbeatTick.class, m -> {
          fenceIfLeaseEnded();
          return same();
        })
        .onMessage(FromRunner.class, m -> {
          running = m.batch().running(); // not registered: the next registration carries these reports
          return same();
        })
        .onMessage(FromInbox.class, m -> admit(m).map(this::obey).orElse(same()))
        .onMessage(SetMode.class, m -> {
          onSetMode(m);   // not registered: the next registration says it
          return same();
        })
        .onMessage(GetStatus.class, m -> onGetStatus(m, f))
        .onMessage(StatusBehindInbox.class, m -> {
          statusWaiting.add(m.replyTo());
          runner.tell(new AttemptRunner.GetStatus(runnerStatus));
          return same();
        })
        .onMessage(RunnerStatus.class, m -> {
          statusWaiting.remove().tell(new Status(connection.newestEpoch(), connection.leader(),
              connection.isRegistered(), m.status(), stopAcknowledged && connection.isRegistered()));
          return same();
        })
        .onMessage(Command.class, m -> same()) // ticks and answers of a state left behind
        .onSignal(PostStop.class, s -> {
          retrieval.close();
          return same();
        });
  }

  private static Behavior<Command> same() {
    return Behaviors.same();
  }

  // ---- following the published leader

  private Behavior<Command> onLeaderChanged(LeaderChanged m) {
    switch (connection.leaderPublished(m.leader())) {
      case NEW_LEADER -> {
        LeaderInfo leader = connection.leader().orElseThrow();
        ctx.getLog().info("following leader {} at {}", leader.epoch(), leader.address());
        timers.cancel(REGISTER_TIMER);
        return resolve(new Followed(leader, inboxFor(leader)));
      }
      case NO_LEADER -> {
        ctx.getLog().info("no leader published");
        timers.cancel(REGISTER_TIMER);
        return following();
      }
      case IGNORED_STALE -> ctx.getLog().debug("ignoring stale leader {}", m.leader());
      case SAME_LEADER -> { }
    }
    return same();
  }

  /**
   * The inbox for {@code leader}: a new one, or the one it had if the worker follows it again (e.g. after
   * {@code /leader} could not be read for a moment): the leader knows this worker by that ref, and takes another
   * for another process of the same worker id.
   */
  private ActorRef<Object> inboxFor(LeaderInfo leader) {
    String key = leader.epoch().value() + "/" + leader.sessionId();
    ActorRef<Object> known = inboxes.remove(key);
    if (known != null) {
      inboxes.put(key, known);
      return known;
    }
    // a random name: the ref is a capability only the leader it was sent to learns, not a path one can guess
    String name = "inbox-" + leader.epoch().value() + "-" + Long.toHexString(NAMES.nextLong() & Long.MAX_VALUE);
    ActorRef<Object> inbox = ctx.spawn(LeaderInbox.create(leader, delivered), name);
    inboxes.put(key, inbox);
    if (inboxes.size() > RETIRED_INBOXES + 1) {
      String oldest = inboxes.keySet().iterator().next();
      ctx.stop(inboxes.remove(oldest));
    }
    return inbox;
  }

  private Behavior<Command> resolve(Followed f) {
    CompletionStage<ActorRef<ToLeader>> stage;
    try {
      stage = resolver.resolve(f.leader());
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(stage, (ref, err) -> new GatewayResolved(f.leader(), ref, err));
    return resolving(f);
  }

  private Behavior<Command> onGatewayResolved(Followed f, GatewayResolved m) {
    if (!f.is(m.leader())) {
      return same();
    }
    if (m.error() != null) {
      ctx.getLog().info("cannot reach leader {} at {} yet: {}", f.leader().epoch(), f.leader().address(),
          m.error().toString());
      scheduleRegistration(f);
      return same();
    }
    askForRegistration(f);
    return registering(f, m.gateway());
  }

  // ---- registration: the runner answers with every report it holds (after its recovery)

  private void askForRegistration(Followed f) {
    runner.tell(new AttemptRunner.GetRegistrationReports(f.leader().sessionId(), registrationReports));
  }

  private Behavior<Command> onForRegistration(Followed f, ActorRef<ToLeader> gateway,
      AttemptRunner.RegistrationReports answer) {
    if (!answer.sessionId().equals(f.leader().sessionId()) || connection.isRegistered()) {
      return same();
    }
    running = answer.running();
    stopAcknowledged = false;   // a leader answers each registration's STOPPING anew
    registeredAs = mode;
    gateway.tell(new ToLeader.RegisterWorker(f.leader().epoch(), settings.info(), answer.reports(), f.inbox(),
        nanoClock.getAsLong(), mode));
    scheduleRegistration(f);
    return same();
  }

  private void scheduleRegistration(Followed f) {
    Duration delay = connection.nextRegistrationDelay(settings.heartbeatInterval(), settings.registrationBackoffMax());
    timers.startSingleTimer(REGISTER_TIMER, new RegisterTick(f.leader().sessionId()), delay);
  }

  // ---- the door: what a leader may say

  private Optional<ToWorker> admit(FromInbox m) {
    return door.admit(m.delivered(), connection, nanoClock.getAsLong());
  }

  /** An admitted message, in any state. */
  private Behavior<Command> obey(ToWorker msg) {
    if (msg instanceof ToWorker.HeartbeatAck h) {
      answered(h.epoch(), h.echoNanos());
    } else if (msg instanceof ToWorker.RegistrationRejected r) {
      ctx.getLog().warn("leader {} rejected registration: {}", r.epoch(), r.reason());
    } else if (msg instanceof ToWorker.StartAttempts s) {
      runner.tell(new AttemptRunner.Start(s.attempts()));
    } else if (msg instanceof ToWorker.KillAttempts k) {
      AttemptState reason = k.reason() != null ? k.reason() : AttemptState.CANCELLED;
      runner.tell(new AttemptRunner.Kill(k.keys(), reason, "killed by leader " + k.epoch()));
    } else if (msg instanceof ToWorker.AckReports a) {
      runner.tell(new AttemptRunner.Ack(a.acked()));
    } else if (msg instanceof ToWorker.FetchLog f) {
      runner.tell(new AttemptRunner.FetchLog(f));
    } else if (msg instanceof ToWorker.ForgetJobs f) {
      runner.tell(new AttemptRunner.Forget(f.jobIds()));
    } else if (msg instanceof ToWorker.SetMode s) {
      modeSetByLeader(s);
    }
    return same();
  }

  // ---- the mode: drained by an operator (through the leader), or stopping on the worker's own account

  private void onSetMode(SetMode m) {
    if (mode != m.mode()) {
      ctx.getLog().info("worker {} is now {}", workerId(), m.mode());
    }
    mode = m.mode();
    if (m.replyTo() != null) {
      m.replyTo().tell(mode);
    }
  }

  /**
   * An operator's drain or undrain (a stopping worker keeps stopping, whatever the leader says), or the leader's
   * answer to this worker's STOPPING: true for that answer, which needs no confirmation.
   */
  private boolean modeSetByLeader(ToWorker.SetMode s) {
    if (mode == WorkerMode.STOPPING || mode == WorkerMode.STOPPED) {
      if (s.mode() == WorkerMode.STOPPING) {
        stopAcknowledged = true;
        return true;
      }
      return false;
    }
    if (mode != s.mode()) {
      ctx.getLog().info("worker {} is now {} (set by leader {})", workerId(), s.mode(), s.epoch());
    }
    mode = s.mode();
    return false;
  }

  // ---- the lease

  /** The leader answered a message sent at {@code sentAtNanos}: the lease now reaches further; tell the runner. */
  private void answered(Epoch epoch, long sentAtNanos) {
    if (connection.answered(epoch, sentAtNanos)) {
      runner.tell(new AttemptRunner.LeaseRenewed(leaseDeadline()));
    }
  }

  private long leaseDeadline() {
    return connection.leaseDeadline(settings.heartbeatTimeout(), settings.leaseMargin());
  }

  private void fenceIfLeaseEnded() {
    long now = nanoClock.getAsLong();
    if (connection.mustSelfFence(now, running, settings.heartbeatTimeout(), settings.leaseMargin())) {
      runner.tell(new AttemptRunner.SelfFence(String.format(Locale.ROOT,
          "self-fenced: no heartbeat acknowledged by a leader for %.1fs",
          connection.unansweredFor(now).toMillis() / 1000.0)));
    }
  }

  // ---- status, behind what the followed leader's inbox holds and what the runner holds

  private Behavior<Command> onGetStatus(GetStatus m, Followed f) {
    StatusBehindInbox next = new StatusBehindInbox(m.replyTo());
    if (f == null) {
      ctx.getSelf().tell(next);
    } else {
      f.inboxRef().tell(new LeaderInbox.Relay<>(ctx.getSelf(), next));
    }
    return same();
  }

  private String workerId() {
    return settings.info().workerId();
  }
}
