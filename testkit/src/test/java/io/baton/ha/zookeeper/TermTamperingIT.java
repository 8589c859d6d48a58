package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Closer;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Another client writes the election's znodes behind the leader's back ({@code /epoch} bumped, {@code /leader}
 * rewritten or deleted). The term ends once, loudly: one revocation, then one new grant with a newer epoch, and
 * nothing more over the next seconds of real time (before, the session failed and restarted every second).
 */
class TermTamperingIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  @RegisterExtension
  final Closer closer = new Closer();
  private final String cluster = "it-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(cluster);

  private void tamperAndExpectOneNewTerm(Consumer<CuratorFramework> tamper) throws Exception {
    CuratorFramework client = closer.later(TestingZooKeeper.client(ZK.connectString()));
    ZooKeeperHaServices ha = closer.later(ZooKeeperHaServices.forClient(client, cluster));
    RecordingContender contender = new RecordingContender();
    ZooKeeperLeaderElection election = closer.later((ZooKeeperLeaderElection) ha.leaderElection("http://m1:8080"));
    election.start(contender);
    Epoch first = assertInstanceOf(RecordingContender.Granted.class, contender.next(WAIT)).epoch();
    election.confirmLeadership(first, new LeaderInfo(first, "s", "pekko://baton@127.0.0.1:2552", "http://m1:8080"))
        .get(10, TimeUnit.SECONDS);

    CuratorFramework other = closer.later(TestingZooKeeper.client(ZK.connectString()));
    tamper.accept(other);

    assertInstanceOf(RecordingContender.Revoked.class, contender.next(WAIT), "the term ends");
    Epoch second = assertInstanceOf(RecordingContender.Granted.class, contender.next(WAIT)).epoch();
    assertTrue(second.compareTo(first) > 0, second + " after " + first);
    assertFalse(election.hasLeadership(first));
    assertTrue(election.hasLeadership(second));
    // the new term can publish and stays put: no further revocations or grants over 3 s of real time
    election.confirmLeadership(second, new LeaderInfo(second, "s2", "pekko://baton@127.0.0.1:2552", "http://m1:8080"))
        .get(10, TimeUnit.SECONDS);
    assertEquals(null, contender.next(Duration.ofSeconds(3)), "one revocation and one grant, then quiet");
    assertTrue(election.hasLeadership(second));
  }

  @Test
  void bumpingTheEpochEndsTheTermOnce() throws Exception {
    tamperAndExpectOneNewTerm(other -> run(() -> other.setData().forPath(paths.epoch(), "intruder".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void rewritingLeaderEndsTheTermOnce() throws Exception {
    tamperAndExpectOneNewTerm(other -> run(() -> {
      other.delete().forPath(paths.leader());
      other.create().forPath(paths.leader(), "{\"forged\":true}".getBytes(StandardCharsets.UTF_8));
    }));
  }

  @Test
  void deletingLeaderEndsTheTermOnce() throws Exception {
    tamperAndExpectOneNewTerm(other -> run(() -> other.delete().forPath(paths.leader())));
  }

  private interface ZkAction {
    void run() throws Exception;
  }

  private static void run(ZkAction action) {
    try {
      action.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
