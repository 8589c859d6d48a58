package io.baton.scheduler.api;

import io.baton.scheduler.alerts.AlertSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.policy.Retention;
import java.time.Duration;

/**
 * Settings of the master's scheduling core, parsed once at start-up.
 *
 * @param heartbeatInterval how often workers heartbeat and the leader checks for silent workers
 * @param heartbeatTimeout a worker silent this long is DEAD and its attempts LOST
 * @param backoff retry backoff
 * @param askTimeout how long REST calls wait for the leader's actors
 * @param maxQueuedTasks most tasks the leader holds in unfinished jobs; a submission beyond it fails with
 *     {@link QueueFullException}
 * @param retention how long finished jobs are kept
 * @param misfireThreshold a schedule's fire due this much before now is a misfire (its policy decides); a younger
 *     one simply runs late
 * @param alerts how alerts are delivered
 * @param fireAhead how long before its instant a fire of an {@code overlap: allow} schedule is submitted (its job
 *     waits, persisted, for the instant); zero submits every fire at its instant
 */
public record SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout,
    long maxQueuedTasks, Retention retention, Duration misfireThreshold, AlertSettings alerts, Duration fireAhead) {
  /** The default of {@code baton.schedules.misfire-threshold}: well above a failover's few seconds. */
  public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofSeconds(60);

  /**
   * The default of {@code baton.schedules.fire-ahead}: more than the 1.2 to 2.6 s it takes this 2-core machine to
   * persist 10,000 fires due in the same second (BENCHMARKS.md), so they are all durable before their instant.
   */
  public static final Duration DEFAULT_FIRE_AHEAD = Duration.ofSeconds(5);
  /** The most {@code baton.schedules.fire-ahead} may be: a pause or a delete cancels fires this far ahead. */
  public static final Duration MAX_FIRE_AHEAD = Duration.ofMinutes(1);

  /** The default of {@code baton.scheduler.max-queued-tasks}. */
  public static final long DEFAULT_MAX_QUEUED_TASKS = 100_000;

  public SchedulerSettings {
    if (maxQueuedTasks < 1) {
      throw new IllegalArgumentException("maxQueuedTasks must be positive, not " + maxQueuedTasks);
    }
    alerts = alerts == null ? AlertSettings.DEFAULT : alerts;
    fireAhead = fireAhead == null ? DEFAULT_FIRE_AHEAD : fireAhead;
    if (fireAhead.isNegative() || fireAhead.compareTo(MAX_FIRE_AHEAD) > 0) {
      throw new IllegalArgumentException("baton.schedules.fire-ahead must be from 0s to " + MAX_FIRE_AHEAD.toSeconds()
          + "s, not " + fireAhead.toMillis() + " ms");
    }
  }

  public SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout,
      long maxQueuedTasks, Retention retention, Duration misfireThreshold, AlertSettings alerts) {
    this(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, maxQueuedTasks, retention, misfireThreshold, alerts,
        DEFAULT_FIRE_AHEAD);
  }

  public SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout,
      long maxQueuedTasks, Retention retention, Duration misfireThreshold) {
    this(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, maxQueuedTasks, retention, misfireThreshold,
        AlertSettings.DEFAULT);
  }

  public SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout) {
    this(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, DEFAULT_MAX_QUEUED_TASKS);
  }

  public SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout,
      long maxQueuedTasks) {
    this(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, maxQueuedTasks, Retention.DEFAULT,
        DEFAULT_MISFIRE_THRESHOLD);
  }

  public SchedulerSettings withRetention(Retention next) {
    return new SchedulerSettings(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, maxQueuedTasks, next,
        misfireThreshold, alerts, fireAhead);
  }

  public SchedulerSettings withAlerts(AlertSettings next) {
    return new SchedulerSettings(heartbeatInterval, heartbeatTimeout, backoff, askTimeout, maxQueuedTasks, retention,
        misfireThreshold, next, fireAhead);
  }

}
