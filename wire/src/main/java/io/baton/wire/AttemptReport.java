package io.baton.wire;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import java.time.Instant;

/**
 * A worker's account of one attempt: RUNNING, or a terminal state with its exit code (null for handlers
 * that threw, for kills and for timeouts) and a short message, cut to {@link WireLimits#MAX_TEXT_CHARS}. A
 * SUCCEEDED attempt may carry the result it left ({@code $BATON_RESULT}, UTF-8, at most
 * {@link WireLimits#MAX_RESULT_BYTES}), else {@code result} is null. The worker repeats it until acknowledged.
 */
public record AttemptReport(
    AttemptKey key, AttemptState state, Integer exitCode, Instant startedAt, Instant finishedAt, String message,
    String result) {
  public AttemptReport {
    message = WireLimits.truncate(message);
  }

  /** A report without a result. */
  public AttemptReport(AttemptKey key, AttemptState state, Integer exitCode, Instant startedAt, Instant finishedAt,
      String message) {
    this(key, state, exitCode, startedAt, finishedAt, message, null);
  }

  /** This report without its result and stated RUNNING: what a registration says of it when over its budget. */
  public AttemptReport asRunning() {
    return new AttemptReport(key, AttemptState.RUNNING, null, startedAt, null, null, null);
  }
}
