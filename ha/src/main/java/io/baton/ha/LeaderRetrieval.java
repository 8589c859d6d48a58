package io.baton.ha;

import io.baton.protocol.LeaderInfo;
import java.util.Optional;

/** Watches the published leader. Used by workers, standby masters and clients. */
public interface LeaderRetrieval extends AutoCloseable {
  /** Starts watching; the listener first hears the current leader (possibly empty), then every change. */
  void start(LeaderListener listener) throws Exception;

  /** The leader as last seen, without a round trip. */
  Optional<LeaderInfo> current();

  @Override
  void close();
}
