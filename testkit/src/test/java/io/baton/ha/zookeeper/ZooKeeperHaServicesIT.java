package io.baton.ha.zookeeper;

import io.baton.ha.HaServices;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Eventually;
import io.baton.testkit.HaServicesContract;
import io.baton.testkit.TestingZooKeeper;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HA contract on ZooKeeper: each "process" is its own client (its own session) on a fresh cluster id. */
class ZooKeeperHaServicesIT extends HaServicesContract {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  private final String clusterId = "contract-" + UUID.randomUUID();

  @Override
  protected HaServices process() throws Exception {
    CuratorFramework client = TestingZooKeeper.client(ZK.connectString());
    ZooKeeperHaServices services = ZooKeeperHaServices.forClient(client, clusterId);
    closedAfterTest(client);
    return closedAfterTest(services);
  }

  @Override
  protected void plantStoredRecord(String id, byte[] bytes) throws Exception {
    try (CuratorFramework client = TestingZooKeeper.client(ZK.connectString())) {
      client.create().creatingParentsIfNeeded().forPath(new ZkPaths(clusterId).job(id), bytes);
    }
  }

  @Override
  protected void await(String what, BooleanSupplier condition) {
    Eventually.eventually(what, condition);
  }
}
