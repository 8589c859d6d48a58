package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import io.baton.wire.WireLimits;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.ToWorker;
import io.baton.worker.execution.RunningAttempt.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs the worker's attempts: starts and kills them, enforces their timeouts, keeps their run records and the
 * {@link AttemptBook} of reports, answers log reads. It hears only from the leader link (which alone accepts
 * leader commands) and sends it report batches. It starts {@link #recovering}: until the {@link Recovery} of what
 * a previous life left has completed it stashes every command, the link's request for registration reports
 * included, so the first registration carries the restored reports. See the package documentation of
 * {@code io.baton.worker}.
 */
public final class AttemptRunner {

  public sealed interface Command {}

  /** Where report batches go from now on (the link, once, when it starts). */
  public record Attach(ActorRef<Reports> reportsTo) implements Command {}

  public record Start(List<AttemptSpec> attempts) implements Command {}

  /** Kill these attempts; each ends in {@code reason} with {@code message}. Unknown keys report nothing. */
  public record Kill(List<AttemptKey> keys, AttemptState reason, String message) implements Command {}

  public record Ack(List<ToWorker.Acked> acked) implements Command {}

  /** A log read, answered to the request's {@code replyTo}. */
  public record FetchLog(ToWorker.FetchLog request) implements Command {}

  /** The lease now ends at {@code deadlineNanos} (on the runner's nano clock): attempts may run until then. */
  public record LeaseRenewed(long deadlineNanos) implements Command {}

  /** The lease has ended: kill every running attempt, LOST with {@code message}. */
  public record SelfFence(String message) implements Command {}

  /**
   * The worker drains and its deadline has passed: kill every running attempt, LOST with {@code message}, so the
   * leader runs them again elsewhere at once (as for a lost worker, without waiting for the heartbeat timeout).
   */
  public record HandBack(String message) implements Command {}

  /** Heartbeat time: send the changes and the unacknowledged reports due for a resend. */
  public record ResendDue() implements Command {}

  /** Every known attempt's report, for a registration with the leader of {@code sessionId}. */
  public record GetRegistrationReports(String sessionId, ActorRef<RegistrationReports> replyTo) implements Command {}

  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** These jobs were deleted: delete their logs and work directories (not those of an attempt still kept). */
  public record Forget(List<String> jobIds) implements Command {}

  /** Stops as {@code kill -9} would: processes keep running, run records stay (tests). */
  public record Crash() implements Command {}

  /** A batch of changed reports and the number of attempts running after it. */
  public record Reports(List<AttemptReport> reports, int running) {}

  public record RegistrationReports(String sessionId, List<AttemptReport> reports, int running) {}

  public record Status(boolean recovering, List<AttemptReport> attempts, int unackedReports) {}

  private record Recovered(Leftovers.Result result, Throwable error) implements Command {}

  private record AttemptEnded(AttemptKey key, Outcome outcome) implements Command {}

  private record AttemptTimedOut(AttemptKey key, int seconds) implements Command {}

  private record Flush() implements Command {}

  private record TimeoutTimer(AttemptKey key) {}

  private record SweepFiles() implements Command {}

  private record FilesDone(String what, Throwable error) implements Command {}

  private static final Object SWEEP_TIMER = "sweep-files";

  /**
   * @param maxLease         the longest lease a guard accepts (the heartbeat timeout)
   * @param resendAfter      how long an unacknowledged report waits before it is sent again
   * @param maxLogChunkBytes largest log slice answered to one FetchLog
   */
  public record Settings(String workerId, Path dataDir, Duration maxLease, Duration resendAfter,
      int maxLogChunkBytes, FileRetention files) {}

  /** Commands stashed while recovering; more are dropped (logged): none is expected before registration. */
  static final int STASH_CAPACITY = 10_000;

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final Settings settings;
  private final Clock clock;
  private final LongSupplier nanoClock;
  private final ExecutorService handlerPool;
  private final AttemptPaths paths;
  private final Attempts attempts;
  private final AttemptBook book;
  private final AttemptFiles files;
  private ActorRef<Reports> reportsTo;
  private long leaseDeadline;
  private boolean flushQueued;
  private boolean crashed;

  public static Behavior<Command> create(Settings settings, TaskHandlers handlers, Recovery recovery, Clock clock,
      LongSupplier nanoClock) {
    return Behaviors.setup(ctx -> {
      AttemptGuard guard = AttemptGuard.install(settings.dataDir());
      return Behaviors.withTimers(timers -> Behaviors.withStash(STASH_CAPACITY, stash ->
          new AttemptRunner(ctx, timers, stash, settings, guard, handlers, clock, nanoClock).recover(recovery)));
    });
  }

  private AttemptRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      Settings settings, AttemptGuard guard, TaskHandlers handlers, Clock clock, LongSupplier nanoClock) {
    this.ctx = ctx;
    this.timers = timers;
    this.stash = stash;
    this.settings = settings;
    this.clock = clock;
    this.nanoClock = nanoClock;
    this.leaseDeadline = nanoClock.getAsLong(); // no lease until the link says so
    this.paths = new AttemptPaths(settings.dataDir());
    AtomicInteger threads = new AtomicInteger();
    this.handlerPool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "baton-handler-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.attempts = new Attempts(new AttemptLauncher(settings.workerId(), paths, guard, settings.maxLease(), handlers,
        handlerPool), ctx.getLog());
    this.book = attempts.book();
    this.files = new AttemptFiles(paths);
  }

  // ---- recovering: what a previous life left, before anything else

  private Behavior<Command> recover(Recovery recovery) {
    RunRecords store = new RunRecords(paths);
    CompletionStage<Leftovers.Result> stage;
    try {
      stage = recovery.recover(store, settings.workerId(), clock.instant());
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(stage, Recovered::new);
    return recovering(store);
  }

  private Behavior<Command> recovering(RunRecords store) {
    return Behaviors.receive(Command.class)
        .onMessage(Recovered.class, m -> onRecovered(m, store))
        .onMessage(Attach.class, this::onAttach)
        .onMessage(LeaseRenewed.class, this::onLeaseRenewed)
        .onMessage(SelfFence.class, m -> Behaviors.same()) // nothing runs yet
        .onMessage(HandBack.class, m -> Behaviors.same())  // nor here
        .onMessage(GetStatus.class, m -> onGetStatus(m, true))
        .onMessage(Crash.class, this::onCrash)
        .onMessage(Command.class, this::stashed)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> stashed(Command m) {
    if (stash.isFull()) {
      ctx.getLog().warn("still recovering: dropping {}", m.getClass().getSimpleName());
    } else {
      stash.stash(m);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRecovered(Recovered m, RunRecords store) {
    if (m.error() != null) {
      ctx.getLog().error("cannot account for what this worker's previous life left in {}; stopping",
          settings.dataDir(), m.error());
      return Behaviors.stopped();
    }
    attempts.recovered(m.result(), store);
    timers.startTimerWithFixedDelay(SWEEP_TIMER, new SweepFiles(), settings.files().every());
    return stash.unstashAll(running());
  }

  // ---- running

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Start.class, this::onStart)
        .onMessage(Kill.class, this::onKill)
        .onMessage(Ack.class, this::onAck)
        .onMessage(FetchLog.class, this::onFetchLog)
        .onMessage(LeaseRenewed.class, this::onLeaseRenewed)
        .onMessage(SelfFence.class, this::onSelfFence)
        .onMessage(HandBack.class, this::onHandBack)
        .onMessage(ResendDue.class, this::onResendDue)
        .onMessage(GetRegistrationReports.class, this::onGetRegistrationReports)
        .onMessage(GetStatus.class, m -> onGetStatus(m, false))
        .onMessage(Attach.class, this::onAttach)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(AttemptEnded.class, this::onAttemptEnded)
        .onMessage(AttemptTimedOut.class, this::onAttemptTimedOut)
        .onMessage(Forget.class, this::onForget)
        .onMessage(SweepFiles.class, this::onSweepFiles)
        .onMessage(FilesDone.class, this::onFilesDone)
        .onMessage(Crash.class, this::onCrash)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  // ---- files of finished jobs: deleted off the actor thread, never those of an attempt the book still holds

  private Set<String> keptJobs() {
    return AttemptFiles.onDisk(book.snapshot().stream().map(r -> r.key().jobId()).distinct().toList());
  }

  private Behavior<Command> onForget(Forget m) {
    Set<String> keep = keptJobs();
    ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> files.forget(m.jobIds(), keep), fileIo()),
        (n, err) -> new FilesDone(err == null ? "deleted the files of " + n + " deleted jobs" : "forget", err));
    return Behaviors.same();
  }

  private Behavior<Command> onSweepFiles(SweepFiles m) {
    Set<String> keep = keptJobs();
    FileRetention limits = settings.files();
    ctx.pipeToSelf(CompletableFuture.supplyAsync(
            () -> files.sweep(clock.instant(), limits.maxAge(), limits.maxBytes(), keep), fileIo()),
        (swept, err) -> new FilesDone(err != null ? "sweep" : swept.jobsDeleted() == 0 ? null
            : String.format("file sweep deleted the files of %d jobs (%.1f MB); %.1f MB kept", swept.jobsDeleted(),
                swept.bytesDeleted() / 1e6, swept.bytesKept() / 1e6), err));
    return Behaviors.same();
  }

  private Executor fileIo() {
    return ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
  }

  private Behavior<Command> onFilesDone(FilesDone m) {
    if (m.error() != null) {
      ctx.getLog().warn("could not delete old job files ({}): {}", m.what(), m.error().toString());
    } else if (m.what() != null) {
      ctx.getLog().info("{}", m.what());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAttach(Attach m) {
    reportsTo = m.reportsTo();
    return Behaviors.same();
  }

  private Behavior<Command> onLeaseRenewed(LeaseRenewed m) {
    leaseDeadline = m.deadlineNanos();
    attempts.renewLease(m.deadlineNanos());
    return Behaviors.same();
  }

  private Behavior<Command> onStart(Start m) {
    m.attempts().forEach(this::startAttempt);
    flush();
    return Behaviors.same();
  }

  private void startAttempt(AttemptSpec spec) {
    AttemptKey key = spec.key();
    attempts.start(spec, clock.instant(), nanoClock.getAsLong(), leaseDeadline).ifPresent(run -> {
      ctx.pipeToSelf(run.outcome(),
          (outcome, err) -> new AttemptEnded(key, outcome != null ? outcome : Outcome.error(String.valueOf(err))));
      int timeout = spec.task().timeoutSeconds();
      if (timeout > 0) {
        timers.startSingleTimer(new TimeoutTimer(key), new AttemptTimedOut(key, timeout), Duration.ofSeconds(timeout));
      }
    });
  }

  private Behavior<Command> onKill(Kill m) {
    m.keys().forEach(key -> attempts.kill(key, m.reason(), m.message()));
    return Behaviors.same();
  }

  private Behavior<Command> onSelfFence(SelfFence m) {
    int killed = attempts.killAllLost(m.message());
    if (killed > 0) {
      ctx.getLog().warn("{}: killing {} running attempts", m.message(), killed);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onHandBack(HandBack m) {
    int killed = attempts.killAllLost(m.message());
    if (killed > 0) {
      ctx.getLog().warn("{}: handing {} running attempts back to the leader", m.message(), killed);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAck(Ack m) {
    attempts.ack(m.acked());
    return Behaviors.same();
  }

  private Behavior<Command> onAttemptEnded(AttemptEnded m) {
    timers.cancel(new TimeoutTimer(m.key()));
    if (attempts.ended(m.key(), m.outcome(), clock.instant())) {
      queueFlush();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onAttemptTimedOut(AttemptTimedOut m) {
    attempts.kill(m.key(), AttemptState.TIMED_OUT, "timed out after " + m.seconds() + "s");
    return Behaviors.same();
  }

  // ---- reports

  /** Sends the changes made while handling the current message to the link. */
  private void flush() {
    if (book.hasChanges() && reportsTo != null) {
      reportsTo.tell(new Reports(book.drainChanged(clock.instant()), book.runningCount()));
    }
  }

  /** Flushes after the messages already queued, so a burst of attempt ends goes out as one batch. */
  private void queueFlush() {
    if (!flushQueued) {
      flushQueued = true;
      ctx.getSelf().tell(new Flush());
    }
  }

  private Behavior<Command> onFlush(Flush m) {
    flushQueued = false;
    flush();
    return Behaviors.same();
  }

  private Behavior<Command> onResendDue(ResendDue m) {
    if (reportsTo != null) {
      Instant now = clock.instant();
      List<AttemptReport> out = new ArrayList<>(book.drainChanged(now));
      out.addAll(book.dueForResend(now, settings.resendAfter()));
      if (!out.isEmpty()) {
        reportsTo.tell(new Reports(out, book.runningCount()));
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onGetRegistrationReports(GetRegistrationReports m) {
    m.replyTo().tell(new RegistrationReports(m.sessionId(), book.registrationReports(clock.instant(), WireLimits.MAX_PAYLOAD_BYTES_PER_MESSAGE),
        book.runningCount()));
    return Behaviors.same();
  }

  private Behavior<Command> onFetchLog(FetchLog m) {
    ToWorker.FetchLog f = m.request();
    try {
      f.replyTo().tell(LogReader.chunk(paths.logFile(f.key()), f, settings.maxLogChunkBytes(), book.knows(f.key())));
    } catch (IOException e) {
      ctx.getLog().warn("cannot read log of {}: {}", f.key(), e.toString());
      f.replyTo().tell(new LogChunk(f.key(), book.knows(f.key()), new byte[0], 0, true));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onGetStatus(GetStatus m, boolean recovering) {
    m.replyTo().tell(new Status(recovering, book.snapshot(), book.unackedCount()));
    return Behaviors.same();
  }

  // ---- stopping

  private Behavior<Command> onCrash(Crash m) {
    crashed = true;
    return Behaviors.stopped();
  }

  private Behavior<Command> onPostStop() {
    try {
      if (crashed) {
        attempts.crash();
      } else {
        attempts.stop(clock.instant());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    handlerPool.shutdownNow();
    return Behaviors.same();
  }
}
