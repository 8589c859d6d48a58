package io.baton.worker;

import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.util.UUID;

/** A master stand-in that publishes {@code address} as soon as it is granted leadership. */
final class TestingContender implements LeaderContender {
  private final String address;
  private LeaderElection election;

  TestingContender(String address) {
    this.address = address;
  }

  void start(LeaderElection e) throws Exception {
    this.election = e;
    e.start(this);
  }

  @Override
  public void grantLeadership(Epoch epoch) {
    election.confirmLeadership(epoch,
        new LeaderInfo(epoch, UUID.randomUUID().toString(), address, "http://127.0.0.1:1"));
  }

  @Override
  public void revokeLeadership() {}

  @Override
  public void handleError(Throwable error) {}
}
