package io.baton.ha;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Elects one leader among the masters of a cluster. One instance per master process; {@link #start} once.
 * Epochs grow with every grant across the whole cluster (they are the fencing token).
 */
public interface LeaderElection extends AutoCloseable {
  /** Starts contending. The contender hears of grants and revocations on the election's own thread. */
  void start(LeaderContender contender) throws Exception;

  /**
   * Publishes {@code info} as the leader (SPEC.md's {@code /leader}) if {@code epoch} is still this process's
   * current term. Completes exceptionally with {@link FencedException} when it is not.
   */
  CompletableFuture<Void> confirmLeadership(Epoch epoch, LeaderInfo info);

  /**
   * Whether this process still leads for {@code epoch}, as far as it knows locally (no round trip). It turns false
   * at the first sign of loss (for ZooKeeper: the connection suspended or lost), possibly before the contender is
   * told through {@link LeaderContender#revokeLeadership}; the job store's fenced writes stop at the same moment.
   * Any thread.
   */
  boolean hasLeadership(Epoch epoch);

  /** The participant ids (each master's REST URL) currently contending, the leader among them. */
  List<String> participants();

  /**
   * A planned handover: gives up leadership now, if this process holds it, without waiting for a session to end.
   * The contender is told first ({@link LeaderContender#revokeLeadership}), then this term's {@code /leader} and
   * latch node are removed, so the next contender is granted at once. With {@code rejoin} this process goes on
   * contending, behind the others (it leads again only when nobody else can); without it, it stops contending, as
   * {@link #close} does. Returns when done. Callers stop their own work first (the store's fenced writes fail from
   * here on). Any thread but the contender's callbacks.
   */
  void stepDown(boolean rejoin);

  /** Stops contending; a current leadership is revoked first. */
  @Override
  void close();
}
