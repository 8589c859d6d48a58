package io.baton.ha.zookeeper;

import io.baton.ha.HaServices;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Eventually;
import io.baton.testkit.HaServicesContract;
import io.baton.testkit.TestingZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HA contract on ZooKeeper with Baton's ACLs on: every "process" is a master holding the cluster's secret. */
class ZooKeeperSecuredHaServicesIT extends HaServicesContract {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  private final String clusterId = "secured-" + UUID.randomUUID();
  private final String secret = UUID.randomUUID().toString();

  @Override
  protected HaServices process() throws Exception {
    ZooKeeperHaServices services = ZooKeeperHaServices.start(ZooKeeperSettings.of(ZK.connectString())
        .withClusterId(clusterId).withSessionTimeout(Duration.ofSeconds(2)).withConnectionTimeout(Duration.ofSeconds(1))
        .withSecret(secret));
    return closedAfterTest(services);
  }

  /** Planted by a client holding the cluster's secret, as a master's bug or a bad migration would write it. */
  @Override
  protected void plantStoredRecord(String id, byte[] bytes) throws Exception {
    try (CuratorFramework client = CuratorFrameworkFactory.builder().connectString(ZK.connectString())
        .authorization("digest", ("baton:" + secret).getBytes(StandardCharsets.UTF_8))
        .retryPolicy(new ExponentialBackoffRetry(50, 10, 500)).build()) {
      client.start();
      client.create().creatingParentsIfNeeded().forPath(new ZkPaths(clusterId).job(id), bytes);
    }
  }

  @Override
  protected void await(String what, BooleanSupplier condition) {
    Eventually.eventually(what, condition);
  }
}
