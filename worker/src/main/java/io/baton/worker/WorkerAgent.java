package io.baton.worker;

import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.wire.AttemptReport;
import io.baton.wire.WorkerInfo;
import io.baton.wire.WorkerMode;
import io.baton.worker.connection.DefaultLeaderResolver;
import io.baton.worker.connection.LeaderLink;
import io.baton.worker.connection.LeaderResolver;
import io.baton.worker.execution.AttemptRunner;
import io.baton.worker.execution.Recovery;
import io.baton.worker.execution.TaskHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node agent, a thin guardian: it spawns the {@link AttemptRunner} (attempts, reports, logs, recovery) and
 * the {@link LeaderLink} (follow, register, heartbeat, self-fence; the only door for leader commands), answers
 * status requests, and stops when asked or when either child stops. See the package documentation for who talks
 * to whom.
 *
 * <p>A {@link Drain} (SIGTERM) takes it to {@link #draining}: the link says STOPPING to the leader (which places
 * nothing new here), the running attempts go on; once none runs and every report is acknowledged the link says
 * STOPPED (the leader counts the worker gone at once), the agent answers {@link Drained} and stops. Past the
 * deadline it hands what still runs back (killed, reported LOST: the leader runs them again elsewhere at once) and
 * waits for the acknowledgements at most {@code ackGrace} more: what is still unacknowledged then stays in the run
 * records, which the next start of this worker reports.
 */
public final class WorkerAgent {

  public sealed interface Command {}

  /** Asks for the worker's current view (for tests, the CLI and diagnostics). */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  public record Status(Epoch newestEpoch, Optional<LeaderInfo> leader, boolean registered,
      List<AttemptReport> attempts, int unackedReports) {}

  /** Kills every running attempt and stops the agent (the same happens when the agent stops otherwise). */
  public record Stop() implements Command {}

  /**
   * Stop taking attempts, let the running ones finish for up to {@code deadline}, hand back the rest, then stop;
   * {@code replyTo} hears {@link Drained} just before the agent stops. A second Drain only adds its reply.
   */
  public record Drain(Duration deadline, ActorRef<Drained> replyTo) implements Command {}

  /**
   * The drain is over: {@code handedBack} attempts were killed at the deadline and given back to the leader;
   * {@code unacknowledged} reports were never acknowledged (no leader answered in time).
   */
  public record Drained(int handedBack, int unacknowledged) {}

  private record DrainCheck() implements Command {}

  private record DrainStatus(LeaderLink.Status status) implements Command {}

  private record DrainDeadline(Duration deadline) implements Command {}

  private record DrainGiveUp() implements Command {}

  private record StoppedSaid(WorkerMode mode) implements Command {}

  /**
   * Stops the agent as {@code kill -9} would: its processes keep running and its run records stay (tests only;
   * handler attempts are interrupted, as they would die with the JVM).
   */
  record Crash() implements Command {}

  private record LinkStatus(LeaderLink.Status status) implements Command {}

  /** How long the runner waits for what a previous life left to go, once killed. */
  static final Duration LEFTOVER_KILL_WAIT = Duration.ofSeconds(5);

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Duration checkEvery;
  private final Duration ackGrace;
  private final String workerId;
  private final ActorRef<AttemptRunner.Command> runner;
  private final ActorRef<LeaderLink.Command> link;
  private final ActorRef<LeaderLink.Status> linkStatus;
  private final ActorRef<WorkerMode> modeSaid;
  /** Who waits for the link's status, in the order asked (the link answers in order). */
  private final Deque<Consumer<LeaderLink.Status>> statusWaiting = new ArrayDeque<>();

  /** A worker with the default gateway resolver and the handlers found on the class path. */
  public static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval) {
    return Behaviors.setup(ctx -> create(settings, retrieval,
        new DefaultLeaderResolver(ctx.getSystem(), settings.resolveTimeout()), TaskHandlers.load()));
  }

  public static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval, LeaderResolver resolver) {
    return create(settings, retrieval, resolver, TaskHandlers.load());
  }

  /**
   * A worker. It starts {@code retrieval} and closes it when it stops; it kills its running attempts when it
   * stops.
   */
  public static Behavior<Command> create(
      WorkerSettings settings, LeaderRetrieval retrieval, LeaderResolver resolver, TaskHandlers handlers) {
    return create(settings, retrieval, resolver, handlers, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * A worker on the given time (tests on {@code ManualTime} move both with the timers): {@code clock} stamps
   * reports, {@code nanoClock} measures leases. Command attempts need {@link System#nanoTime}: their attempt
   * guards compare the lease deadline with that clock.
   */
  static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval, LeaderResolver resolver,
      TaskHandlers handlers, Clock clock, LongSupplier nanoClock) {
    return create(settings, retrieval, resolver, handlers, clock, nanoClock, Recovery.reaping(LEFTOVER_KILL_WAIT));
  }

  /** As above, with the recovery of what a previous life left replaced (tests). */
  static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval, LeaderResolver resolver,
      TaskHandlers handlers, Clock clock, LongSupplier nanoClock, Recovery recovery) {
    return create(settings.workerId(), settings.heartbeatInterval(), settings.heartbeatTimeout(),
        AttemptRunner.create(runnerSettings(settings), handlers, recovery, clock, nanoClock),
        runner -> LeaderLink.create(linkSettings(settings), retrieval, resolver, runner, nanoClock));
  }

  /** The guardian of the two given children (tests replace either). */
  static Behavior<Command> create(String workerId, Behavior<AttemptRunner.Command> runner,
      Function<ActorRef<AttemptRunner.Command>, Behavior<LeaderLink.Command>> link) {
    return create(workerId, Duration.ofSeconds(1), Duration.ofSeconds(10), runner, link);
  }

  /**
   * The guardian of the two given children; a drain checks every {@code checkEvery} whether it is done, and waits
   * for acknowledgements at most {@code ackGrace} past its deadline.
   */
  static Behavior<Command> create(String workerId, Duration checkEvery, Duration ackGrace,
      Behavior<AttemptRunner.Command> runner, Function<ActorRef<AttemptRunner.Command>, Behavior<LeaderLink.Command>> link) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WorkerAgent(ctx, timers, checkEvery, ackGrace, workerId, runner, link).running()));
  }

  static AttemptRunner.Settings runnerSettings(WorkerSettings s) {
    return new AttemptRunner.Settings(s.workerId(), s.dataDir(), s.heartbeatTimeout(), s.heartbeatInterval(),
        s.maxLogChunkBytes(), s.files());
  }

  static LeaderLink.Settings linkSettings(WorkerSettings s) {
    return new LeaderLink.Settings(new WorkerInfo(s.workerId(), s.host(), s.cpus(), s.memoryMb(), s.labels()),
        s.heartbeatInterval(), s.heartbeatTimeout(), s.leaseMargin(), s.registrationBackoffMax());
  }

  private WorkerAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, Duration checkEvery,
      Duration ackGrace, String workerId, Behavior<AttemptRunner.Command> runner,
      Function<ActorRef<AttemptRunner.Command>, Behavior<LeaderLink.Command>> link) {
    this.ctx = ctx;
    this.timers = timers;
    this.checkEvery = checkEvery;
    this.ackGrace = ackGrace;
    this.workerId = workerId;
    this.runner = ctx.spawn(runner, "runner");
    this.link = ctx.spawn(link.apply(this.runner), "link");
    ctx.watch(this.runner);
    ctx.watch(this.link);
    this.linkStatus = ctx.messageAdapter(LeaderLink.Status.class, LinkStatus::new);
    this.modeSaid = ctx.messageAdapter(WorkerMode.class, StoppedSaid::new);
    ctx.getLog().info("worker {} started", workerId);
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(LinkStatus.class, this::onLinkStatus)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onMessage(Crash.class, this::onCrash)
        .onMessage(Drain.class, this::onDrain)
        .onSignal(Terminated.class, this::onChildStopped)
        .onSignal(PostStop.class, s -> {
          ctx.getLog().info("worker {} stopped", workerId);
          return Behaviors.same();
        })
        .build();
  }

  // ---- draining (SIGTERM): no new attempts, the running ones finish or are handed back, then stop

  /** Where a drain stands. */
  private static final class Draining {
    final List<ActorRef<Drained>> replies = new ArrayList<>();
    boolean finishing;
    int handedBack;
    int unacknowledged;
  }

  private Behavior<Command> onDrain(Drain m) {
    Draining d = new Draining();
    d.replies.add(m.replyTo());
    ctx.getLog().info("worker {} drains: no new attempts; the running ones have {} s to finish", workerId,
        m.deadline().toSeconds());
    link.tell(new LeaderLink.SetMode(WorkerMode.STOPPING, null));
    timers.startSingleTimer(new DrainDeadline(m.deadline()), m.deadline());
    timers.startTimerWithFixedDelay(new DrainCheck(), checkEvery);
    ctx.getSelf().tell(new DrainCheck());
    return draining(d);
  }

  private Behavior<Command> draining(Draining d) {
    return Behaviors.receive(Command.class)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(LinkStatus.class, this::onLinkStatus)
        .onMessage(Drain.class, m -> {
          d.replies.add(m.replyTo());
          return Behaviors.same();
        })
        .onMessage(DrainCheck.class, m -> askLink(s -> onDrainStatus(d, s)))
        .onMessage(DrainDeadline.class, m -> {
          timers.startSingleTimer(new DrainGiveUp(), ackGrace);
          return askLink(s -> handBack(d, s, m.deadline()));
        })
        .onMessage(DrainGiveUp.class, m -> finishDrain(d))
        .onMessage(StoppedSaid.class, m -> {
          d.replies.forEach(r -> r.tell(new Drained(d.handedBack, d.unacknowledged)));
          ctx.getLog().info("worker {} drained ({} attempts handed back, {} reports unacknowledged); stopping",
              workerId, d.handedBack, d.unacknowledged);
          return Behaviors.stopped();
        })
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onMessage(Crash.class, this::onCrash)
        .onSignal(Terminated.class, this::onChildStopped)
        .onSignal(PostStop.class, s -> {
          ctx.getLog().info("worker {} stopped", workerId);
          return Behaviors.same();
        })
        .build();
  }

  private void onDrainStatus(Draining d, LeaderLink.Status s) {
    d.unacknowledged = s.runner().unackedReports();
    // nothing runs, the leader has recorded every result, and (if one is followed) no start can still arrive
    if (!s.runner().recovering() && s.runner().attempts().isEmpty() && (s.stopAcknowledged() || !s.registered())) {
      finishDrain(d);
    }
  }

  private void handBack(Draining d, LeaderLink.Status s, Duration deadline) {
    d.handedBack = (int) s.runner().attempts().stream().filter(r -> !r.state().isTerminal()).count();
    runner.tell(new AttemptRunner.HandBack("worker " + workerId + " was still draining at its deadline of "
        + deadline.toSeconds() + " s: handed back to the leader"));
  }

  private Behavior<Command> finishDrain(Draining d) {
    if (!d.finishing) {
      d.finishing = true;
      timers.cancelAll();
      if (d.unacknowledged > 0) {
        ctx.getLog().warn("worker {}: {} reports still unacknowledged; they stay in the run records for the next "
            + "start of this worker", workerId, d.unacknowledged);
      }
      link.tell(new LeaderLink.SetMode(WorkerMode.STOPPED, modeSaid));
    }
    return Behaviors.same();
  }

  /** Asks the link for its status (behind what the leader's inbox and the runner hold) and hands it to {@code then}. */
  private Behavior<Command> askLink(Consumer<LeaderLink.Status> then) {
    statusWaiting.add(then);
    link.tell(new LeaderLink.GetStatus(linkStatus));
    return Behaviors.same();
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    return askLink(s -> m.replyTo().tell(new Status(s.newestEpoch(), s.leader(), s.registered(), s.runner().attempts(),
        s.runner().unackedReports())));
  }

  private Behavior<Command> onLinkStatus(LinkStatus m) {
    statusWaiting.remove().accept(m.status());
    return Behaviors.same();
  }

  /** The runner stops as the process would die (leaving its processes and records); the agent follows it. */
  private Behavior<Command> onCrash(Crash m) {
    runner.tell(new AttemptRunner.Crash());
    return Behaviors.same();
  }

  /** Either child stopped (a crash, or a failure it cannot recover from): the worker stops. */
  private Behavior<Command> onChildStopped(Terminated t) {
    ctx.getLog().info("worker {}: {} stopped", workerId, t.getRef().path().name());
    return Behaviors.stopped();
  }
}
