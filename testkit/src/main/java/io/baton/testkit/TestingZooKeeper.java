package io.baton.testkit;

import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** A fast in-process ZooKeeper ({@code curator-test}, 100 ms ticks, no admin server) and short-session clients. */
public final class TestingZooKeeper {
  private TestingZooKeeper() {}

  public static TestingServer server() throws Exception {
    System.setProperty("zookeeper.admin.enableServer", "false");
    return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1), true);
  }

  /** A started client with a 2 s session, connected or failing within 10 s. */
  public static CuratorFramework client(String connect) throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(2_000)
        .connectionTimeoutMs(1_000)
        .retryPolicy(new ExponentialBackoffRetry(50, 10, 500))
        .build();
    client.start();
    if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("no connection to " + connect);
    }
    return client;
  }
}
