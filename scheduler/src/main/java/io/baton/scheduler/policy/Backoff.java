package io.baton.scheduler.policy;

import java.time.Duration;

/**
 * Exponential backoff with jitter for retries: attempt n (the one that failed, from 1) waits
 * {@code min(max, base * 2^(n-1))}, scaled by a factor in {@code [1 - jitter, 1 + jitter]} drawn from
 * {@code random01} (a value in [0, 1)). Pure.
 */
public record Backoff(Duration base, Duration max, double jitter) {
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 0.2);

  public Backoff {
    if (base.isNegative() || max.compareTo(base) < 0 || jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("invalid backoff " + base + ".." + max + " jitter " + jitter);
    }
  }

  public Duration delay(int failedAttempt, double random01) {
    int doublings = Math.max(0, Math.min(failedAttempt - 1, 40));
    double raw = Math.min((double) max.toMillis(), base.toMillis() * Math.pow(2, doublings));
    double factor = 1 - jitter + 2 * jitter * random01;
    return Duration.ofMillis(Math.round(Math.min(max.toMillis(), raw * factor)));
  }
}
