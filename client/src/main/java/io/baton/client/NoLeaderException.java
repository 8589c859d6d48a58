package io.baton.client;

import java.time.Duration;

/** The masters answered, but no leader took the request within the election wait: an election is under way. */
public final class NoLeaderException extends UnreachableException {
  private final Duration waited;

  NoLeaderException(Duration waited, String lastAnswer) {
    super("no leader yet: an election is under way (waited " + seconds(waited) + ")"
        + (lastAnswer == null ? "" : "; last answer: " + lastAnswer), null);
    this.waited = waited;
  }

  public Duration waited() {
    return waited;
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
