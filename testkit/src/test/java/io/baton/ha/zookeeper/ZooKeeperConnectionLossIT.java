package io.baton.ha.zookeeper;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingZooKeeper;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

class ZooKeeperConnectionLossIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void suspendedRevokesTheLeaderButRetrievalKeepsTheLastLeader() throws Exception {
    try (TestingServer server = TestingZooKeeper.server();
        CuratorFramework leaderClient = TestingZooKeeper.client(server.getConnectString());
        CuratorFramework workerClient = TestingZooKeeper.client(server.getConnectString());
        ZooKeeperHaServices leaderHa = ZooKeeperHaServices.forClient(leaderClient, "loss");
        ZooKeeperHaServices workerHa = ZooKeeperHaServices.forClient(workerClient, "loss")) {
      RecordingContender contender = new RecordingContender();
      LeaderElection election = leaderHa.leaderElection("http://a:8080");
      election.start(contender);
      Epoch e1 = assertInstanceOf(RecordingContender.Granted.class, contender.next(WAIT)).epoch();
      LeaderInfo info = new LeaderInfo(e1, "s1", "pekko://baton@127.0.0.1:2552", "http://a:8080");
      election.confirmLeadership(e1, info).get(5, TimeUnit.SECONDS);

      List<Optional<LeaderInfo>> seen = new CopyOnWriteArrayList<>();
      LeaderRetrieval retrieval = workerHa.leaderRetrieval();
      retrieval.start(seen::add);
      eventually("initial leader", WAIT, () -> seen.size() == 1);
      assertEquals(Optional.of(info), seen.get(0));

      server.stop();
      eventually("SUSPENDED", WAIT, () -> "SUSPENDED".equals(workerHa.connectionState()));
      assertInstanceOf(RecordingContender.Revoked.class, contender.next(WAIT), "SUSPENDED counts as not leader");
      assertFalse(election.hasLeadership(e1));
      assertEquals(List.of(Optional.of(info)), seen, "a suspended connection is not reported as no leader");
      assertEquals(Optional.of(info), retrieval.current());

      server.restart();
      eventually("CONNECTED again", WAIT, () -> "CONNECTED".equals(workerHa.connectionState()));
      Epoch e2 = assertInstanceOf(RecordingContender.Granted.class, contender.next(WAIT)).epoch();
      assertTrue(e2.value() > e1.value(), "a new grant after suspension gets a new epoch");
      LeaderInfo info2 = new LeaderInfo(e2, "s2", "pekko://baton@127.0.0.1:2552", "http://a:8080");
      election.confirmLeadership(e2, info2).get(5, TimeUnit.SECONDS);
      eventually("retrieval sees the new term", WAIT, () -> seen.get(seen.size() - 1).equals(Optional.of(info2)));
    }
  }
}
