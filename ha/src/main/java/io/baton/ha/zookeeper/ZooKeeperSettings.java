package io.baton.ha.zookeeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach ZooKeeper. {@code connect} is a ZooKeeper connect string ({@code host:port[,host:port...]}).
 * Null durations and cluster id fall back to the defaults. {@code secret} is the cluster's ZooKeeper digest
 * secret (user {@code baton}); with it every node Baton creates is readable and writable only by clients holding
 * the same secret ({@link ZkAcls}), without it nodes are open to anyone (only for workers, which just read
 * {@code /leader}, and for clusters run with {@code --insecure}). {@link #toString()} does not show the secret.
 */
public record ZooKeeperSettings(String connect, String clusterId, Duration sessionTimeout, Duration connectionTimeout,
    Optional<String> secret) {
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(2);

  public ZooKeeperSettings {
    Objects.requireNonNull(connect, "connect");
    clusterId = clusterId == null ? ZkPaths.DEFAULT_CLUSTER_ID : clusterId;
    sessionTimeout = sessionTimeout == null ? DEFAULT_SESSION_TIMEOUT : sessionTimeout;
    connectionTimeout = connectionTimeout == null ? DEFAULT_CONNECTION_TIMEOUT : connectionTimeout;
    secret = secret == null ? Optional.empty() : secret;
    new ZkPaths(clusterId);
    if (sessionTimeout.isNegative() || sessionTimeout.isZero() || connectionTimeout.isNegative()
        || connectionTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (secret.isPresent() && secret.get().isBlank()) {
      throw new IllegalArgumentException("the ZooKeeper secret is blank");
    }
  }

  /** The defaults: cluster id {@code default}, session timeout 5 s, connection timeout 2 s, no secret. */
  public static ZooKeeperSettings of(String connect) {
    return new ZooKeeperSettings(connect, null, null, null, null);
  }

  public ZooKeeperSettings withClusterId(String id) {
    return new ZooKeeperSettings(connect, id, sessionTimeout, connectionTimeout, secret);
  }

  public ZooKeeperSettings withSessionTimeout(Duration timeout) {
    return new ZooKeeperSettings(connect, clusterId, timeout, connectionTimeout, secret);
  }

  public ZooKeeperSettings withConnectionTimeout(Duration timeout) {
    return new ZooKeeperSettings(connect, clusterId, sessionTimeout, timeout, secret);
  }

  /** These settings with the cluster's digest secret (masters). */
  public ZooKeeperSettings withSecret(String digestSecret) {
    return new ZooKeeperSettings(connect, clusterId, sessionTimeout, connectionTimeout,
        Optional.of(Objects.requireNonNull(digestSecret, "secret")));
  }

  /** These settings without a secret (workers: they only read the world-readable {@code /leader}). */
  public ZooKeeperSettings withoutSecret() {
    return new ZooKeeperSettings(connect, clusterId, sessionTimeout, connectionTimeout, Optional.empty());
  }

  @Override
  public String toString() {
    return "ZooKeeperSettings[connect=" + connect + ", clusterId=" + clusterId + ", sessionTimeout=" + sessionTimeout
        + ", connectionTimeout=" + connectionTimeout + ", secret=" + (secret.isPresent() ? "(set)" : "(none)") + "]";
  }
}
