package io.baton.app.chaos;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A job as {@code GET /api/v1/jobs/{id}} returned it after the run: its tasks and their attempts. */
public record JobRecord(String id, String name, String state, List<Task> tasks) {

  /** A task and its attempts, oldest first. */
  public record Task(String id, String state, List<Attempt> attempts) {
    /** The attempt recorded SUCCEEDED, if any. */
    Optional<Attempt> succeeded() {
      return attempts.stream().filter(a -> a.state().equals("SUCCEEDED")).reduce((first, second) -> second);
    }
  }

  /** One attempt; {@code workerId}, {@code startedAt} and {@code finishedAt} may be null. */
  public record Attempt(int attempt, String state, String workerId, Instant startedAt, Instant finishedAt) {}

  /** A job as the list ({@code GET /api/v1/jobs}) shows it. */
  public record Listed(String id, String name, String state) {}

  boolean terminal() {
    return state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED");
  }
}
