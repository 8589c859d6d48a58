package io.baton.scheduler.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How long finished jobs are kept: a settled job is deleted once it finished more than {@code maxAge} ago, and
 * the oldest settled jobs beyond the newest {@code maxCount} are deleted whatever their age. Unfinished jobs are
 * never candidates (the caller passes settled jobs only). Immutable.
 *
 * @param maxAge how long after it finished a job is kept
 * @param maxCount most settled jobs kept
 * @param sweepInterval how often the leader looks for jobs to delete
 * @param maxPerSweep most jobs one sweep deletes (the next sweep follows at once when it was reached)
 */
public record Retention(Duration maxAge, long maxCount, Duration sweepInterval, int maxPerSweep) {
  /** Defaults (see README "Retention"): three days, 20,000 jobs, a sweep a minute. */
  public static final Retention DEFAULT = new Retention(Duration.ofDays(3), 20_000, Duration.ofMinutes(1), 5_000);

  public Retention {
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("retention max-age must be positive, not " + maxAge);
    }
    if (maxCount < 0) {
      throw new IllegalArgumentException("retention max-count must not be negative, not " + maxCount);
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("retention sweep interval must be positive, not " + sweepInterval);
    }
    if (maxPerSweep < 1) {
      throw new IllegalArgumentException("retention max-per-sweep must be positive, not " + maxPerSweep);
    }
  }

  /** A settled job as retention sees it. */
  public record Finished(String jobId, Instant finishedAt) {}

  /**
   * The jobs to delete now, oldest first, at most {@code maxPerSweep}. {@code settled} is every settled job,
   * oldest submission first; a job without a finish time counts as finished at {@code now}.
   */
  public List<String> expired(List<Finished> settled, Instant now) {
    Instant cutoff = now.minus(maxAge);
    long overCount = Math.max(0, settled.size() - maxCount);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < settled.size() && out.size() < maxPerSweep; i++) {
      Finished f = settled.get(i);
      boolean old = f.finishedAt() != null && f.finishedAt().isBefore(cutoff);
      if (i < overCount || old) {
        out.add(f.jobId());
      }
    }
    return out;
  }
}
