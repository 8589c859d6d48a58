package io.baton.wire;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Decides which rejections of a peer's input are logged, so that a peer retrying (Artery restarts a refused
 * connection every second) or flooding cannot flood the log: the first rejection, then at most one per
 * interval, each saying how many were left out since the last. Times are monotonic nanos passed in by the caller.
 * Thread-safe.
 */
public final class RejectionLog {
  private final long intervalNanos;
  private boolean logged;
  private long lastNanos;
  private long suppressed;

  public RejectionLog(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /** A rejection at {@code nowNanos}: the number left out since the last one logged when this one is to be logged. */
  public synchronized OptionalLong admit(long nowNanos) {
    if (logged && nowNanos - lastNanos < intervalNanos) {
      suppressed++;
      return OptionalLong.empty();
    }
    logged = true;
    lastNanos = nowNanos;
    long left = suppressed;
    suppressed = 0;
    return OptionalLong.of(left);
  }
}
