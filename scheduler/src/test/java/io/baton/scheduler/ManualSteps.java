package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.testkit.TestingClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Waiting in a manual-time actor test: gives the actors a moment to handle what is queued and, while a condition
 * does not hold yet, moves the clock and Pekko's scheduler on together by one step, at most 100 times. Time is
 * only ever moved here, so what a test asserts about time is manual time.
 */
final class ManualSteps {
  private final ManualTime time;
  private final TestingClock clock;
  private final TestProbe<?> waiter;
  private final Duration step;

  ManualSteps(ManualTime time, TestingClock clock, TestProbe<?> waiter, Duration step) {
    this.time = time;
    this.clock = clock;
    this.waiter = waiter;
    this.step = step;
  }

  void await(BooleanSupplier condition) {
    for (int steps = 0; ; steps++) {
      try {
        waiter.awaitAssert(Duration.ofMillis(20), () -> {
          assertTrue(condition.getAsBoolean());
          return null;
        });
        return;
      } catch (AssertionError e) {
        if (steps >= 100) {
          throw e;
        }
        advance(step);
      }
    }
  }

  <T> T get(CompletionStage<T> stage) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    await(future::isDone);
    return future.join();
  }

  void advance(Duration by) {
    clock.advance(by);
    time.timePasses(by);
  }
}
