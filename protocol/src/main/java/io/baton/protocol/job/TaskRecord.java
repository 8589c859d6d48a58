package io.baton.protocol.job;

import io.baton.protocol.AttemptState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A task's state and its attempts, oldest first. {@code state} is PENDING before the first attempt and
 * while a retry waits for its backoff ({@code retryAt}); otherwise the state of the latest attempt.
 */
public record TaskRecord(String taskId, AttemptState state, List<AttemptRecord> attempts, Instant retryAt) {
  public TaskRecord {
    attempts = List.copyOf(attempts);
  }

  public static TaskRecord pending(String taskId) {
    return new TaskRecord(taskId, AttemptState.PENDING, List.of(), null);
  }

  public Optional<AttemptRecord> latest() {
    return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
  }

  public Optional<AttemptRecord> attempt(int number) {
    return attempts.stream().filter(a -> a.attempt() == number).findFirst();
  }

  public TaskRecord withState(AttemptState newState, Instant newRetryAt) {
    return new TaskRecord(taskId, newState, attempts, newRetryAt);
  }

  public TaskRecord withAttempt(AttemptRecord record) {
    List<AttemptRecord> next = new ArrayList<>(attempts);
    int i = 0;
    while (i < next.size() && next.get(i).attempt() != record.attempt()) {
      i++;
    }
    if (i < next.size()) {
      next.set(i, record);
    } else {
      next.add(record);
    }
    AttemptRecord last = next.get(next.size() - 1);
    return new TaskRecord(taskId, last.state(), next, null);
  }
}
