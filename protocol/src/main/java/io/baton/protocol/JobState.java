package io.baton.protocol;

/** States of a job; see SPEC.md. */
public enum JobState {
  PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
