package io.baton.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting for something another thread or process does: polls a condition until it holds or a deadline passes,
 * then fails naming what it waited for. The one poll loop of Baton's tests; never a bare sleep. Used by the
 * {@code *IT} and {@code *E2E} tiers (real ZooKeeper, real processes); the {@code *Test} tier runs on manual
 * time and has nothing to wait for.
 */
public final class Eventually {
  /** The default deadline: long enough for a loaded 2-core CI machine, short enough to fail a hung test. */
  public static final Duration WAIT = Duration.ofSeconds(10);

  private static final long POLL_MILLIS = 20;

  private Eventually() {}

  /** Waits up to {@link #WAIT} for {@code condition}. */
  public static void eventually(String what, BooleanSupplier condition) {
    eventually(what, WAIT, condition);
  }

  public static void eventually(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
  }
}
