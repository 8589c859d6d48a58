package io.baton.protocol.job;

import io.baton.protocol.AttemptState;
import java.time.Instant;

/**
 * One attempt of a task as the leader knows it. {@code exitCode}, {@code workerId}, the timestamps and
 * {@code message} are null until known. {@code resultBytes} is the size of the result the attempt left (stored
 * apart from the job's record, see {@code JobStore.putResult}), or null when it left none.
 */
public record AttemptRecord(
    int attempt,
    AttemptState state,
    String workerId,
    Integer exitCode,
    Instant startedAt,
    Instant finishedAt,
    String message,
    Integer resultBytes) {

  /** An attempt without a result. */
  public AttemptRecord(int attempt, AttemptState state, String workerId, Integer exitCode, Instant startedAt,
      Instant finishedAt, String message) {
    this(attempt, state, workerId, exitCode, startedAt, finishedAt, message, null);
  }

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
        newMessage != null ? newMessage : message,
        resultBytes);
  }

  /** This attempt, noting that it left a result of {@code bytes} bytes. */
  public AttemptRecord withResultBytes(Integer bytes) {
    return new AttemptRecord(attempt, state, workerId, exitCode, startedAt, finishedAt, message, bytes);
  }
}
