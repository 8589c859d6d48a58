package io.baton.protocol;

/** Names one attempt of one task of one job. Attempts are numbered from 1. */
public record AttemptKey(String jobId, String taskId, int attempt) {
  @Override
  public String toString() {
    return jobId + "/" + taskId + "#" + attempt;
  }
}
