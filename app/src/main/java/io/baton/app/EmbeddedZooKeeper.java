package io.baton.app;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A standalone ZooKeeper server in this JVM, for {@code baton standalone} and {@code baton zookeeper}. Data
 * (snapshots and transaction log) live under {@code dataDir} and survive a restart on the same directory. The
 * admin server is disabled. {@link #close()} is idempotent; the class is otherwise not meant to be shared
 * across threads while starting.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  public static final int TICK_MILLIS = 100;

  private final ZooKeeperServer server;
  private static final int MAX_CONNECTIONS_PER_HOST = 200;
  private static final int MAX_CONNECTIONS = 2_000;

  private final ServerCnxnFactory connections;
  private final Path dataDir;
  private boolean closed;

  private EmbeddedZooKeeper(ZooKeeperServer server, ServerCnxnFactory connections, Path dataDir) {
    this.server = server;
    this.connections = connections;
    this.dataDir = dataDir;
  }

  /** Starts a server on all interfaces at {@code port} (0 = any free port). */
  public static EmbeddedZooKeeper start(Path dataDir, int port) throws IOException, InterruptedException {
    return start(dataDir, new InetSocketAddress(port));
  }

  /** Starts a server bound to {@code bind} (port 0 = any free port). */
  public static EmbeddedZooKeeper start(Path dataDir, InetSocketAddress bind) throws IOException, InterruptedException {
    System.setProperty("zookeeper.admin.enableServer", "false");
    // a bound on all client connections (the server warned on every start that it had none)
    System.getProperties().putIfAbsent("zookeeper.maxCnxns", String.valueOf(MAX_CONNECTIONS));
    Path dir = dataDir.toAbsolutePath();
    Files.createDirectories(dir);
    File files = dir.toFile();
    ZooKeeperServer server = new ZooKeeperServer(files, files, TICK_MILLIS);
    server.setMinSessionTimeout(1_000);
    server.setMaxSessionTimeout(60_000);
    ServerCnxnFactory connections;
    try {
      connections = ServerCnxnFactory.createFactory(bind, MAX_CONNECTIONS_PER_HOST);
    } catch (java.net.BindException e) {
      server.shutdown();
      throw new IOException("ZooKeeper cannot listen on port " + bind.getPort() + ": " + e.getMessage()
          + " (another ZooKeeper or program uses it; pick another port)", e);
    }
    try {
      connections.startup(server);
    } catch (IOException | InterruptedException | RuntimeException e) {
      connections.shutdown();
      server.shutdown();
      throw e;
    }
    return new EmbeddedZooKeeper(server, connections, dir);
  }

  public int port() {
    return connections.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}. */
  public String connectString() {
    return "127.0.0.1:" + port();
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    connections.shutdown();
    server.shutdown(true);
    try {
      server.getTxnLogFactory().close();
    } catch (IOException | RuntimeException ignored) {
      // already closed
    }
  }
}
