package io.baton.web;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calls into {@link io.baton.scheduler.api.MasterApi} with a deadline: a call that throws at once becomes a
 * failed stage, one that does not complete within the ask timeout fails with a TimeoutException. Any thread.
 */
final class ApiCalls {
  private final Duration timeout;

  ApiCalls(Duration timeout) {
    this.timeout = timeout;
  }

  <T> CompletionStage<T> call(Supplier<CompletionStage<T>> call) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return stage.toCompletableFuture().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
