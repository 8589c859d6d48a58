package io.baton.ha.zookeeper;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * A leader whose ZooKeeper connection is suspended stops leading at once, for every reader of
 * {@link LeaderElection#hasLeadership} and for the job store, without waiting for the election's event thread to
 * deliver the revocation (here that thread is held busy, as it may be by a slow write or a just-resumed process).
 */
class ZooKeeperLeadershipLossIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Blocks the election's event thread in the grant callback until released. */
  private static final class StuckContender implements LeaderContender {
    final LinkedBlockingQueue<Epoch> granted = new LinkedBlockingQueue<>();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void grantLeadership(Epoch epoch) {
      granted.add(epoch);
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void revokeLeadership() {}

    @Override
    public void handleError(Throwable error) {}
  }

  @Test
  void suspensionEndsLeadershipBeforeTheRevocationIsDelivered() throws Exception {
    try (TestingServer server = TestingZooKeeper.server();
        CuratorFramework client = TestingZooKeeper.client(server.getConnectString());
        ZooKeeperHaServices ha = ZooKeeperHaServices.forClient(client, "loss-now")) {
      StuckContender contender = new StuckContender();
      LeaderElection election = ha.leaderElection("http://a:8080");
      try {
        election.start(contender);
        Epoch epoch = contender.granted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(election.hasLeadership(epoch));
        ha.jobStore().put(epoch, TestingJobs.job("job-before", "n")).get(10, TimeUnit.SECONDS);

        server.stop();
        eventually("SUSPENDED", WAIT, () -> !"CONNECTED".equals(ha.connectionState()));
        assertFalse(election.hasLeadership(epoch), "SUSPENDED counts as not leader, at once");
        ExecutionException fenced = assertThrows(ExecutionException.class,
            () -> ha.jobStore().put(epoch, TestingJobs.job("job-after", "n")).get(10, TimeUnit.SECONDS));
        assertInstanceOf(FencedException.class, fenced.getCause(), () -> "not fenced: " + fenced.getCause());
        assertEquals(epoch, ((FencedException) fenced.getCause()).epoch());
      } finally {
        contender.release.countDown();
        election.close();
      }
    }
  }
}
