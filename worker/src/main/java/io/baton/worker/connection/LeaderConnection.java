package io.baton.worker.connection;

import io.baton.protocol.LeaderInfo;
import java.time.Duration;
import java.util.Optional;

/**
 * The worker's view of its leader: the newest epoch seen (the fencing token), the leader it follows, whether
 * that leader accepted its registration, and when any leader was last heard from. Pure: times are monotonic
 * nanos passed in by the caller. Not thread-safe; owned by the worker actor.
 */
public final class LeaderConnection {
  private long newestEpoch;
  private LeaderInfo leader;
  private boolean registered;
  private long lastHeardNanos;
  private int registrationTries;

  public LeaderConnection(long nowNanos) {
    this.lastHeardNanos = nowNanos;
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
    if (info.epoch() < newestEpoch) {
      return Change.IGNORED_STALE;
    }
    newestEpoch = info.epoch();
    if (leader != null && leader.sessionId().equals(info.sessionId()) && leader.epoch() == info.epoch()) {
      return Change.SAME_LEADER;
    }
    leader = info;
    registered = false;
    registrationTries = 0;
    return Change.NEW_LEADER;
  }

  /**
   * A message from a leader with {@code epoch} arrived: false (ignore it) when it is older than the newest
   * epoch seen; otherwise the epoch is remembered and the leader counts as heard from.
   */
  public boolean accept(long epoch, long nowNanos) {
    if (epoch < newestEpoch) {
      return false;
    }
    newestEpoch = epoch;
    lastHeardNanos = nowNanos;
    return true;
  }

  /** Registration accepted by the leader of {@code epoch}; true when that is the leader followed now. */
  public boolean registrationAccepted(long epoch) {
    if (leader == null || leader.epoch() != epoch) {
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

  /** Whether running attempts must be killed: some are running and no leader was heard for over {@code timeout}. */
  public boolean mustSelfFence(long nowNanos, int running, Duration timeout) {
    return running > 0 && silentFor(nowNanos).compareTo(timeout) > 0;
  }

  public Duration silentFor(long nowNanos) {
    return Duration.ofNanos(nowNanos - lastHeardNanos);
  }

  public long newestEpoch() {
    return newestEpoch;
  }

  public Optional<LeaderInfo> leader() {
    return Optional.ofNullable(leader);
  }

  public boolean isRegistered() {
    return registered;
  }

  /** The epoch to put on messages to the leader followed now (the newest epoch seen when none). */
  public long epoch() {
    return leader != null ? leader.epoch() : newestEpoch;
  }
}
