package io.baton.testkit;

import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.util.UUID;

/**
 * A master stand-in: contends in an election and, as soon as it is granted leadership, publishes {@code address}
 * (a gateway's actor-system address) as the leader, with a fresh session id per term. Revocations and errors are
 * ignored; use {@link RecordingContender} to see them.
 */
public final class TestingLeader implements LeaderContender {
  private final String address;
  private final String restUrl;
  private volatile LeaderElection election;

  public TestingLeader(String address) {
    this(address, "http://127.0.0.1:1");
  }

  public TestingLeader(String address, String restUrl) {
    this.address = address;
    this.restUrl = restUrl;
  }

  /** Starts contending in {@code e}; returns this. */
  public TestingLeader start(LeaderElection e) throws Exception {
    this.election = e;
    e.start(this);
    return this;
  }

  @Override
  public void grantLeadership(Epoch epoch) {
    election.confirmLeadership(epoch, new LeaderInfo(epoch, UUID.randomUUID().toString(), address, restUrl));
  }

  @Override
  public void revokeLeadership() {}

  @Override
  public void handleError(Throwable error) {}
}
