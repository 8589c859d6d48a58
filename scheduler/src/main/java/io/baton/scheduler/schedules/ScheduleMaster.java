package io.baton.scheduler.schedules;

import io.baton.ha.JobStore;
import io.baton.ha.ScheduleStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.schedule.CronTimes;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleRecord;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.MasterApi.ScheduleChange;
import io.baton.scheduler.api.ScheduleView;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.ScheduleView.FireView;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobsView;
import io.baton.scheduler.model.ScheduleLogic;
import io.baton.scheduler.model.ScheduleLogic.Fire;
import io.baton.scheduler.model.ScheduleState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs the schedules for one leader epoch: loads them with their recorded fires, wakes at each schedule's next
 * fire (one timer, for the earliest), asks {@link ScheduleLogic} what is due and submits each fire's job through the
 * {@link Dispatcher} ({@code SubmitFires}: the fire is recorded in the transaction that creates its job, so a fire
 * submitted by any leader is never submitted again). Every fire that comes due while one message is handled goes
 * to the Dispatcher in one message (10,000 schedules due in the same second: one message, each fire answered on its
 * own when it is durable). A fire of an {@code overlap: allow} schedule is submitted {@code fireAhead} before its
 * time, its job waiting until then ({@link #ahead}). A schedule handles one fire at a time, oldest first. Overlap
 * policies see the previous fire's job through the cluster's job events. Changes to schedules are written to the
 * {@link ScheduleStore} (fenced) before they are answered. Every schedule's cron is parsed when the schedules are
 * loaded (on the loading thread) or when it is created or replaced, and kept with it: a new leader with thousands
 * of distinct crons must not parse them (about 0.5 ms each) inside the first second they are due.
 */
public final class ScheduleMaster extends AbstractBehavior<ScheduleMaster.Command> {
  public sealed interface Command {}

  public record ListSchedules(ActorRef<List<ScheduleView>> replyTo) implements Command {}

  public record GetSchedule(String name, ActorRef<Optional<ScheduleView>> replyTo) implements Command {}

  public record PutSchedule(ScheduleSpec spec, boolean replace, ActorRef<ScheduleChange> replyTo) implements Command {}

  public record PauseSchedule(String name, boolean paused, ActorRef<ScheduleChange> replyTo) implements Command {}

  public record DeleteSchedule(String name, ActorRef<ScheduleChange> replyTo) implements Command {}

  public record TriggerSchedule(String name, ActorRef<Optional<String>> replyTo) implements Command {}

  private record Loaded(List<Parsed> schedules, Throwable failure) implements Command {}

  /** A stored schedule with its cron parsed ({@code times}), or why it does not parse ({@code problem}). */
  private record Parsed(ScheduleStore.Stored stored, CronTimes times, String problem) {}

  private record Tick() implements Command {}

  private record Written(ScheduleState next, CronTimes times, boolean created, String deleted,
      ActorRef<ScheduleChange> replyTo, Throwable failure) implements Command {}

  /** How a fire's submission ended: {@code jobId}, or {@code failure}. */
  private record FireDone(String name, Fire fire, String jobId, boolean manual, ActorRef<Optional<String>> replyTo,
      Throwable failure) {}

  private record SkipDone(String name, Fire fire, Throwable failure) implements Command {}

  /** Sends the fires submitted while the messages before it were handled ({@link #outgoing}) in one message. */
  private record Flush() implements Command {}

  private record FireAnswered(Dispatcher.FireSubmitted answer) implements Command {}

  /** The Dispatcher did not answer these fires within the ask timeout: they are tried again. */
  private record FiresTimedOut(List<String> fireIds) implements Command {}

  /** A fire submitted and not answered yet. */
  private record InFlight(String name, Fire fire, boolean manual, ActorRef<Optional<String>> replyTo,
      Dispatcher.FireSubmission submission) {}

  private record JobEvent(ClusterEvent event) implements Command {}

  /**
   * What the read model says of recorded fires' jobs (those it knows), asked for once at load. {@code newest}: the
   * newest fire's job of each schedule whose next fire waits for this answer (overlap needs to know whether that job
   * still runs); empty for the answer that only fills in the states of the last fires.
   */
  private record JobsLooked(Map<String, JobRecord> jobs, Map<String, String> newest) implements Command {}

  /** The read model did not answer the newest fires' lookup within the ask timeout: those schedules go on. */
  private record NewestLookupTimedOut(Map<String, String> newest) implements Command {}

  private static final Object NEWEST_LOOKUP = "newest-lookup";

  /** The most missed fires {@code fire-all} submits (the newest ones). */
  public static final int FIRE_ALL_CAP = 100;
  /** Fire records kept per schedule: pruned to {@link #KEEP_FIRES} once there are twice as many. */
  static final int KEEP_FIRES = 20;
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Object TICK = "tick";

  /** One schedule, owned by the actor. */
  private static final class Entry {
    ScheduleState state;
    /** The fire times of {@code state}'s cron, parsed once. */
    CronTimes times;
    /** The newest fires, newest first, at most {@link ScheduleView#LAST_FIRES}. */
    final Deque<FireView> recent = new ArrayDeque<>();
    /** Every recorded fire instant this leader knows of, oldest first (for pruning). */
    final Deque<Instant> recorded = new ArrayDeque<>();
    /** The jobs of fires submitted ahead, by instant, while their instants may still be to come. */
    final TreeMap<Instant, String> ahead = new TreeMap<>();
    String runningJob;
    Fire queued;
    /** Triggers asked for while a fire was in flight, answered one at a time after it. */
    final Deque<TriggerSchedule> triggers = new ArrayDeque<>();
    boolean busy;
    long version;

    Entry(ScheduleState state, CronTimes times) {
      this.state = state;
      this.times = times;
    }
  }

  private record Wake(Instant at, String name, long version) {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Epoch epoch;
  private final ScheduleStore store;
  private final ActorRef<Dispatcher.Command> dispatcher;
  private final ActorRef<JobsView.Command> view;
  private final Duration askTimeout;
  private final Duration misfireThreshold;
  private final Duration fireAhead;
  private final Clock clock;
  private final ActorRef<Throwable> fatal;
  private final Map<String, Entry> entries = new TreeMap<>();
  private final PriorityQueue<Wake> wakes = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
  /** Fires submitted and not sent yet: sent together by the {@link Flush} the first of them asked for. */
  private final List<InFlight> outgoing = new ArrayList<>();
  /** Fires sent and not answered yet, by fire id. */
  private final Map<String, InFlight> inFlight = new HashMap<>();
  private final ActorRef<Dispatcher.FireSubmitted> answers;
  private long batches;
  /** The newest fires' lookup of {@link #start} is not answered yet. */
  private boolean awaitingNewest;

  public static Behavior<Command> create(Epoch epoch, ScheduleStore store, ActorRef<Dispatcher.Command> dispatcher,
      ActorRef<JobsView.Command> view, SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal) {
    return create(epoch, store, dispatcher, view, settings, clock, fatal, CompletableFuture.completedFuture(null),
        new CompletableFuture<>());
  }

  /**
   * {@link #create}, loading the schedules only once {@code loadAfter} completes (the leader's publication, which
   * the reads would queue ahead of) and completing {@code loaded} once they are loaded (or could not be).
   */
  public static Behavior<Command> create(Epoch epoch, ScheduleStore store, ActorRef<Dispatcher.Command> dispatcher,
      ActorRef<JobsView.Command> view, SchedulerSettings settings, Clock clock, ActorRef<Throwable> fatal,
      java.util.concurrent.CompletionStage<?> loadAfter, CompletableFuture<Void> loaded) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000, stash -> {
      ctx.pipeToSelf(loadAfter.handle((ok, failure) -> null).thenApplyAsync(x -> {
        List<ScheduleStore.Stored> stored;
        try {
          stored = store.loadAll();
        } catch (Exception e) {
          throw new IllegalStateException("could not load the schedules", e);
        }
        return parse(stored);
      }, ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking())).whenComplete((ok, failure) ->
          loaded.complete(null)), Loaded::new);
      return loading(ctx, stash, new ScheduleMaster(ctx, timers, epoch, store, dispatcher, view, settings, clock,
          fatal));
    })));
  }

  private static Behavior<Command> loading(ActorContext<Command> ctx, StashBuffer<Command> stash, ScheduleMaster master) {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, m -> {
          if (m.failure() != null) {
            ctx.getLog().error("schedules could not be loaded; this leader session ends", m.failure());
            master.fatal.tell(m.failure());
            return Behaviors.stopped();
          }
          master.start(m.schedules());
          return stash.unstashAll(master);
        })
        .onMessage(Command.class, m -> {
          stash.stash(m);
          return Behaviors.same();
        })
        .build();
  }

  private ScheduleMaster(ActorContext<Command> ctx, TimerScheduler<Command> timers, Epoch epoch, ScheduleStore store,
      ActorRef<Dispatcher.Command> dispatcher, ActorRef<JobsView.Command> view, SchedulerSettings settings,
      Clock clock, ActorRef<Throwable> fatal) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.epoch = epoch;
    this.store = store;
    this.dispatcher = dispatcher;
    this.view = view;
    this.askTimeout = settings.askTimeout();
    this.misfireThreshold = settings.misfireThreshold();
    this.fireAhead = settings.fireAhead();
    this.clock = clock;
    this.fatal = fatal;
    this.answers = ctx.messageAdapter(Dispatcher.FireSubmitted.class, FireAnswered::new);
  }

  /**
   * Parses every stored schedule's cron (on the loading thread, off the actor). A cron that no longer parses (the
   * spec was validated when it was written, so only a cron-utils upgrade could do this) leaves its schedule out,
   * loudly, rather than failing the leader.
   */
  private static List<Parsed> parse(List<ScheduleStore.Stored> stored) {
    List<Parsed> out = new ArrayList<>(stored.size());
    for (ScheduleStore.Stored s : stored) {
      try {
        out.add(new Parsed(s, CronTimes.of(s.schedule().spec()), null));
      } catch (RuntimeException e) {
        out.add(new Parsed(s, null, e.getMessage()));
      }
    }
    return out;
  }

  private void start(List<Parsed> parsed) {
    ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(ClusterEvent.class,
        ctx.messageAdapter(ClusterEvent.class, JobEvent::new)));
    Instant now = clock.instant();
    Map<String, String> newest = new HashMap<>();
    List<String> recentJobs = new ArrayList<>();
    for (Parsed p : parsed) {
      ScheduleStore.Stored s = p.stored();
      ScheduleRecord r = s.schedule();
      if (p.times() == null) {
        ctx.getLog().error("schedule {}: its cron '{}' does not parse ({}); it is not served", r.name(),
            r.spec().cron(), p.problem());
        continue;
      }
      Instant last = s.fires().isEmpty() ? null : s.fires().get(s.fires().size() - 1).scheduledAt();
      Entry e = new Entry(new ScheduleState(r.spec(), r.paused(), last, r.createdAt(), r.resumedAt()), p.times());
      for (ScheduleStore.RecordedFire f : s.fires()) {
        e.recorded.addLast(f.scheduledAt());
        if (!f.jobRead()) {
          continue; // older than the last fires shown (the store read only the newest)
        }
        if (f.jobId() != null && f.scheduledAt().isAfter(now)) {
          e.ahead.put(f.scheduledAt(), f.jobId());
        }
        remember(e, new FireView(Fire.of(r.name(), f.scheduledAt()).id(), f.scheduledAt(), f.jobId(),
            f.jobId() == null ? "SKIPPED" : "UNKNOWN"));
      }
      entries.put(r.name(), e);
      if (e.state.paused()) {
        cancelAhead(r.name(), e); // the leader that paused it may have died before its cancels were applied
      }
      String newestJob = e.recent.isEmpty() ? null : e.recent.peekFirst().jobId();
      if (newestJob != null) {
        // overlap needs to know whether the newest fire's job still runs: look before firing again
        e.busy = true;
        newest.put(r.name(), newestJob);
      } else {
        wake(r.name(), now);
      }
      e.recent.stream().map(FireView::jobId).filter(java.util.Objects::nonNull).forEach(recentJobs::add);
    }
    // two messages for all schedules, not an ask per fire: 50,000 asks (with their time-outs) slowed a new leader
    // with 10,000 schedules for seconds. The newest fires' jobs are looked up among what is read (every unfinished
    // job is; waiting for the finished history would hold those schedules' fires); the last fires' states, finished
    // jobs too, once the history is read.
    // one adapter for both answers (Pekko keeps one per message class: a second would replace the first)
    ActorRef<JobsView.JobsFound> found = ctx.messageAdapter(JobsView.JobsFound.class,
        f -> new JobsLooked(f.jobs(), f.now() ? newest : Map.of()));
    if (!newest.isEmpty()) {
      view.tell(new JobsView.GetJobs(List.copyOf(newest.values()), true, found));
      timers.startSingleTimer(NEWEST_LOOKUP, new NewestLookupTimedOut(newest), askTimeout);
      awaitingNewest = true;
    }
    if (!recentJobs.isEmpty()) {
      view.tell(new JobsView.GetJobs(recentJobs, false, found));
    }
    ctx.getLog().info("{} serves {} schedules", epoch, entries.size());
    armTimer();
  }


  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ListSchedules.class, m -> reply(m.replyTo(), entries.values().stream().map(this::view).toList()))
        .onMessage(GetSchedule.class, m -> reply(m.replyTo(), Optional.ofNullable(entries.get(m.name())).map(this::view)))
        .onMessage(PutSchedule.class, this::onPut)
        .onMessage(PauseSchedule.class, this::onPause)
        .onMessage(DeleteSchedule.class, this::onDelete)
        .onMessage(TriggerSchedule.class, this::onTrigger)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Tick.class, m -> onTick())
        .onMessage(Flush.class, m -> onFlush())
        .onMessage(FireAnswered.class, this::onFireAnswered)
        .onMessage(FiresTimedOut.class, this::onFiresTimedOut)
        .onMessage(SkipDone.class, this::onSkipDone)
        .onMessage(JobEvent.class, this::onJobEvent)
        .onMessage(JobsLooked.class, this::onJobsLooked)
        .onMessage(NewestLookupTimedOut.class, m -> {
          ctx.getLog().warn("the read model did not say within {} ms whether the newest fires' jobs still run; {} "
              + "schedules fire on as if they did not", askTimeout.toMillis(), m.newest().size());
          return onJobsLooked(new JobsLooked(Map.of(), m.newest()));
        })
        .build();
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T value) {
    to.tell(value);
    return this;
  }

  private ScheduleView view(Entry e) {
    Instant now = clock.instant();
    // fires submitted ahead (their jobs wait for the instant) come first: they are the next ones to run
    List<Instant> next = new ArrayList<>();
    if (!e.state.paused()) {
      e.ahead.tailMap(now, false).keySet().forEach(next::add);
    }
    next.addAll(ScheduleLogic.nextFires(e.state, e.times, now, ScheduleView.NEXT_FIRES));
    return new ScheduleView(e.state.spec(), e.state.paused(), e.state.createdAt(),
        next.subList(0, Math.min(next.size(), ScheduleView.NEXT_FIRES)), List.copyOf(e.recent));
  }

  // ---- changes

  private Behavior<Command> onPut(PutSchedule m) {
    Entry e = entries.get(m.spec().name());
    if (e != null && !m.replace()) {
      return reply(m.replyTo(), new ScheduleChange.Exists(m.spec().name()));
    }
    ScheduleState next = e == null ? ScheduleState.created(m.spec(), clock.instant()) : e.state.withSpec(m.spec());
    CronTimes times = CronTimes.of(m.spec()); // validated by the caller; parsed now, not when it first fires
    CompletableFuture<Void> write = e == null ? store.create(epoch, record(next)) : store.replace(epoch, record(next));
    pipeWritten(write, next, times, e == null, null, m.replyTo());
    return this;
  }

  private Behavior<Command> onPause(PauseSchedule m) {
    Entry e = entries.get(m.name());
    if (e == null) {
      return reply(m.replyTo(), new ScheduleChange.NotFound(m.name()));
    }
    ScheduleState next = m.paused() ? e.state.pause() : e.state.resume(clock.instant());
    pipeWritten(store.replace(epoch, record(next)), next, e.times, false, null, m.replyTo());
    return this;
  }

  private Behavior<Command> onDelete(DeleteSchedule m) {
    Entry e = entries.get(m.name());
    if (e == null) {
      return reply(m.replyTo(), new ScheduleChange.NotFound(m.name()));
    }
    pipeWritten(store.delete(epoch, m.name()), e.state, e.times, false, m.name(), m.replyTo());
    return this;
  }

  private static ScheduleRecord record(ScheduleState s) {
    return new ScheduleRecord(s.spec(), s.paused(), s.createdAt(), s.resumedAt());
  }

  private void pipeWritten(CompletableFuture<Void> write, ScheduleState next, CronTimes times, boolean created,
      String deleted, ActorRef<ScheduleChange> replyTo) {
    ctx.pipeToSelf(write.thenApply(ok -> next),
        (ok, err) -> new Written(next, times, created, deleted, replyTo, unwrap(err)));
  }

  private Behavior<Command> onWritten(Written m) {
    String name = m.next().name();
    if (m.failure() instanceof ScheduleStore.ScheduleExistsException) {
      return reply(m.replyTo(), new ScheduleChange.Exists(name));
    }
    if (m.failure() instanceof ScheduleStore.NoScheduleException) {
      return reply(m.replyTo(), new ScheduleChange.NotFound(name));
    }
    if (m.failure() != null) {
      ctx.getLog().error("schedule store write for {} failed in {}; this leader session ends", name, epoch, m.failure());
      fatal.tell(m.failure());
      return Behaviors.stopped();
    }
    if (m.deleted() != null) {
      Entry gone = entries.remove(name);
      cancelAhead(name, gone);
      m.replyTo().tell(new ScheduleChange.Done(view(gone), false));
      return this;
    }
    Entry e = entries.computeIfAbsent(name, n -> new Entry(m.next(), m.times()));
    e.times = m.times();
    e.state = m.created() ? m.next() : new ScheduleState(m.next().spec(), m.next().paused(), e.state.lastFire(),
        m.next().createdAt(), m.next().resumedAt());
    if (e.state.paused()) {
      cancelAhead(name, e);
    }
    m.replyTo().tell(new ScheduleChange.Done(view(e), m.created()));
    wake(name, clock.instant());
    armTimer();
    return this;
  }

  // ---- firing

  private void wake(String name, Instant at) {
    Entry e = entries.get(name);
    if (e != null) {
      wakes.add(new Wake(at, name, ++e.version));
    }
  }

  private void armTimer() {
    Wake first = wakes.peek();
    if (first == null) {
      timers.cancel(TICK);
      return;
    }
    Duration in = Duration.between(clock.instant(), first.at());
    timers.startSingleTimer(TICK, new Tick(), in.isNegative() ? Duration.ZERO : in);
  }

  private Behavior<Command> onTick() {
    Instant now = clock.instant();
    while (!wakes.isEmpty() && !wakes.peek().at().isAfter(now)) {
      Wake w = wakes.poll();
      Entry e = entries.get(w.name());
      if (e != null && e.version == w.version()) {
        evaluate(w.name(), e, now);
      }
    }
    armTimer();
    return this;
  }

  /** Handles the oldest due fire of one schedule (one at a time), or sleeps until the next one. */
  private void evaluate(String name, Entry e, Instant now) {
    if (e.busy) {
      return; // re-evaluated when the fire in flight is done
    }
    if (!e.triggers.isEmpty()) {
      trigger(name, e, e.triggers.pollFirst());
      return;
    }
    if (e.queued != null && e.runningJob == null) {
      Fire queued = e.queued;
      e.queued = null;
      submit(name, e, queued, false, null);
      return;
    }
    Duration ahead = ahead(e);
    ScheduleLogic.Due due = ScheduleLogic.due(e.state, e.times, now, ahead, misfireThreshold, FIRE_ALL_CAP);
    if (due.fires().isEmpty()) {
      due.newestMisfire().ifPresent(missed -> {
        ctx.getLog().warn("schedule {}: fires up to {} were missed while no leader served; skipped (misfire: skip)",
            name, missed);
        e.state = e.state.recorded(missed);
      });
      due.wakeAt().ifPresent(at -> wake(name, at.minus(ahead)));
      return;
    }
    Fire fire = due.fires().get(0);
    switch (ScheduleLogic.overlap(e.state.spec().overlap(), e.runningJob != null, e.queued != null)) {
      case FIRE -> submit(name, e, fire, false, null);
      case CANCEL_PREVIOUS_THEN_FIRE -> {
        dispatcher.tell(new Dispatcher.Cancel(e.runningJob, ctx.getSystem().ignoreRef()));
        e.runningJob = null;
        submit(name, e, fire, false, null);
      }
      case QUEUE -> {
        e.queued = fire;
        e.state = e.state.recorded(fire.scheduledAt()); // taken: later fires see one waiting
        wake(name, now);
      }
      case SKIP -> {
        e.busy = true;
        ctx.pipeToSelf(store.recordSkipped(epoch, name, fire.scheduledAt()), (ok, err) -> new SkipDone(name, fire, unwrap(err)));
      }
    }
  }

  /**
   * How long before its instant the schedule's fire is submitted: {@code fireAhead} for an {@code overlap: allow}
   * schedule (its job is persisted with the fire's record ahead of time and waits, PENDING, until the instant, see
   * {@link JobRecord#runAt()}, so that the 10,000 fires of one second start on time instead of queueing for their
   * writes), else not at all: the other overlap policies decide at the instant, from the previous fire's job.
   * A fire submitted ahead is cancelled if its schedule is paused or deleted before the instant; a replaced spec
   * applies from the next fire not yet submitted; once submitted, a fire is not a misfire, whatever a failover does.
   */
  private Duration ahead(Entry e) {
    return e.state.spec().overlap() == Overlap.ALLOW ? fireAhead : Duration.ZERO;
  }

  private void submit(String name, Entry e, Fire fire, boolean manual, ActorRef<Optional<String>> replyTo) {
    e.busy = true;
    JobSpec job = withFireEnv(e.state.spec().job(), name, fire);
    JobStore.Fire record = new JobStore.Fire(name, fire.scheduledAt());
    Instant runAt = fire.scheduledAt().isAfter(clock.instant()) ? fire.scheduledAt() : null;
    if (outgoing.isEmpty()) {
      ctx.getSelf().tell(new Flush());
    }
    outgoing.add(new InFlight(name, fire, manual, replyTo, new Dispatcher.FireSubmission(job, record, runAt)));
  }

  /**
   * Cancels the jobs of the schedule's fires that were submitted ahead and whose instant has not come (the schedule
   * was paused or deleted). One whose instant has come runs: it was due before the pause.
   */
  private void cancelAhead(String name, Entry e) {
    e.ahead.headMap(clock.instant(), true).clear();
    e.ahead.forEach((at, jobId) -> cancelFire(name, jobId, at));
    e.ahead.clear();
  }

  private void cancelFire(String name, String jobId, Instant scheduledAt) {
    ctx.getLog().info("schedule {}: its fire of {} (job {}), submitted ahead, is cancelled (the schedule is {})",
        name, scheduledAt, jobId, entries.containsKey(name) ? "paused" : "deleted");
    dispatcher.tell(new Dispatcher.Cancel(jobId, ctx.getSystem().ignoreRef()));
  }

  private Behavior<Command> onFlush() {
    if (outgoing.isEmpty()) {
      return this;
    }
    List<Dispatcher.FireSubmission> fires = new ArrayList<>(outgoing.size());
    List<String> ids = new ArrayList<>(outgoing.size());
    for (InFlight f : outgoing) {
      String id = f.submission().fire().id();
      inFlight.put(id, f);
      ids.add(id);
      fires.add(f.submission());
    }
    outgoing.clear();
    dispatcher.tell(new Dispatcher.SubmitFires(fires, answers));
    timers.startSingleTimer("fires-" + (++batches), new FiresTimedOut(ids), askTimeout);
    return this;
  }

  private Behavior<Command> onFireAnswered(FireAnswered m) {
    InFlight f = inFlight.remove(m.answer().fire().id());
    if (f == null) {
      // answered after its time-out: that fire was tried again (and is refused as submitted before if this
      // answer was a job)
      return this;
    }
    return onFireDone(new FireDone(f.name(), f.fire(), m.answer().jobId(), f.manual(), f.replyTo(),
        unwrap(m.answer().failure())));
  }

  private Behavior<Command> onFiresTimedOut(FiresTimedOut m) {
    for (String id : m.fireIds()) {
      InFlight f = inFlight.remove(id);
      if (f != null) {
        onFireDone(new FireDone(f.name(), f.fire(), null, f.manual(), f.replyTo(), new TimeoutException(
            "the dispatcher did not answer fire " + id + " within " + askTimeout.toMillis() + " ms")));
      }
    }
    return this;
  }

  /** Every task of a fire's job learns which schedule, due time and fire it runs for. */
  static JobSpec withFireEnv(JobSpec job, String name, Fire fire) {
    Map<String, String> env = Map.of("BATON_SCHEDULE", name, "BATON_SCHEDULED_TIME", fire.scheduledAt().toString(),
        "BATON_FIRE_ID", fire.id());
    return new JobSpec(job.name(), job.labels(), job.tasks().stream().map(t -> t.withEnv(env)).toList());
  }

  private Behavior<Command> onFireDone(FireDone m) {
    Entry e = entries.get(m.name());
    boolean stopped = e == null || e.state.paused();
    if (stopped && !m.manual() && m.jobId() != null && m.fire().scheduledAt().isAfter(clock.instant())) {
      cancelFire(m.name(), m.jobId(), m.fire().scheduledAt()); // submitted ahead; paused or deleted meanwhile
    }
    if (e == null) {
      if (m.replyTo() != null) {
        m.replyTo().tell(Optional.ofNullable(m.jobId()));
      }
      return this;
    }
    e.busy = false;
    if (m.failure() instanceof JobStore.FireExistsException && m.manual()) {
      // a trigger at the very millisecond of a fire already recorded (one submitted ahead, say): the next one
      submit(m.name(), e, Fire.of(m.name(), m.fire().scheduledAt().plusMillis(1)), true, m.replyTo());
      return this;
    } else if (m.failure() instanceof JobStore.FireExistsException) {
      ctx.getLog().info("schedule {}: fire {} was submitted before (by an earlier leader); not again", m.name(),
          m.fire().id());
      e.state = e.state.recorded(m.fire().scheduledAt());
    } else if (m.failure() != null) {
      ctx.getLog().warn("schedule {}: could not submit fire {} ({}); trying again", m.name(), m.fire().id(),
          m.failure().toString());
      if (m.replyTo() != null) {
        m.replyTo().tell(Optional.empty());
      }
      wake(m.name(), clock.instant().plus(RETRY));
      armTimer();
      return this;
    } else {
      recorded(m.name(), e, new FireView(m.fire().id(), m.fire().scheduledAt(), m.jobId(), "PENDING"));
      e.runningJob = m.jobId();
      Instant now = clock.instant();
      e.ahead.headMap(now, true).clear();
      if (!stopped && m.fire().scheduledAt().isAfter(now)) {
        e.ahead.put(m.fire().scheduledAt(), m.jobId()); // (a paused schedule's was cancelled above)
      }
      if (m.manual()) {
        m.replyTo().tell(Optional.of(m.jobId()));
      }
    }
    wake(m.name(), clock.instant());
    armTimer();
    return this;
  }

  private Behavior<Command> onSkipDone(SkipDone m) {
    Entry e = entries.get(m.name());
    if (e == null) {
      return this;
    }
    e.busy = false;
    if (m.failure() != null) {
      wake(m.name(), clock.instant().plus(RETRY));
    } else {
      ctx.getLog().info("schedule {}: fire {} skipped, the previous job still runs (overlap: skip)", m.name(),
          m.fire().id());
      recorded(m.name(), e, new FireView(m.fire().id(), m.fire().scheduledAt(), null, "SKIPPED"));
      wake(m.name(), clock.instant());
    }
    armTimer();
    return this;
  }

  private void recorded(String name, Entry e, FireView fire) {
    e.state = e.state.recorded(fire.scheduledAt());
    e.recorded.addLast(fire.scheduledAt());
    remember(e, fire);
    if (e.recorded.size() >= 2 * KEEP_FIRES) {
      List<Instant> old = new ArrayList<>();
      while (e.recorded.size() > KEEP_FIRES) {
        old.add(e.recorded.pollFirst());
      }
      store.forgetFires(epoch, name, old).whenComplete((ok, err) -> {
        if (err != null) {
          ctx.getLog().debug("could not prune the fire records of {}: {}", name, err.toString());
        }
      });
    }
  }

  private static void remember(Entry e, FireView fire) {
    e.recent.addFirst(fire);
    while (e.recent.size() > ScheduleView.LAST_FIRES) {
      e.recent.pollLast();
    }
  }

  private Behavior<Command> onTrigger(TriggerSchedule m) {
    Entry e = entries.get(m.name());
    if (e == null) {
      return reply(m.replyTo(), Optional.empty());
    }
    if (e.busy) {
      e.triggers.addLast(m); // one fire at a time: this one right after the one in flight
      return this;
    }
    trigger(m.name(), e, m);
    return this;
  }

  private void trigger(String name, Entry e, TriggerSchedule m) {
    submit(name, e, Fire.of(name, clock.instant().truncatedTo(ChronoUnit.MILLIS)), true, m.replyTo());
  }

  // ---- the jobs of fires

  private Behavior<Command> onJobEvent(JobEvent m) {
    if (m.event() instanceof ClusterEvent.JobChanged changed) {
      seen(changed.job().id(), changed.job());
    }
    return this;
  }

  /** Tells the schedule whose fire made {@code job} (its idempotency key is {@code <name>@<instant>}), if any. */
  private void seen(String jobId, JobRecord job) {
    String key = job.idempotencyKey();
    int at = key == null ? -1 : key.indexOf('@');
    Entry e = at <= 0 ? null : entries.get(key.substring(0, at));
    if (e != null) {
      jobSeen(key.substring(0, at), e, jobId, job);
    }
  }

  private Behavior<Command> onJobsLooked(JobsLooked m) {
    // a job not found is deleted, or finished and not read from history yet: its state stays UNKNOWN
    m.jobs().forEach(this::seen);
    Instant now = clock.instant();
    if (!m.newest().isEmpty()) {
      if (!awaitingNewest) {
        return this; // answered after its time-out (or the other way round): handled once
      }
      awaitingNewest = false;
      timers.cancel(NEWEST_LOOKUP);
    }
    m.newest().forEach((name, jobId) -> {
      Entry e = entries.get(name);
      if (e == null || e.recent.isEmpty() || !jobId.equals(e.recent.peekFirst().jobId())) {
        return; // deleted, or fired again meanwhile (a trigger)
      }
      JobRecord job = m.jobs().get(jobId);
      if (job != null && !job.state().isTerminal()) {
        e.runningJob = jobId;
      }
      e.busy = false;
      wake(name, now);
    });
    armTimer();
    return this;
  }

  private void jobSeen(String name, Entry e, String jobId, JobRecord job) {
    replaceState(e, jobId, job.state().name());
    if (job.state().isTerminal() && jobId.equals(e.runningJob)) {
      e.runningJob = null;
      if (e.queued != null && !e.busy) {
        Fire queued = e.queued;
        e.queued = null;
        submit(name, e, queued, false, null);
      }
    }
  }

  private static void replaceState(Entry e, String jobId, String state) {
    List<FireView> updated = new ArrayList<>(e.recent.size());
    for (FireView f : e.recent) {
      updated.add(jobId.equals(f.jobId()) ? new FireView(f.id(), f.scheduledAt(), f.jobId(), state) : f);
    }
    e.recent.clear();
    e.recent.addAll(updated);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException c && c.getCause() != null ? c.getCause() : t;
  }
}
