package io.baton.web.metrics;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.alerts.AlertDelivery;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.model.JobLogic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Turns the leader's {@link ClusterEvent}s into job and attempt metrics: counters of jobs submitted and finished
 * (by final state) and of attempts started and finished (by state), gauges of unfinished jobs and their tasks by
 * state now, and the job-level latency histograms submit → start (the start of the job's first attempt to run,
 * as its worker reported it) and submit → finish. It keeps the last record of each unfinished job to see what changed; a finished job is dropped. A new
 * leader is seeded with the jobs it recovered ({@link Recovered}), so a job it did not accept is not counted as
 * submitted again; {@link Reset} (leadership gained or lost) forgets everything. The placement queue is computed
 * from those records at each scrape ({@link JobLogic#readyTasks}), so a retry whose backoff ends joins it then. Counters count what this master
 * saw while it led. All state lives in the actor; the meters it updates are read by scrapes on other threads.
 */
final class JobEventsMeter extends AbstractBehavior<JobEventsMeter.Command> {
  sealed interface Command {}

  record Event(ClusterEvent event) implements Command {}

  /** An alert delivery attempt of the leader's courier. */
  record Delivery(AlertDelivery delivery) implements Command {}

  record Recovered(List<JobRecord> jobs) implements Command {}

  record Reset() implements Command {}

  private static final Duration MIN = Duration.ofMillis(1);
  private static final Duration MAX = Duration.ofHours(1);
  private static final List<JobState> OPEN_JOB_STATES = List.of(JobState.PENDING, JobState.RUNNING);
  private static final List<AttemptState> OPEN_TASK_STATES =
      List.of(AttemptState.PENDING, AttemptState.SCHEDULED, AttemptState.RUNNING);

  private final MeterRegistry registry;
  /** Written by the actor only; read by the placement-queue gauge on scrape threads. */
  private final Map<String, JobRecord> open = new ConcurrentHashMap<>();
  private final Map<JobState, AtomicLong> jobsNow = new EnumMap<>(JobState.class);
  private final Map<AttemptState, AtomicLong> tasksNow = new EnumMap<>(AttemptState.class);
  /** Open jobs with an attempt that ran: their submit → start latency is recorded. */
  private final Set<String> started = new HashSet<>();
  private final Counter submitted;
  private final Counter attemptsStarted;
  private final Map<JobState, Counter> jobsFinished = new EnumMap<>(JobState.class);
  private final Map<AttemptState, Counter> attemptsFinished = new EnumMap<>(AttemptState.class);
  private final Timer submitToStart;
  private final Timer submitToFinish;
  private final Map<AlertDelivery.Outcome, Counter> alertDeliveries = new EnumMap<>(AlertDelivery.Outcome.class);
  private final AtomicLong alertsPending = new AtomicLong();

  static Behavior<Command> create(MeterRegistry registry, Clock clock) {
    return Behaviors.setup(ctx -> new JobEventsMeter(ctx, registry, clock));
  }

  private JobEventsMeter(ActorContext<Command> context, MeterRegistry registry, Clock clock) {
    super(context);
    this.registry = registry;
    Gauge.builder("baton.placement.queue", open, jobs -> placementQueue(jobs, clock))
        .description("Tasks ready to run and waiting for a worker: PENDING, every dependency succeeded, no retry "
            + "backoff left (leader only)")
        .baseUnit("tasks").register(registry);
    for (JobState s : OPEN_JOB_STATES) {
      AtomicLong n = new AtomicLong();
      jobsNow.put(s, n);
      Gauge.builder("baton.jobs", n, AtomicLong::get).description("Unfinished jobs by state now (leader only)")
          .tag("state", s.name()).register(registry);
    }
    for (AttemptState s : OPEN_TASK_STATES) {
      AtomicLong n = new AtomicLong();
      tasksNow.put(s, n);
      Gauge.builder("baton.tasks", n, AtomicLong::get)
          .description("Tasks of unfinished jobs by state now (PENDING: waiting for dependencies, a retry or a "
              + "placement; leader only)")
          .tag("state", s.name()).register(registry);
    }
    this.submitted = Counter.builder("baton.jobs.submitted").description("Jobs accepted by this master as leader")
        .register(registry);
    this.submitToStart = latency("baton.job.start.latency",
        "Job submit to the start of its first attempt to run (job level)");
    this.submitToFinish = latency("baton.job.finish.latency", "Job submit to its final state (job level)");
    for (JobState s : JobState.values()) {
      if (s.isTerminal()) {
        jobsFinished.put(s, Counter.builder("baton.jobs.finished")
            .description("Jobs that reached a final state, by that state").tag("state", s.name()).register(registry));
      }
    }
    for (AlertDelivery.Outcome o : AlertDelivery.Outcome.values()) {
      alertDeliveries.put(o, Counter.builder("baton.alerts.deliveries")
          .description("Alert delivery attempts by outcome: delivered (2xx), failed (tried again later), given_up "
              + "(the last attempt failed) (leader only)")
          .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    Gauge.builder("baton.alerts.pending", alertsPending, AtomicLong::get)
        .description("Alerts in the outbox not yet delivered nor given up, as of the last delivery attempt (leader only)")
        .baseUnit("alerts").register(registry);
    this.attemptsStarted = Counter.builder("baton.attempts.started").description("Attempts seen running")
        .register(registry);
    for (AttemptState s : AttemptState.values()) {
      if (s.isTerminal()) {
        attemptsFinished.put(s, Counter.builder("baton.attempts.finished")
            .description("Attempts that reached a final state, by state").tag("state", s.name()).register(registry));
      }
    }
  }

  private Timer latency(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
        .minimumExpectedValue(MIN).maximumExpectedValue(MAX).register(registry);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, this::onEvent)
        .onMessage(Recovered.class, this::onRecovered)
        .onMessage(Delivery.class, msg -> {
          alertDeliveries.get(msg.delivery().outcome()).increment();
          alertsPending.set(msg.delivery().pending());
          return this;
        })
        .onMessage(Reset.class, msg -> onReset())
        .build();
  }

  private Behavior<Command> onEvent(Event msg) {
    if (msg.event() instanceof ClusterEvent.JobChanged changed) {
      changed(changed.job());
    } else if (msg.event() instanceof ClusterEvent.JobRemoved removed) {
      JobRecord gone = open.remove(removed.jobId());
      started.remove(removed.jobId());
      if (gone != null) {
        add(jobsNow, gone.state(), -1);
        countTasks(gone, -1);
      }
    }
    return this;
  }

  private Behavior<Command> onRecovered(Recovered msg) {
    for (JobRecord job : msg.jobs()) {
      if (!job.state().isTerminal() && !open.containsKey(job.id())) {
        open.put(job.id(), job);
        add(jobsNow, job.state(), +1);
        countTasks(job, +1);
        boolean anyStarted = job.tasks().stream().flatMap(t -> t.attempts().stream())
            .anyMatch(a -> a.startedAt() != null || a.state() == AttemptState.RUNNING);
        if (anyStarted) {
          started.add(job.id());
        }
      }
    }
    return this;
  }

  private Behavior<Command> onReset() {
    open.clear();
    started.clear();
    jobsNow.values().forEach(n -> n.set(0));
    tasksNow.values().forEach(n -> n.set(0));
    alertsPending.set(0);
    return this;
  }

  /**
   * Costs one reference comparison per unchanged task: a changed job record shares the task records that did not
   * change, so a large job's events stay cheap.
   */
  private void changed(JobRecord job) {
    JobRecord before = open.get(job.id());
    if (before == null) {
      if (!isFresh(job)) {
        return; // a job this master did not see open (finished before it led): not its to count
      }
      submitted.increment();
    } else {
      add(jobsNow, before.state(), -1);
    }
    Instant firstStart = diffTasks(before, job);
    if (firstStart != null && started.add(job.id())) {
      submitToStart.record(between(job.submittedAt(), firstStart));
    }
    if (job.state().isTerminal()) {
      open.remove(job.id());
      started.remove(job.id());
      countTasks(job, -1);
      jobsFinished.get(job.state()).increment();
      if (job.finishedAt() != null) {
        submitToFinish.record(between(job.submittedAt(), job.finishedAt()));
      }
    } else {
      open.put(job.id(), job);
      add(jobsNow, job.state(), +1);
    }
  }

  /** Just accepted: pending, and no task has an attempt yet. */
  private static boolean isFresh(JobRecord job) {
    return job.state() == JobState.PENDING && job.tasks().stream().allMatch(t -> t.attempts().isEmpty());
  }

  /**
   * Moves the task gauges for every task that changed and counts the attempts that started or finished; returns
   * the earliest start among the attempts that started, or null.
   */
  private Instant diffTasks(JobRecord before, JobRecord after) {
    Instant firstStart = null;
    List<TaskRecord> was = before == null ? List.of() : before.tasks();
    List<TaskRecord> now = after.tasks();
    for (int i = 0; i < now.size(); i++) {
      TaskRecord task = now.get(i);
      TaskRecord old = i < was.size() && was.get(i).taskId().equals(task.taskId()) ? was.get(i)
          : before == null ? null : before.task(task.taskId()).orElse(null);
      if (old == task) {
        continue;
      }
      if (old != null) {
        add(tasksNow, old.state(), -1);
      }
      add(tasksNow, task.state(), +1);
      List<AttemptRecord> oldAttempts = old == null ? List.of() : old.attempts();
      for (int k = 0; k < task.attempts().size(); k++) {
        AttemptRecord a = task.attempts().get(k);
        AttemptRecord o = k < oldAttempts.size() && oldAttempts.get(k).attempt() == a.attempt() ? oldAttempts.get(k)
            : oldAttempts.stream().filter(x -> x.attempt() == a.attempt()).findFirst().orElse(null);
        if (o == a) {
          continue;
        }
        AttemptState wasState = o == null ? null : o.state();
        boolean ranBefore = wasState == AttemptState.RUNNING || (wasState != null && wasState.isTerminal());
        boolean runsNow = a.state() == AttemptState.RUNNING || (a.state().isTerminal() && a.startedAt() != null);
        if (runsNow && !ranBefore) {
          attemptsStarted.increment();
          if (a.startedAt() != null && (firstStart == null || a.startedAt().isBefore(firstStart))) {
            firstStart = a.startedAt();
          }
        }
        if (a.state().isTerminal() && (wasState == null || !wasState.isTerminal())) {
          attemptsFinished.get(a.state()).increment();
        }
      }
    }
    return firstStart;
  }

  private void countTasks(JobRecord job, int delta) {
    for (TaskRecord t : job.tasks()) {
      add(tasksNow, t.state(), delta);
    }
  }

  private static <S extends Enum<S>> void add(Map<S, AtomicLong> gauges, S state, int delta) {
    AtomicLong n = gauges.get(state);
    if (n != null) {
      n.addAndGet(delta);
    }
  }

  private static double placementQueue(Map<String, JobRecord> jobs, Clock clock) {
    Instant now = clock.instant();
    long n = 0;
    for (JobRecord job : jobs.values()) {
      n += JobLogic.readyTasks(job, now).size();
    }
    return n;
  }

  private static Duration between(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
