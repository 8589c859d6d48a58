package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.zookeeper.ZooKeeperHaServices;
import io.baton.ha.zookeeper.ZooKeeperSettings;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperIT {
  @TempDir
  Path dir;

  @Test
  void dataSurvivesARestartOnTheSameDirectory() throws Exception {
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0)) {
      assertTrue(zk.port() > 0);
      assertEquals("127.0.0.1:" + zk.port(), zk.connectString());
      try (CuratorFramework client = TestingZooKeeper.client(zk.connectString())) {
        client.create().creatingParentsIfNeeded().forPath("/baton/test/data", hello);
        for (int i = 0; i < 20; i++) {
          client.setData().forPath("/baton/test/data", ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        client.setData().forPath("/baton/test/data", hello);
      }
    }
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0);
        CuratorFramework client = TestingZooKeeper.client(zk.connectString())) {
      assertArrayEquals(hello, client.getData().forPath("/baton/test/data"));
      assertEquals(21, client.checkExists().forPath("/baton/test/data").getVersion());
    }
  }

  @Test
  void servesHaServicesEndToEnd() throws Exception {
    try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, 0);
        ZooKeeperHaServices ha = ZooKeeperHaServices.start(ZooKeeperSettings.of(zk.connectString()))) {
      RecordingContender contender = new RecordingContender();
      ha.leaderElection("http://solo:8080").start(contender);
      RecordingContender.Event e = contender.next(java.time.Duration.ofSeconds(10));
      io.baton.protocol.Epoch epoch = ((RecordingContender.Granted) e).epoch();
      assertEquals(1, epoch.value());
      ha.jobStore().put(epoch, TestingJobs.job("j", "n")).get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(1, ha.jobStore().loadAll().size());
      assertEquals("CONNECTED", ha.connectionState());
    }
  }
}
