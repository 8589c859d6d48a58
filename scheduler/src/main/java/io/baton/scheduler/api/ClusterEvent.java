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
}
