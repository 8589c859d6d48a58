package io.baton.protocol.job;

import io.baton.protocol.AttemptState;
import java.time.Instant;

/**
 * One attempt of a task as the leader knows it. {@code exitCode}, {@code workerId}, the timestamps and
 * {@code message} are null until known.
 */
public record AttemptRecord(
    int attempt,
    AttemptState state,
    String workerId,
    Integer exitCode,
    Instant startedAt,
    Instant finishedAt,
    String message) {

  public static AttemptRecord scheduled(int attempt, String workerId) {
    return new AttemptRecord(attempt, AttemptState.SCHEDULED, workerId, null, null, null, null);
  }

  public AttemptRecord with(AttemptState newState, Integer newExitCode, Instant newStartedAt, Instant newFinishedAt, String newMessage) {
    return new AttemptRecord(
        attempt,
        newState,
        workerId,
        newExitCode != null ? newExitCode : exitCode,
        startedAt != null ? startedAt : newStartedAt,
        newFinishedAt != null ? newFinishedAt : finishedAt,
        newMessage != null ? newMessage : message);
  }
}
