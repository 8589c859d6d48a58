package io.baton.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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

  /** Something to look at that may fail while the thing looked at is not up yet. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws Exception;
  }

  /**
   * Polls {@code probe} until its value satisfies {@code condition} and returns that value. A probe that throws an
   * {@link Exception} counts as "not yet"; an {@link Error} (a failed assertion: say, the process died) fails at
   * once. On timeout, fails with the last value seen, or the last exception as the cause.
   */
  public static <T> T eventually(String what, Duration timeout, Probe<T> probe, Predicate<? super T> condition) {
    Object[] last = {null};
    Exception[] lastError = {null};
    @SuppressWarnings("unchecked")
    T[] found = (T[]) new Object[1];
    try {
      eventually(what, timeout, () -> {
        try {
          T value = probe.get();
          last[0] = value;
          lastError[0] = null;
          if (condition.test(value)) {
            found[0] = value;
            return true;
          }
        } catch (Exception e) {
          lastError[0] = e;
        }
        return false;
      });
    } catch (AssertionError timedOut) {
      AssertionError e = new AssertionError(timedOut.getMessage()
          + (lastError[0] != null ? " (last: " + lastError[0] + ")" : "; last seen: " + last[0]), lastError[0]);
      throw e;
    }
    return found[0];
  }
}
