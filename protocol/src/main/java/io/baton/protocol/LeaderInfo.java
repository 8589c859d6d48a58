package io.baton.protocol;

import java.util.Objects;

/**
 * What the leader publishes at {@code /baton/<cluster-id>/leader}: its epoch, a session id that is unique
 * per leadership term, its Pekko address and its REST URL.
 */
public record LeaderInfo(Epoch epoch, String sessionId, String address, String restUrl) {
  public LeaderInfo {
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(restUrl, "restUrl");
  }
}
