package io.baton.scheduler.leader.protocol;

import io.baton.protocol.AttemptKey;
import io.baton.wire.AttemptReport;
import java.util.List;

/**
 * What the ResourceManager tells the owner of attempts (the job's JobMaster) and, for an attempt no JobMaster
 * owns, the Dispatcher. The receivers turn these into their own commands with a {@code messageAdapter}, so the
 * ResourceManager never names their types.
 */
public sealed interface AttemptEvent {
  /** Attempts placed in one round: capacity is held for them, they start once {@code Launch}ed. */
  record AttemptsPlaced(List<Placement> placements) implements AttemptEvent {
    public AttemptsPlaced {
      placements = List.copyOf(placements);
    }
  }

  record Placement(AttemptKey key, String workerId) {}

  /**
   * A report of an attempt; {@code provenNotStarted}: a LOST report that proves the attempt never started, so a
   * retry does not count against the task's retries.
   */
  record AttemptReported(AttemptReport report, String workerId, boolean provenNotStarted) implements AttemptEvent {}

  /** An earlier {@code CancelAttempts} was processed: no AttemptsPlaced can follow for those keys. */
  record CancelsDone() implements AttemptEvent {}
}
