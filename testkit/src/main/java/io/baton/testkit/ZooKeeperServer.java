package io.baton.testkit;

import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One fast in-process ZooKeeper ({@link TestingZooKeeper#server}) for a test class:
 * {@code @RegisterExtension static final ZooKeeperServer ZK = new ZooKeeperServer();} starts it before the
 * class's first test and closes it after its last.
 */
public final class ZooKeeperServer implements BeforeAllCallback, AfterAllCallback {
  private TestingServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = TestingZooKeeper.server();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    server.close();
  }

  public String connectString() {
    return server.getConnectString();
  }

  /** The server itself, for tests that stop and restart it. */
  public TestingServer server() {
    return server;
  }
}
