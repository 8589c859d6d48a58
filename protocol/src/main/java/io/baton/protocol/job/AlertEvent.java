package io.baton.protocol.job;

/** What a job's {@link Webhook} webhook is told about. Persisted by name order of the enum: append only. */
public enum AlertEvent {
  /** The job finished FAILED. */
  FAILED,
  /** The job finished SUCCEEDED. */
  SUCCEEDED,
  /** One of its attempts has been running longer than {@link Webhook#runningLongerThanSeconds()}. */
  RUNNING_LONG
}
