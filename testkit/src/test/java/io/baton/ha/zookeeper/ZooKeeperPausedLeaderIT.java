package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.LeaderContender;
import io.baton.protocol.Epoch;
import io.baton.testkit.Eventually;
import io.baton.testkit.TestingZooKeeper;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * A leader that wakes from a pause longer than half its session timeout does not act as leader until
 * ZooKeeper has confirmed its latch node: for every thread that wakes with it, before the pause detector has run
 * again, and afterwards until the answer. The pause is played on a clock of the test's (the detector's own ticks
 * are switched off); ZooKeeper is real.
 */
class ZooKeeperPausedLeaderIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NEVER = Duration.ofHours(1);

  private static final class Contender implements LeaderContender {
    final LinkedBlockingQueue<Epoch> granted = new LinkedBlockingQueue<>();

    @Override
    public void grantLeadership(Epoch epoch) {
      granted.add(epoch);
    }

    @Override
    public void revokeLeadership() {}

    @Override
    public void handleError(Throwable error) {}
  }

  private interface Check {
    void run(ZooKeeperLeaderElection election, Epoch epoch, AtomicLong clock, Contender contender,
        CuratorFramework client, ZkPaths paths) throws Exception;
  }

  private static void withLeader(String cluster, Check check) throws Exception {
    try (TestingServer server = TestingZooKeeper.server();
        CuratorFramework client = TestingZooKeeper.client(server.getConnectString())) {
      AtomicLong clock = new AtomicLong(1_000_000_000L);
      ZkPaths paths = new ZkPaths(cluster);
      ZooKeeperLeaderElection election = new ZooKeeperLeaderElection(client, paths, "http://a:8080", new Terms(),
          NEVER, clock::get);
      try {
        Contender contender = new Contender();
        election.start(contender);
        Epoch epoch = contender.granted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(election.hasLeadership(epoch));
        check.run(election, epoch, clock, contender, client, paths);
      } finally {
        election.close();
      }
    }
  }

  @Test
  void aLeaderThatWasPausedWaitsForZooKeeperBeforeLeadingAgain() throws Exception {
    withLeader("paused", (election, epoch, clock, contender, client, paths) -> {
      clock.addAndGet(Duration.ofMillis(200).toNanos());
      election.tick();
      assertTrue(election.hasLeadership(epoch), "a short stall changes nothing");

      clock.addAndGet(Duration.ofSeconds(5).toNanos());
      assertFalse(election.hasLeadership(epoch), "woken from a pause, before the detector ran again");
      election.tick();
      Eventually.eventually("leadership confirmed", WAIT, () -> election.hasLeadership(epoch));
    });
  }

  @Test
  void aTermLostDuringAPauseIsRevokedAndALaterTermLeadsNormally() throws Exception {
    withLeader("lost", (election, epoch, clock, contender, client, paths) -> {
      clock.addAndGet(Duration.ofSeconds(5).toNanos());
      for (String child : client.getChildren().forPath(paths.leaderLatch())) {
        client.delete().forPath(paths.leaderLatch() + "/" + child);   // as its session's expiry would
      }
      election.tick();
      Eventually.eventually("the answer", WAIT, () -> {
        clock.addAndGet(1);
        return !election.hasLeadership(epoch);
      });
      // the session expires: the latch contends again and, alone, wins a new term; the doubt about the old term
      // must not outlive it
      client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
      Epoch next = contender.granted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(next != null && next.value() > epoch.value(), "a new term: " + next);
      Eventually.eventually("the new term leads", WAIT, () -> election.hasLeadership(next));
      assertFalse(election.hasLeadership(epoch));
    });
  }
}
