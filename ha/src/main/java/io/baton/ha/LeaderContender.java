package io.baton.ha;

import io.baton.protocol.Epoch;

/**
 * The component that wants to lead (a master). {@link LeaderElection} calls it from its own event thread,
 * one call at a time, in the order things happened: grant, revoke, grant, ... Implementations must not block;
 * an actor turns each call into a message to itself.
 */
public interface LeaderContender {
  /**
   * This contender now leads for {@code epoch}, which is larger than every epoch granted before in this
   * cluster. The contender starts its leader session and, once ready, calls
   * {@link LeaderElection#confirmLeadership}.
   */
  void grantLeadership(Epoch epoch);

  /** Leadership is gone (connection suspended or lost, or the election was closed): stop leading now. */
  void revokeLeadership();

  /** The election service failed in a way it cannot recover from; the contender should step down loudly. */
  void handleError(Throwable error);
}
