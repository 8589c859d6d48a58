package io.baton.wire;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import java.time.Instant;

/**
 * A worker's account of one attempt: RUNNING, or a terminal state with its exit code (null for handlers
 * that threw, for kills and for timeouts) and a short message, cut to {@link WireLimits#MAX_TEXT_CHARS}. The
 * worker repeats it until acknowledged.
 */
public record AttemptReport(
    AttemptKey key, AttemptState state, Integer exitCode, Instant startedAt, Instant finishedAt, String message) {
  public AttemptReport {
    message = WireLimits.truncate(message);
  }
}
