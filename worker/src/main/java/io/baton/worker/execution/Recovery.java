package io.baton.worker.execution;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Accounts for what a previous life of this worker left in its run records. Called once by the
 * {@link AttemptRunner}, on its own thread, when it starts; must not block: the work runs elsewhere and the
 * stage completes (on any thread) with what {@link Leftovers#reap} found, or fails. The runner handles no
 * command until it completes.
 */
@FunctionalInterface
public interface Recovery {
  CompletionStage<Leftovers.Result> recover(RunRecords store, String workerId, Instant now);

  /** {@link Leftovers#reap} on a thread of its own, waiting up to {@code killWait} for killed processes to go. */
  static Recovery reaping(Duration killWait) {
    return (store, workerId, now) -> {
      CompletableFuture<Leftovers.Result> result = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          result.complete(Leftovers.reap(store, workerId, now, killWait));
        } catch (Exception | Error e) {
          result.completeExceptionally(e);
        }
      }, "baton-recovery");
      t.setDaemon(true);
      t.start();
      return result;
    };
  }
}
