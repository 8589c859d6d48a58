package io.baton.ha.zookeeper;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/** A fast TestingServer (100 ms ticks) and short-session clients. */
final class ZooKeeperTestSupport {
  private ZooKeeperTestSupport() {}

  static TestingServer server() throws Exception {
    System.setProperty("zookeeper.admin.enableServer", "false");
    return new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 100, -1), true);
  }

  static CuratorFramework client(String connect) throws InterruptedException {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(connect)
        .sessionTimeoutMs(2_000)
        .connectionTimeoutMs(1_000)
        .retryPolicy(new ExponentialBackoffRetry(50, 10, 500))
        .build();
    client.start();
    if (!client.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new IllegalStateException("no connection to " + connect);
    }
    return client;
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
