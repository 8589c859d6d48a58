package io.baton.worker.connection;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.time.Duration;
import java.util.Optional;

/**
 * The worker's view of its leader: the newest epoch seen (the fencing token), the leader it follows, whether
 * that leader accepted its registration, and the worker's lease: its authority to run attempts.
 *
 * <p>The lease is anchored on the newest message of this worker that the followed leader is known to have
 * received: a registration or heartbeat whose answer echoed the time it was sent. The leader declares the worker
 * DEAD (and may rerun its attempts) only once it has heard nothing from it for the heartbeat timeout, counted from
 * when it received that message, which was after it was sent; so a lease that ends at anchor + timeout - margin
 * ends before the leader can act, however long the answer took to come back. Measuring from when an answer
 * arrived would not be safe. Pure: times are monotonic nanos passed in by the caller. Not thread-safe; owned by
 * the worker actor.
 */
public final class LeaderConnection {
  private Epoch newestEpoch = Epoch.NONE;
  private LeaderInfo leader;
  private boolean registered;
  private long anchorNanos;
  private int registrationTries;

  /** A worker just started: its lease is anchored now (it runs nothing yet). */
  public LeaderConnection(long nowNanos) {
    this.anchorNanos = nowNanos;
  }

  /** What a newly published leader means for the worker. */
  public enum Change { IGNORED_STALE, SAME_LEADER, NEW_LEADER, NO_LEADER }

  /**
   * A leader was published (or none). A leader older than the newest epoch seen is ignored; the same session
   * again changes nothing; otherwise the worker follows it, unregistered.
   */
  public Change leaderPublished(Optional<LeaderInfo> published) {
    if (published.isEmpty()) {
      leader = null;
      registered = false;
      return Change.NO_LEADER;
    }
    LeaderInfo info = published.get();
    if (info.epoch().compareTo(newestEpoch) < 0) {
      return Change.IGNORED_STALE;
    }
    newestEpoch = info.epoch();
    if (leader != null && leader.sessionId().equals(info.sessionId()) && leader.epoch().equals(info.epoch())) {
      return Change.SAME_LEADER;
    }
    leader = info;
    registered = false;
    registrationTries = 0;
    return Change.NEW_LEADER;
  }

  /**
   * A message from a leader with {@code epoch} arrived: true only when that is the epoch of the leader followed
   * now, the one read from the leader record. Older epochs are deposed leaders; newer ones are not known to be
   * leaders (the record will say so if they are): a message cannot raise the epoch a worker obeys.
   */
  public boolean accept(Epoch epoch) {
    return leader != null && leader.epoch().equals(epoch);
  }

  /**
   * The leader of {@code epoch} answered a message this worker sent at {@code sentAtNanos}: when that is the
   * leader followed now, the lease is anchored there (it never moves back). Returns whether the anchor moved.
   */
  public boolean answered(Epoch epoch, long sentAtNanos) {
    if (leader == null || !leader.epoch().equals(epoch) || sentAtNanos <= anchorNanos) {
      return false;
    }
    anchorNanos = sentAtNanos;
    return true;
  }

  /**
   * When the lease ends: {@code timeout} (the heartbeat timeout the leader applies) after the anchor, less
   * {@code margin} for killing the attempts and for clock rate differences.
   */
  public long leaseDeadline(Duration timeout, Duration margin) {
    return anchorNanos + timeout.minus(margin).toNanos();
  }

  /** Registration accepted by the leader of {@code epoch}; true when that is the leader followed now. */
  public boolean registrationAccepted(Epoch epoch) {
    if (leader == null || !leader.epoch().equals(epoch)) {
      return false;
    }
    registered = true;
    registrationTries = 0;
    return true;
  }

  public void unregistered() {
    registered = false;
  }

  /** Counts a registration try and returns how long to wait before the next one: interval * 2^tries, capped. */
  public Duration nextRegistrationDelay(Duration base, Duration max) {
    int tries = Math.min(registrationTries++, 16);
    Duration d = base.multipliedBy(1L << tries);
    return d.compareTo(max) > 0 ? max : d;
  }

  /** Whether running attempts must be killed: some are running and the lease has ended. */
  public boolean mustSelfFence(long nowNanos, int running, Duration timeout, Duration margin) {
    return running > 0 && nowNanos - leaseDeadline(timeout, margin) >= 0;
  }

  /** How long ago the newest message the leader answered was sent. */
  public Duration unansweredFor(long nowNanos) {
    return Duration.ofNanos(nowNanos - anchorNanos);
  }

  public Epoch newestEpoch() {
    return newestEpoch;
  }

  public Optional<LeaderInfo> leader() {
    return Optional.ofNullable(leader);
  }

  public boolean isRegistered() {
    return registered;
  }

  /** The epoch to put on messages to the leader followed now (the newest epoch seen when none). */
  public Epoch epoch() {
    return leader != null ? leader.epoch() : newestEpoch;
  }
}
