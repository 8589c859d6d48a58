package io.baton.ha.zookeeper;

import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * HA services on ZooKeeper through one Curator client. Elections, retrievals and the job store of one instance
 * share that client (and so one ZooKeeper session). Thread-safe; {@link #connectionState()} is updated from
 * Curator's connection-state thread.
 */
public final class ZooKeeperHaServices implements HaServices {
  private final CuratorFramework client;
  private final boolean ownsClient;
  private final ZkPaths paths;
  private final Terms terms = new Terms();
  private final ZooKeeperJobStore jobStore;
  private final List<AutoCloseable> created = new CopyOnWriteArrayList<>();
  private volatile String connectionState = "NONE";

  private ZooKeeperHaServices(CuratorFramework client, boolean ownsClient, String clusterId) {
    this.client = Objects.requireNonNull(client);
    this.ownsClient = ownsClient;
    this.paths = new ZkPaths(clusterId);
    client.getConnectionStateListenable().addListener((c, state) -> connectionState = describe(state));
    if (client.getZookeeperClient().isConnected()) {
      connectionState = "CONNECTED";
    }
    this.jobStore = new ZooKeeperJobStore(client, paths, terms);
  }

  /**
   * Starts a Curator client for {@code settings} (retry: exponential backoff from 100 ms, 10 retries, at most
   * 2 s apart) and returns the services on it. Does not wait for the connection; closing the services closes
   * the client.
   */
  public static ZooKeeperHaServices start(ZooKeeperSettings settings) {
    CuratorFramework client = CuratorFrameworkFactory.builder()
        .connectString(settings.connect())
        .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
        .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
        .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000))
        .build();
    client.start();
    return new ZooKeeperHaServices(client, true, settings.clusterId());
  }

  /** Services on an existing, started client (tests); closing the services leaves the client open. */
  public static ZooKeeperHaServices forClient(CuratorFramework client, String clusterId) {
    return new ZooKeeperHaServices(client, false, clusterId);
  }

  @Override
  public LeaderElection leaderElection(String participantId) {
    ZooKeeperLeaderElection election = new ZooKeeperLeaderElection(client, paths, participantId, terms,
        ZooKeeperLeaderElection.PAUSE_TICK, System::nanoTime);
    created.add(election);
    return election;
  }

  @Override
  public LeaderRetrieval leaderRetrieval() {
    ZooKeeperLeaderRetrieval retrieval = new ZooKeeperLeaderRetrieval(client, paths);
    created.add(retrieval);
    return retrieval;
  }

  /** The one job store of these services (the same instance on every call). */
  @Override
  public JobStore jobStore() {
    return jobStore;
  }

  @Override
  public String connectionState() {
    return connectionState;
  }

  public CuratorFramework client() {
    return client;
  }

  public ZkPaths paths() {
    return paths;
  }

  /** Closes every election and retrieval made here, the job store, and the client if this instance started it. */
  @Override
  public void close() {
    for (AutoCloseable c : created) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    jobStore.close();
    if (ownsClient) {
      client.close();
    }
  }

  private static String describe(ConnectionState state) {
    return switch (state) {
      case CONNECTED, RECONNECTED -> "CONNECTED";
      case SUSPENDED, READ_ONLY -> "SUSPENDED";
      case LOST -> "LOST";
    };
  }
}
