package io.baton.ha.zookeeper;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach ZooKeeper. {@code connect} is a ZooKeeper connect string ({@code host:port[,host:port...]}).
 * Null durations and cluster id fall back to the defaults.
 */
public record ZooKeeperSettings(String connect, String clusterId, Duration sessionTimeout, Duration connectionTimeout) {
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(2);

  public ZooKeeperSettings {
    Objects.requireNonNull(connect, "connect");
    clusterId = clusterId == null ? ZkPaths.DEFAULT_CLUSTER_ID : clusterId;
    sessionTimeout = sessionTimeout == null ? DEFAULT_SESSION_TIMEOUT : sessionTimeout;
    connectionTimeout = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
    new ZkPaths(clusterId);
    if (sessionTimeout.isNegative() || sessionTimeout.isZero() || connectionTimeout.isNegative()
        || connectionTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /** The defaults: cluster id {@code default}, session timeout 5 s, connection timeout 2 s. */
  public static ZooKeeperSettings of(String connect) {
    return new ZooKeeperSettings(connect, null, null, null);
  }

  public ZooKeeperSettings withClusterId(String id) {
    return new ZooKeeperSettings(connect, id, sessionTimeout, connectionTimeout);
  }

  public ZooKeeperSettings withSessionTimeout(Duration timeout) {
    return new ZooKeeperSettings(connect, clusterId, timeout, connectionTimeout);
  }

  public ZooKeeperSettings withConnectionTimeout(Duration timeout) {
    return new ZooKeeperSettings(connect, clusterId, sessionTimeout, timeout);
  }
}
