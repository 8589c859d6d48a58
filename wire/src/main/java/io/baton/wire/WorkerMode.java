package io.baton.wire;

/**
 * Whether a worker takes new attempts. The worker keeps its own mode and says it in every registration, so a new
 * leader learns it without any store; the leader sets it with {@link ToWorker.SetMode}, the worker tells its own
 * changes with {@link ToLeader.ModeChanged}.
 */
public enum WorkerMode {
  /** Takes new attempts. */
  ACTIVE,
  /** Drained by an operator: takes no new attempts, runs its own to the end, stays up; undrain makes it ACTIVE. */
  DRAINING,
  /** Its process was asked to stop (SIGTERM): takes no new attempts, finishes or hands back its own, then exits. */
  STOPPING,
  /** Drained and exiting now: holds no attempt; the leader counts it gone at once (DEAD). */
  STOPPED;

  /** Whether the leader may place new attempts on a worker in this mode. */
  public boolean takesAttempts() {
    return this == ACTIVE;
  }
}
