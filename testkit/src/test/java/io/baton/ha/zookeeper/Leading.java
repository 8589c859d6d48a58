package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.baton.protocol.Epoch;
import io.baton.testkit.Closer;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingZooKeeper;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;

/** A leader on a real ZooKeeper for store tests: its client, its HA services and the epoch it was granted. */
record Leading(CuratorFramework client, ZooKeeperHaServices ha, Epoch epoch) {
  /** Contends on {@code cluster} and waits for the grant; everything opened is closed by {@code closer}. */
  static Leading start(Closer closer, String connect, String cluster) throws Exception {
    CuratorFramework client = closer.later(TestingZooKeeper.client(connect));
    ZooKeeperHaServices ha = closer.later(ZooKeeperHaServices.forClient(client, cluster));
    RecordingContender contender = new RecordingContender();
    closer.later(ha.leaderElection("http://leader:8080")).start(contender);
    Epoch epoch = assertInstanceOf(RecordingContender.Granted.class, contender.next(Duration.ofSeconds(10))).epoch();
    return new Leading(client, ha, epoch);
  }

  /** A job store on a fresh client: nothing cached, so it reads what ZooKeeper holds; closed by {@code closer}. */
  static ZooKeeperJobStore freshStore(Closer closer, String connect, ZkPaths paths) throws Exception {
    CuratorFramework other = closer.later(TestingZooKeeper.client(connect));
    return closer.later(new ZooKeeperJobStore(other, paths));
  }
}
