package io.baton.worker.execution;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One attempt that was started: an OS process or a handler on the handler pool. {@link #outcome()} completes
 * exactly once, on an arbitrary thread, when the attempt has ended. {@link #kill()} may be called from any
 * thread, any number of times; for a process it kills the whole tree and the outcome follows when the process
 * is gone; for a handler it interrupts the thread and completes the outcome at once. {@link #process()} is the OS
 * process of a command that started, empty for a handler or a command that could not start.
 */
public interface RunningAttempt {
  CompletionStage<Outcome> outcome();

  void kill();

  default Optional<ProcessHandle> process() {
    return Optional.empty();
  }

  /**
   * Moves the deadline after which the attempt kills itself unless renewed again (on {@link System#nanoTime()}'s
   * clock): a command's guard enforces it even while the worker JVM is frozen. Nothing for a handler, which
   * lives and freezes with the JVM.
   */
  default void renewLease(long deadlineNanos) {}

  /**
   * How an attempt ended: an exit code, or ({@code exitCode} null) an error message; {@code lost} when it was
   * killed because the worker lost its authority to run it (the lease ran out), whatever it was doing.
   */
  record Outcome(Integer exitCode, String error, boolean lost) {
    public static Outcome exit(int code) {
      return new Outcome(code, null, false);
    }

    public static Outcome error(String message) {
      return new Outcome(null, message, false);
    }

    public static Outcome lost(String message) {
      return new Outcome(null, message, true);
    }
  }
}
