package io.baton.ha;

import io.baton.protocol.LeaderInfo;
import java.util.Optional;

/**
 * Told about leader changes by {@link LeaderRetrieval}, from the retrieval's own thread, one call at a time.
 * Must not block.
 */
public interface LeaderListener {
  /** The published leader changed; empty while none is published (or the store cannot be reached). */
  void leaderChanged(Optional<LeaderInfo> leader);

  /** Retrieval failed in a way it cannot recover from. */
  default void handleError(Throwable error) {}
}
