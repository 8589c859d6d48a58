package io.baton.worker;

import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.wire.AttemptReport;
import io.baton.wire.WorkerInfo;
import io.baton.worker.connection.DefaultLeaderResolver;
import io.baton.worker.connection.LeaderLink;
import io.baton.worker.connection.LeaderResolver;
import io.baton.worker.execution.AttemptRunner;
import io.baton.worker.execution.Recovery;
import io.baton.worker.execution.TaskHandlers;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node agent, a thin guardian: it spawns the {@link AttemptRunner} (attempts, reports, logs, recovery) and
 * the {@link LeaderLink} (follow, register, heartbeat, self-fence; the only door for leader commands), answers
 * status requests, and stops when asked or when either child stops. See the package documentation for who talks
 * to whom.
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
   * Stops the agent as {@code kill -9} would: its processes keep running and its run records stay (tests only;
   * handler attempts are interrupted, as they would die with the JVM).
   */
  record Crash() implements Command {}

  private record LinkStatus(LeaderLink.Status status) implements Command {}

  /** How long the runner waits for what a previous life left to go, once killed. */
  static final Duration LEFTOVER_KILL_WAIT = Duration.ofSeconds(5);

  private final ActorContext<Command> ctx;
  private final String workerId;
  private final ActorRef<AttemptRunner.Command> runner;
  private final ActorRef<LeaderLink.Command> link;
  private final ActorRef<LeaderLink.Status> linkStatus;
  private final Deque<ActorRef<Status>> statusWaiting = new ArrayDeque<>();

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
    return create(settings.workerId(),
        AttemptRunner.create(runnerSettings(settings), handlers, recovery, clock, nanoClock),
        runner -> LeaderLink.create(linkSettings(settings), retrieval, resolver, runner, nanoClock));
  }

  /** The guardian of the two given children (tests replace either). */
  static Behavior<Command> create(String workerId, Behavior<AttemptRunner.Command> runner,
      Function<ActorRef<AttemptRunner.Command>, Behavior<LeaderLink.Command>> link) {
    return Behaviors.setup(ctx -> new WorkerAgent(ctx, workerId, runner, link).running());
  }

  static AttemptRunner.Settings runnerSettings(WorkerSettings s) {
    return new AttemptRunner.Settings(s.workerId(), s.dataDir(), s.heartbeatTimeout(), s.heartbeatInterval(),
        s.maxLogChunkBytes(), s.files());
  }

  static LeaderLink.Settings linkSettings(WorkerSettings s) {
    return new LeaderLink.Settings(new WorkerInfo(s.workerId(), s.host(), s.cpus(), s.memoryMb(), s.labels()),
        s.heartbeatInterval(), s.heartbeatTimeout(), s.leaseMargin(), s.registrationBackoffMax());
  }

  private WorkerAgent(ActorContext<Command> ctx, String workerId, Behavior<AttemptRunner.Command> runner,
      Function<ActorRef<AttemptRunner.Command>, Behavior<LeaderLink.Command>> link) {
    this.ctx = ctx;
    this.workerId = workerId;
    this.runner = ctx.spawn(runner, "runner");
    this.link = ctx.spawn(link.apply(this.runner), "link");
    ctx.watch(this.runner);
    ctx.watch(this.link);
    this.linkStatus = ctx.messageAdapter(LeaderLink.Status.class, LinkStatus::new);
    ctx.getLog().info("worker {} started", workerId);
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(LinkStatus.class, this::onLinkStatus)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onMessage(Crash.class, this::onCrash)
        .onSignal(Terminated.class, this::onChildStopped)
        .onSignal(PostStop.class, s -> {
          ctx.getLog().info("worker {} stopped", workerId);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    statusWaiting.add(m.replyTo());
    link.tell(new LeaderLink.GetStatus(linkStatus));
    return Behaviors.same();
  }

  private Behavior<Command> onLinkStatus(LinkStatus m) {
    LeaderLink.Status s = m.status();
    statusWaiting.remove().tell(new Status(s.newestEpoch(), s.leader(), s.registered(), s.runner().attempts(),
        s.runner().unackedReports()));
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
