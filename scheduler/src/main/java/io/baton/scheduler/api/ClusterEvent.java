package io.baton.scheduler.api;

import io.baton.protocol.job.JobRecord;

/**
 * A change the leader publishes on its ActorSystem's event stream ({@code system.eventStream()}), for live views
 * such as {@code GET /api/v1/events}. Subscribe with {@code EventStream.Subscribe(ClusterEvent.class, ref)}.
 * Events are published as they happen, with no coalescing: a subscriber that shows them to people should
 * coalesce per job. Only the leader publishes; a standby has none.
 */
public sealed interface ClusterEvent {
  /** A job was accepted or changed (its state, a task's state, an attempt). */
  record JobChanged(JobRecord job) implements ClusterEvent {}

  /** A finished job was deleted (on request or by retention). */
  record JobRemoved(String jobId) implements ClusterEvent {}

  /** A worker registered, or changed state (ALIVE, DEAD). */
  record WorkerChanged(WorkerView worker) implements ClusterEvent {}

  /**
   * One delivery attempt of an alert to its webhook, and how it ended; {@code pending}: the alerts the leader's
   * outbox holds after it (not yet delivered nor given up). For metrics; not shown on the live page.
   */
  record AlertDelivery(String alertId, AlertOutcome outcome, int pending) implements ClusterEvent {}

  /** How an alert delivery attempt ended. */
  enum AlertOutcome {
    /** The webhook answered 2xx: the alert is delivered. */
    DELIVERED,
    /** Another status, no answer, or no secret to sign it: it is tried again after a backoff. */
    FAILED,
    /** It failed and was the last attempt ({@code baton.alerts.max-attempts}): the alert is dropped. */
    GIVEN_UP
  }
}
