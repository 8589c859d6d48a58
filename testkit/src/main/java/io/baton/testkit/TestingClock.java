package io.baton.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Time that moves only when a test says so: a wall {@link Clock} and a monotonic nanosecond source
 * ({@link #getAsLong}, the stand-in for {@link System#nanoTime}) that advance together. A test on Pekko's
 * {@code ManualTime} advances this clock by the same amount before it lets the timers fire. Thread-safe.
 */
public final class TestingClock extends Clock implements LongSupplier {
  private final Instant start;
  private final AtomicLong elapsedNanos;

  public TestingClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public TestingClock(Instant start) {
    this(start, new AtomicLong());
  }

  private TestingClock(Instant start, AtomicLong elapsedNanos) {
    this.start = start;
    this.elapsedNanos = elapsedNanos;
  }

  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time does not go back: " + d);
    }
    elapsedNanos.addAndGet(d.toNanos());
  }

  /** The monotonic nanos: starts at an arbitrary large value, as {@link System#nanoTime} may. */
  @Override
  public long getAsLong() {
    return 1_000_000_000_000L + elapsedNanos.get();
  }

  @Override
  public Instant instant() {
    return start.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    throw new UnsupportedOperationException("a TestingClock is in UTC");
  }
}
