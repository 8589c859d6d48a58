package io.baton.worker;

import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.RejectionLog;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WireLimits;
import io.baton.wire.WorkerInfo;
import io.baton.worker.connection.DefaultLeaderResolver;
import io.baton.worker.connection.LeaderConnection;
import io.baton.worker.connection.LeaderResolver;
import io.baton.worker.execution.AttemptBook;
import io.baton.worker.execution.AttemptGuard;
import io.baton.worker.execution.AttemptLauncher;
import io.baton.worker.execution.AttemptPaths;
import io.baton.worker.execution.Leftovers;
import io.baton.worker.execution.LogReader;
import io.baton.worker.execution.RunRecord;
import io.baton.worker.execution.RunRecordWriter;
import io.baton.worker.execution.RunRecords;
import io.baton.worker.execution.RunningAttempt.Outcome;
import io.baton.worker.execution.RunningAttempt;
import io.baton.worker.execution.TaskHandlers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node agent: follows the published leader, registers with its gateway, heartbeats, runs attempts and
 * reports their states until acknowledged, fences itself off when no leader is heard for too long.
 * See the package documentation for who talks to whom.
 */
public final class WorkerAgent extends AbstractBehavior<WorkerAgent.Command> {

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

  private record LeaderChanged(Optional<LeaderInfo> leader) implements Command {}

  private record RetrievalFailed(Throwable error) implements Command {}

  private record GatewayResolved(LeaderInfo leader, ActorRef<ToLeader> gateway, Throwable error)
      implements Command {}

  private record FromLeader(ToWorker message) implements Command {}

  private record HeartbeatTick() implements Command {}

  private record RegisterTick(String sessionId) implements Command {}

  private record Flush() implements Command {}

  private record AttemptEnded(AttemptKey key, Outcome outcome) implements Command {}

  private record AttemptTimedOut(AttemptKey key, int seconds) implements Command {}

  private record TimeoutTimer(AttemptKey key) {}

  private static final Object HEARTBEAT_TIMER = "heartbeat";
  private static final Object REGISTER_TIMER = "register";
  private static final Duration LEFTOVER_KILL_WAIT = Duration.ofSeconds(5);

  private final WorkerSettings settings;
  private final LeaderRetrieval retrieval;
  private final LeaderResolver resolver;
  private final TimerScheduler<Command> timers;
  private final ExecutorService handlerPool;
  private final AttemptLauncher launcher;
  private final AttemptPaths paths;
  private final RunRecordWriter runRecords;
  private final Clock clock;
  private final LongSupplier nanoClock;
  private final AttemptBook book = new AttemptBook();
  private final LeaderConnection connection;
  private final RejectionLog rejections = new RejectionLog(Duration.ofSeconds(10));
  private final Map<AttemptKey, RunningAttempt> runs = new HashMap<>();
  private final ActorRef<ToWorker> inbox;
  private final WorkerInfo info;
  private ActorRef<ToLeader> gateway;
  /** The capability of the registration with the followed leader (0 before one). */
  private long token;
  private boolean flushQueued;
  private boolean crashed;

  /** A worker with the default gateway resolver and the handlers found on the class path. */
  public static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval) {
    return Behaviors.setup(ctx -> {
      LeaderResolver resolver = new DefaultLeaderResolver(ctx.getSystem(), settings.resolveTimeout());
      return start(ctx, settings, retrieval, resolver, TaskHandlers.load());
    });
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
    return Behaviors.setup(ctx -> start(ctx, settings, retrieval, resolver, handlers));
  }

  /**
   * A worker on the given time (tests on {@code ManualTime} move both with the timers): {@code clock} stamps
   * reports, {@code nanoClock} measures leases. Command attempts need {@link System#nanoTime}: their attempt
   * guards compare the lease deadline with that clock.
   */
  static Behavior<Command> create(WorkerSettings settings, LeaderRetrieval retrieval, LeaderResolver resolver,
      TaskHandlers handlers, Clock clock, LongSupplier nanoClock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WorkerAgent(ctx, timers, settings, retrieval, resolver, handlers, clock, nanoClock)));
  }

  private static Behavior<Command> start(ActorContext<Command> ctx, WorkerSettings settings,
      LeaderRetrieval retrieval, LeaderResolver resolver, TaskHandlers handlers) {
    return Behaviors.withTimers(timers -> new WorkerAgent(ctx, timers, settings, retrieval, resolver, handlers,
        Clock.systemUTC(), System::nanoTime));
  }

  private WorkerAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, WorkerSettings settings,
      LeaderRetrieval retrieval, LeaderResolver resolver, TaskHandlers handlers, Clock clock, LongSupplier nanoClock)
      throws Exception {
    super(ctx);
    this.clock = clock;
    this.nanoClock = nanoClock;
    this.connection = new LeaderConnection(nanoClock.getAsLong());
    this.settings = settings;
    this.retrieval = retrieval;
    this.resolver = resolver;
    this.timers = timers;
    this.paths = new AttemptPaths(settings.dataDir());
    AtomicInteger threads = new AtomicInteger();
    this.handlerPool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "baton-handler-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.launcher = new AttemptLauncher(settings.workerId(), paths, AttemptGuard.install(settings.dataDir()),
        settings.heartbeatTimeout(), handlers, handlerPool);
    this.runRecords = reapLeftovers(new RunRecords(paths));
    this.inbox = ctx.messageAdapter(ToWorker.class, FromLeader::new);
    this.info = new WorkerInfo(settings.workerId(), settings.host(), settings.cpus(), settings.memoryMb(),
        settings.labels());
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
    ctx.getLog().info("worker {} started: {} cpus, {} MB, labels {}, data in {}", settings.workerId(),
        settings.cpus(), settings.memoryMb(), settings.labels(), settings.dataDir());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(LeaderChanged.class, this::onLeaderChanged)
        .onMessage(RetrievalFailed.class, this::onRetrievalFailed)
        .onMessage(GatewayResolved.class, this::onGatewayResolved)
        .onMessage(RegisterTick.class, this::onRegisterTick)
        .onMessage(FromLeader.class, this::onFromLeader)
        .onMessage(HeartbeatTick.class, this::onHeartbeatTick)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(AttemptEnded.class, this::onAttemptEnded)
        .onMessage(AttemptTimedOut.class, this::onAttemptTimedOut)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onMessage(Crash.class, this::onCrash)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- leader connection

  private Behavior<Command> onLeaderChanged(LeaderChanged m) {
    switch (connection.leaderPublished(m.leader())) {
      case NEW_LEADER -> {
        LeaderInfo leader = connection.leader().orElseThrow();
        getContext().getLog().info("following leader {} at {}", leader.epoch(), leader.address());
        gateway = null;
        token = 0;
        resolveGateway(leader);
      }
      case NO_LEADER -> {
        getContext().getLog().info("no leader published");
        gateway = null;
        timers.cancel(REGISTER_TIMER);
      }
      case IGNORED_STALE -> getContext().getLog().debug("ignoring stale leader {}", m.leader());
      case SAME_LEADER -> { }
    }
    return this;
  }

  private Behavior<Command> onRetrievalFailed(RetrievalFailed m) {
    getContext().getLog().error("leader retrieval failed; this worker cannot follow leaders any more", m.error());
    return this;
  }

  private void resolveGateway(LeaderInfo leader) {
    CompletionStage<ActorRef<ToLeader>> stage;
    try {
      stage = resolver.resolve(leader);
    } catch (RuntimeException e) {
      stage = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(stage, (ref, err) -> new GatewayResolved(leader, ref, err));
  }

  private Behavior<Command> onGatewayResolved(GatewayResolved m) {
    if (!isCurrent(m.leader())) {
      return this;
    }
    if (m.error() != null) {
      getContext().getLog().info("cannot reach leader {} at {} yet: {}", m.leader().epoch(), m.leader().address(),
          m.error().toString());
      scheduleRegistration(m.leader());
      return this;
    }
    gateway = m.gateway();
    register();
    return this;
  }

  private Behavior<Command> onRegisterTick(RegisterTick m) {
    Optional<LeaderInfo> leader = connection.leader();
    if (leader.isEmpty() || !leader.get().sessionId().equals(m.sessionId()) || connection.isRegistered()) {
      return this;
    }
    if (gateway == null) {
      resolveGateway(leader.get());
    } else {
      register();
    }
    return this;
  }

  private void register() {
    LeaderInfo leader = connection.leader().orElse(null);
    if (leader == null || gateway == null) {
      return;
    }
    List<AttemptReport> reports = book.registrationReports(clock.instant());
    gateway.tell(new ToLeader.RegisterWorker(leader.epoch(), info, reports, inbox, nanoClock.getAsLong()));
    scheduleRegistration(leader);
  }

  private void scheduleRegistration(LeaderInfo leader) {
    Duration delay = connection.nextRegistrationDelay(settings.heartbeatInterval(), settings.registrationBackoffMax());
    timers.startSingleTimer(REGISTER_TIMER, new RegisterTick(leader.sessionId()), delay);
  }

  private boolean isCurrent(LeaderInfo leader) {
    return connection.leader().map(l -> l.sessionId().equals(leader.sessionId()) && l.epoch().equals(leader.epoch()))
        .orElse(false);
  }

  private Behavior<Command> onFromLeader(FromLeader m) {
    ToWorker msg = m.message();
    if (!connection.accept(msg.epoch())) {
      rejected(msg);
      return this;
    }
    if (msg instanceof ToWorker.RegistrationAccepted a) {
      if (connection.registrationAccepted(a.epoch())) {
        token = a.token();
        timers.cancel(REGISTER_TIMER);
        getContext().getLog().info("registered with leader {}", a.epoch());
      }
      answered(a.epoch(), a.echoNanos());
    } else if (msg instanceof ToWorker.HeartbeatAck h) {
      answered(h.epoch(), h.echoNanos());
    } else if (msg instanceof ToWorker.RegistrationRejected r) {
      getContext().getLog().warn("leader {} rejected registration: {}", r.epoch(), r.reason());
    } else if (msg instanceof ToWorker.NotRegistered) {
      connection.unregistered();
      register();
    } else if (msg instanceof ToWorker.StartAttempts s) {
      s.attempts().forEach(this::startAttempt);
    } else if (msg instanceof ToWorker.KillAttempts k) {
      for (AttemptKey key : k.keys()) {
        kill(key, k.reason() != null ? k.reason() : AttemptState.CANCELLED, "killed by leader " + k.epoch());
      }
    } else if (msg instanceof ToWorker.AckReports a) {
      for (ToWorker.Acked acked : a.acked()) {
        boolean known = book.knows(acked.key());
        book.ack(acked.key(), acked.state());
        if (known && !book.knows(acked.key())) {
          runRecords.delete(acked.key());
        }
      }
    } else if (msg instanceof ToWorker.FetchLog f) {
      f.replyTo().tell(readLog(f));
    }
    flush();
    return this;
  }

  /**
   * A message not of the followed leader's epoch: from a deposed leader (normal after a failover) or from a peer
   * claiming an epoch the leader record does not show. Logged rate-limited; the sender is known only as far as
   * the message names it (Artery does not tell an actor which connection delivered a message).
   */
  private void rejected(ToWorker msg) {
    boolean stale = msg.epoch().compareTo(connection.epoch()) < 0;
    Optional<LeaderInfo> leader = connection.leader();
    if (stale && leader.isPresent()) {
      getContext().getLog().debug("ignoring {} from deposed {} (following {})", msg.getClass().getSimpleName(),
          msg.epoch(), leader.get().epoch());
      return;
    }
    rejections.admit(nanoClock.getAsLong()).ifPresent(left -> getContext().getLog().warn(
        "rejected {} of {} from {}: following {} ({} more rejected since the last of these lines)",
        msg.getClass().getSimpleName(), msg.epoch(), senderOf(msg),
        leader.map(l -> l.epoch() + " at " + l.address()).orElse("no leader"), left));
  }

  private static String senderOf(ToWorker msg) {
    return msg instanceof ToWorker.FetchLog f ? "a peer asking for replies at " + f.replyTo().path().address()
        : "a peer (" + msg.getClass().getSimpleName() + " names no sender)";
  }

  /** The leader answered a message sent at {@code sentAtNanos}: the lease now reaches further; tell the guards. */
  private void answered(Epoch epoch, long sentAtNanos) {
    if (connection.answered(epoch, sentAtNanos)) {
      long deadline = leaseDeadline();
      runs.values().forEach(run -> run.renewLease(deadline));
    }
  }

  private long leaseDeadline() {
    return connection.leaseDeadline(settings.heartbeatTimeout(), settings.leaseMargin());
  }

  private Behavior<Command> onHeartbeatTick(HeartbeatTick m) {
    long now = nanoClock.getAsLong();
    int running = book.runningCount();
    if (connection.mustSelfFence(now, running, settings.heartbeatTimeout(), settings.leaseMargin())) {
      String message = String.format(Locale.ROOT, "self-fenced: no heartbeat acknowledged by a leader for %.1fs",
          connection.unansweredFor(now).toMillis() / 1000.0);
      List<AttemptKey> killed = new ArrayList<>();
      for (AttemptKey key : book.runningKeys()) {
        if (kill(key, AttemptState.LOST, message)) {
          killed.add(key);
        }
      }
      if (!killed.isEmpty()) {
        getContext().getLog().warn("{}: killing {} running attempts", message, killed.size());
      }
    }
    if (connection.isRegistered() && gateway != null) {
      Epoch epoch = connection.epoch();
      gateway.tell(new ToLeader.Heartbeat(epoch, settings.workerId(), running, inbox, nanoClock.getAsLong(), token));
      flush();
      List<AttemptReport> resend = book.dueForResend(clock.instant(), settings.heartbeatInterval());
      if (!resend.isEmpty()) {
        gateway.tell(new ToLeader.Reports(epoch, settings.workerId(), resend, token));
      }
    }
    return this;
  }

  // ---- attempts

  private void startAttempt(AttemptSpec spec) {
    AttemptKey key = spec.key();
    if (book.knows(key)) {
      book.rereport(key);
      return;
    }
    Instant now = clock.instant();
    if (nanoClock.getAsLong() - leaseDeadline() >= 0) {
      // e.g. a start that waited in the socket while this worker was frozen: the leader may have given the
      // attempt up (LOST) and placed its retry already; starting it now could run the task twice
      book.restored(new AttemptReport(key, AttemptState.LOST, null, null, now,
          "not started: this worker's lease had ended (no leader answered it in time)"));
      getContext().getLog().warn("not starting {}: this worker's lease has ended", key);
      queueFlush();
      return;
    }
    book.started(key, now);
    if (!spec.task().isHandler()) {
      // on disk before the process can exist: a restart then knows of every process this worker may have started
      try {
        runRecords.writeNow(RunRecord.running(key, now, Optional.empty()));
      } catch (IOException e) {
        getContext().getLog().warn("cannot write the run record of {}; not starting it: {}", key, e.toString());
        book.ended(key, now, null, "the worker cannot write its run record: " + e.getMessage());
        queueFlush();
        return;
      }
    }
    RunningAttempt run = launcher.start(key, spec.task(), leaseDeadline());
    runs.put(key, run);
    runRecords.put(RunRecord.running(key, now, run.process()));
    getContext().pipeToSelf(run.outcome(),
        (outcome, err) -> new AttemptEnded(key, outcome != null ? outcome : Outcome.error(String.valueOf(err))));
    int timeout = spec.task().timeoutSeconds();
    if (timeout > 0) {
      timers.startSingleTimer(new TimeoutTimer(key), new AttemptTimedOut(key, timeout), Duration.ofSeconds(timeout));
    }
  }

  private boolean kill(AttemptKey key, AttemptState reason, String message) {
    if (!book.killRequested(key, reason, message)) {
      return false;
    }
    RunningAttempt run = runs.get(key);
    if (run != null) {
      run.kill();
    }
    return true;
  }

  private Behavior<Command> onAttemptEnded(AttemptEnded m) {
    runs.remove(m.key());
    timers.cancel(new TimeoutTimer(m.key()));
    if (m.outcome().lost()) {
      book.killRequested(m.key(), AttemptState.LOST, m.outcome().error());
    }
    if (book.ended(m.key(), clock.instant(), m.outcome().exitCode(), m.outcome().error())) {
      book.report(m.key()).ifPresent(r -> runRecords.put(RunRecord.ended(r)));
      queueFlush();
    }
    return this;
  }

  private Behavior<Command> onAttemptTimedOut(AttemptTimedOut m) {
    kill(m.key(), AttemptState.TIMED_OUT, "timed out after " + m.seconds() + "s");
    return this;
  }

  // ---- run records: what a restarted worker must account for

  /** Kills what a previous life of this worker left running and books its attempts, before any registration. */
  private RunRecordWriter reapLeftovers(RunRecords store) throws IOException, InterruptedException {
    Leftovers.Result result = Leftovers.reap(store, settings.workerId(), clock.instant(), LEFTOVER_KILL_WAIT);
    result.problems().forEach(p -> getContext().getLog().warn("restart: {}", p));
    for (AttemptReport r : result.reports()) {
      book.restored(r);
      getContext().getLog().info("restart: {} {} ({})", r.key(), r.state(), r.message());
    }
    return new RunRecordWriter(store, result.reports().stream().map(AttemptReport::key).toList());
  }

  // ---- reports

  /** Sends the changes made while handling the current message, if a leader is there to hear them. */
  private void flush() {
    if (book.hasChanges() && connection.isRegistered() && gateway != null) {
      List<AttemptReport> reports = book.drainChanged(clock.instant());
      gateway.tell(new ToLeader.Reports(connection.epoch(), settings.workerId(), reports, token));
    }
  }

  /** Flushes after the messages already queued, so a burst of attempt ends goes out as one Reports. */
  private void queueFlush() {
    if (!flushQueued) {
      flushQueued = true;
      getContext().getSelf().tell(new Flush());
    }
  }

  private Behavior<Command> onFlush(Flush m) {
    flushQueued = false;
    flush();
    return this;
  }

  private LogChunk readLog(ToWorker.FetchLog f) {
    // maxBytes is the sender's claim: never read (and allocate) more than our setting and the wire limit allow
    int max = Math.max(0, Math.min(f.maxBytes(), Math.min(settings.maxLogChunkBytes(), WireLimits.MAX_LOG_CHUNK_BYTES)));
    try {
      Optional<LogReader.Slice> slice = LogReader.read(paths.logFile(f.key()), f.offset(), max);
      if (slice.isPresent()) {
        LogReader.Slice s = slice.get();
        return new LogChunk(f.key(), true, s.data(), s.nextOffset(), s.eof());
      }
    } catch (IOException e) {
      getContext().getLog().warn("cannot read log of {}: {}", f.key(), e.toString());
    }
    return book.knows(f.key())
        ? new LogChunk(f.key(), true, new byte[0], 0, true)
        : new LogChunk(f.key(), false, new byte[0], 0, true);
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    m.replyTo().tell(new Status(connection.newestEpoch(), connection.leader(), connection.isRegistered(),
        book.snapshot(), book.unackedCount()));
    return this;
  }

  private Behavior<Command> onCrash(Crash m) {
    crashed = true;
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    if (!crashed) {
      Instant now = clock.instant();
      for (Map.Entry<AttemptKey, RunningAttempt> e : runs.entrySet()) {
        e.getValue().kill();
        Instant startedAt = book.report(e.getKey()).map(AttemptReport::startedAt).orElse(null);
        runRecords.put(RunRecord.ended(new AttemptReport(e.getKey(), AttemptState.LOST, null, startedAt, now,
            "worker stopped; attempt killed")));
      }
    }
    runs.clear();
    try {
      if (crashed) {
        runRecords.abandon();
      } else {
        runRecords.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handlerPool.shutdownNow();
    retrieval.close();
    getContext().getLog().info("worker {} stopped", settings.workerId());
    return this;
  }
}
