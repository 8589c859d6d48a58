package io.baton.scheduler.api;

import io.baton.protocol.LeaderInfo;
import java.util.Optional;

/** This master does not lead; {@code leader} is the leader it knows of, if any. */
public final class NotLeaderException extends RuntimeException {
  private final transient Optional<LeaderInfo> leader;

  public NotLeaderException(Optional<LeaderInfo> leader) {
    super(leader.map(l -> "not the leader; the leader is " + l.restUrl()).orElse("no leader is elected"));
    this.leader = leader;
  }

  public Optional<LeaderInfo> leader() {
    return leader;
  }
}
