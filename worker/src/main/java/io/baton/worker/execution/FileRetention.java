package io.baton.worker.execution;

import java.time.Duration;

/**
 * A worker's own limits on what it keeps of finished jobs, besides deleting what the leader says was deleted
 * (a worker that was away then misses that): files unchanged for {@code maxAge}, and the oldest beyond
 * {@code maxBytes} in all, checked every {@code every} (see {@link AttemptFiles#sweep}). Immutable.
 */
public record FileRetention(Duration maxAge, long maxBytes, Duration every) {
  /** Three days (as the masters' default retention), 10 GiB, every 10 minutes. */
  public static final FileRetention DEFAULT =
      new FileRetention(Duration.ofDays(3), 10L * 1024 * 1024 * 1024, Duration.ofMinutes(10));

  public FileRetention {
    if (maxAge.isNegative() || maxAge.isZero() || maxBytes < 0 || every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("file retention needs a positive age and interval and bytes >= 0, not "
          + maxAge + ", " + maxBytes + ", " + every);
    }
  }
}
