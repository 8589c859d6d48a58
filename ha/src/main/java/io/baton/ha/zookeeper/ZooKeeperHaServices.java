package io.baton.ha.zookeeper;

import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.ScheduleStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HA services on ZooKeeper through one Curator client. Elections, retrievals and the job store of one instance
 * share that client (and so one ZooKeeper session). Thread-safe; {@link #connectionState()} is updated from
 * Curator's connection-state thread.
 */
public final class ZooKeeperHaServices implements HaServices {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperHaServices.class);
  private final CuratorFramework client;
  private final boolean ownsClient;
  private final ZkPaths paths;
  private final Terms terms = new Terms();
  private final ZooKeeperJobStore jobStore;
  private final ZooKeeperScheduleStore scheduleStore;
  private final List<AutoCloseable> created = new CopyOnWriteArrayList<>();
  private volatile String connectionState = "NONE";
  private volatile CompletableFuture<Integer> aclCheck = CompletableFuture.completedFuture(0);

  private ZooKeeperHaServices(CuratorFramework client, boolean ownsClient, String clusterId) {
    this.client = Objects.requireNonNull(client);
    this.ownsClient = ownsClient;
    this.paths = new ZkPaths(clusterId);
    client.getConnectionStateListenable().addListener((c, state) -> connectionState = describe(state));
    if (client.getZookeeperClient().isConnected()) {
      connectionState = "CONNECTED";
    }
    this.jobStore = new ZooKeeperJobStore(client, paths, terms);
    this.scheduleStore = new ZooKeeperScheduleStore(client, paths, terms);
  }

  /**
   * Starts a Curator client for {@code settings} (retry: exponential backoff from 100 ms, 10 retries, at most
   * 2 s apart) and returns the services on it. Does not wait for the connection; closing the services closes
   * the client. With a secret the client authenticates as digest {@code baton:<secret>}, creates every node with
   * {@link ZkAcls}, and once connected secures nodes an older Baton left open ({@link #aclCheck()}).
   */
  public static ZooKeeperHaServices start(ZooKeeperSettings settings) {
    ZkPaths paths = new ZkPaths(settings.clusterId());
    CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
        .connectString(settings.connect())
        .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
        .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
        .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000));
    settings.secret().ifPresent(secret ->
        builder.authorization("digest", ZkAcls.digestAuth(secret)).aclProvider(new ZkAcls(paths)));
    CuratorFramework client = builder.build();
    client.start();
    ZooKeeperHaServices services = new ZooKeeperHaServices(client, true, settings.clusterId());
    if (settings.secret().isPresent()) {
      services.checkAclsOnceConnected();
    }
    return services;
  }

  /**
   * The one-time check of {@link ZkAcls#secureExisting} started by {@link #start} with a secret: completes with
   * the number of nodes secured, or exceptionally (logged) when it failed or the cluster's root belongs to other
   * credentials. Completed with 0 at once without a secret.
   */
  public CompletableFuture<Integer> aclCheck() {
    return aclCheck;
  }

  private void checkAclsOnceConnected() {
    ExecutorService checker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "zk-acl-check");
      t.setDaemon(true);
      return t;
    });
    aclCheck = CompletableFuture.supplyAsync(() -> {
      try {
        client.blockUntilConnected();
        int secured = ZkAcls.secureExisting(client, paths);
        if (secured > 0) {
          log.warn("secured {} ZooKeeper nodes that were open to anyone (made by an older Baton or an --insecure "
              + "master) under {}", secured, paths.root());
        }
        return secured;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      } catch (IllegalStateException e) {
        log.error("{}; this master cannot read or write the cluster's data", e.getMessage());
        throw new CompletionException(e);
      } catch (Exception e) {
        log.warn("could not check the ACLs of the ZooKeeper nodes under {}; they are checked again at the next start",
            paths.root(), e);
        throw new CompletionException(e);
      }
    }, checker);
    checker.shutdown();
    created.add(checker::shutdownNow);
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
  public ScheduleStore scheduleStore() {
    return scheduleStore;
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
    scheduleStore.close();
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
