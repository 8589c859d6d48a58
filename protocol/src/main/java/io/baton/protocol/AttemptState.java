package io.baton.protocol;

/** States of a task attempt (and of a task: the state of its latest attempt, or PENDING). See SPEC.md. */
public enum AttemptState {
  PENDING, SCHEDULED, RUNNING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, LOST;

  public boolean isTerminal() {
    return ordinal() >= SUCCEEDED.ordinal();
  }

  /** A terminal state after which the task may be retried while attempts remain. */
  public boolean isRetryable() {
    return this == FAILED || this == TIMED_OUT || this == LOST;
  }
}
