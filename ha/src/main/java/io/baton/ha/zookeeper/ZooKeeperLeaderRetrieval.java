package io.baton.ha.zookeeper;


import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.LeaderInfo;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches {@link ZkPaths#leader()} with a single-node {@link CuratorCache}.
 *
 * <p>Threading: the listener is called on this retrieval's own single thread, first with the value found at
 * start (once the cache is initialized), then on every change; it is not called again for an unchanged value.
 * A deleted or unreadable {@code /leader} is reported as empty. A {@code SUSPENDED} connection is NOT reported
 * as empty: the cache keeps the last value and workers judge the leader's liveness by their own heartbeats.
 * If the session is lost and {@code /leader} changed meanwhile, the cache re-reads it on reconnection and the
 * change is reported then. {@link #current()} may be called from any thread.
 */
public final class ZooKeeperLeaderRetrieval implements LeaderRetrieval {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperLeaderRetrieval.class);

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "zk-leader-retrieval");
    t.setDaemon(true);
    return t;
  });
  private CuratorCache cache;
  private LeaderListener listener;
  private boolean initialized;
  private Optional<LeaderInfo> notified;
  private volatile Optional<LeaderInfo> current = Optional.empty();

  public ZooKeeperLeaderRetrieval(CuratorFramework client, ZkPaths paths) {
    this.client = Objects.requireNonNull(client);
    this.paths = Objects.requireNonNull(paths);
  }

  @Override
  public synchronized void start(LeaderListener l) {
    if (cache != null) {
      throw new IllegalStateException("retrieval already started");
    }
    listener = Objects.requireNonNull(l);
    cache = CuratorCache.build(client, paths.leader(), CuratorCache.Options.SINGLE_NODE_CACHE);
    CuratorCacheListener cacheListener = CuratorCacheListener.builder()
        .forCreatesAndChanges((oldNode, node) -> onData(node))
        .forDeletes(node -> onData(null))
        .forInitialized(this::onInitialized)
        .build();
    cache.listenable().addListener(cacheListener, events);
    client.getConnectionStateListenable().addListener(reconnections, events);
    cache.start();
  }

  /**
   * After a reconnection /leader is read again directly: a new leader may have been published while this client
   * was away (e.g. across a ZooKeeper restart), and the cache alone was seen to miss that.
   */
  private final ConnectionStateListener reconnections = (c, state) -> {
    if (state == ConnectionState.RECONNECTED) {
      reread();
    }
  };

  private void reread() {
    try {
      client.getData().inBackground((c, event) -> events.execute(() -> {
        if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
          onData(new ChildData(event.getPath(), event.getStat(), event.getData()));
        } else if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
          onData(null);
        }
      })).forPath(paths.leader());
    } catch (Exception e) {
      log.warn("could not re-read {} after reconnecting", paths.leader(), e);
    }
  }

  private void onData(ChildData node) {
    Optional<LeaderInfo> value = parse(node);
    current = value;
    if (initialized) {
      notifyIfChanged(value);
    }
  }

  private void onInitialized() {
    initialized = true;
    Optional<LeaderInfo> value = parse(cache.get(paths.leader()).orElse(null));
    current = value;
    notifyIfChanged(value);
  }

  private void notifyIfChanged(Optional<LeaderInfo> value) {
    if (value.equals(notified)) {
      return;
    }
    notified = value;
    try {
      listener.leaderChanged(value);
    } catch (RuntimeException e) {
      log.warn("leader listener failed", e);
    }
  }

  private Optional<LeaderInfo> parse(ChildData node) {
    if (node == null || node.getData() == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(LeaderInfoJson.read(node.getData()));
    } catch (IllegalArgumentException e) {
      log.warn("unreadable {}: {}", paths.leader(), e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public Optional<LeaderInfo> current() {
    return current;
  }

  @Override
  public synchronized void close() {
    client.getConnectionStateListenable().removeListener(reconnections);
    if (cache != null) {
      cache.close();
    }
    events.shutdown();
  }
}
