package io.baton.app;

import com.typesafe.config.Config;
import io.baton.app.security.ArteryTls;
import io.baton.app.security.NodeRole;
import io.baton.ha.zookeeper.ZooKeeperHaServices;
import io.baton.ha.zookeeper.ZooKeeperSettings;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The long-running commands: master, worker, zookeeper and standalone. Each runs until killed. */
final class ServerCommands {
  private static final Logger LOG = LoggerFactory.getLogger(ServerCommands.class);
  /** Pekko's own phase time-out for terminating the system, and 2 s more. */
  private static final java.time.Duration TERMINATION_WAIT = java.time.Duration.ofSeconds(12);

  private ServerCommands() {}

  private static void release(DataDirLock lock) {
    try {
      lock.close();
    } catch (java.io.IOException e) {
      LOG.debug("could not release the data directory lock", e);
    }
  }

  /** The role of the certificate in {@code tlsDir}, which must be of {@code kind}. */
  static NodeRole requireRole(Path tlsDir, NodeRole.Kind kind) throws Exception {
    NodeRole role = ArteryTls.roleIn(tlsDir);
    if (role.kind() != kind) {
      throw new IllegalArgumentException("the certificate in " + tlsDir + " is a " + role + "'s, not a "
          + kind.name().toLowerCase(java.util.Locale.ROOT) + "'s");
    }
    return role;
  }

  /**
   * Terminates a worker's ActorSystem and waits at most {@link #TERMINATION_WAIT}: now and then (about one stop in
   * six on this machine, after a drain) Pekko's termination never completes, its coordinated shutdown logging
   * "phase [actor-system-terminate] timed out" and nothing holding it that a thread dump shows (Artery's shutdown is
   * the suspect: apache/pekko#3228). The worker has drained by then, so the process goes on and exits.
   */
  static void terminate(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(TERMINATION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("the worker's actor system did not terminate within {} s; exiting without it", TERMINATION_WAIT.toSeconds());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("worker did not stop cleanly", e);
    }
  }

  static void awaitShutdown(Runnable onShutdown) throws InterruptedException {
    awaitShutdown(onShutdown, new CountDownLatch(1));
  }

  /** Runs {@code onShutdown} when the JVM exits (it counts {@code done} down) and waits for {@code done}. */
  static void awaitShutdown(Runnable onShutdown, CountDownLatch done) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        onShutdown.run();
      } finally {
        done.countDown();
      }
    }, "baton-shutdown"));
    done.await();
  }

  @Command(name = "master", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.class,
      description = "Run a master: contends for leadership through ZooKeeper; the leader schedules, standbys serve REST.")
  static final class Master implements Callable<Integer> {
    @Mixin NodeOptions options;

    @Override
    public Integer call() throws Exception {
      Config config = options.load(Map.of());
      Settings settings = new Settings(config);
      Optional<Path> tls = settings.tlsDir("master");
      if (tls.isPresent()) {
        requireRole(tls.get(), NodeRole.Kind.MASTER);
      }
      ZooKeeperHaServices ha = ZooKeeperHaServices.start(masterZooKeeper(settings));
      refuseAForeignCluster(ha, settings);
      Nodes.Master master = Nodes.startMaster(config, settings, ha, settings.remotePort(Nodes.DEFAULT_MASTER_PORT), tls);
      awaitShutdown(() -> {
        master.close();
        ha.close();
      });
      return 0;
    }
  }

  /**
   * A master's ZooKeeper settings: with the cluster's secret, or, only with {@code --insecure}, without one (then
   * logged loudly). Without either it refuses to start: its nodes would be open to anyone who reaches ZooKeeper.
   */
  static ZooKeeperSettings masterZooKeeper(Settings settings) throws java.io.IOException {
    ZooKeeperSettings zk = settings.zookeeper();
    Optional<String> secret = settings.zookeeperSecret();
    if (secret.isPresent()) {
      return zk.withSecret(secret.get());
    }
    if (!settings.insecure()) {
      throw new IllegalArgumentException("no ZooKeeper secret: give the cluster's secret with "
          + Setting.ZK_SECRET_FILE.flag + " FILE (or " + Setting.ZK_SECRET.env + "), the same for every master, "
          + "or run with " + Setting.INSECURE.flag + " to leave Baton's ZooKeeper data open to anyone who reaches it");
    }
    LOG.warn("INSECURE: no ZooKeeper secret ({}): every node under /baton/{} is open to anyone who reaches "
        + "ZooKeeper, who can rewrite /leader, the epoch and the jobs", Setting.INSECURE.flag, zk.clusterId());
    return zk;
  }

  /**
   * Waits up to the connection timeout for the master's ACL check ({@link ZooKeeperHaServices#aclCheck}) and
   * fails the start when the cluster's root belongs to other credentials. A check still running then (ZooKeeper
   * not reachable yet) goes on in the background and only logs.
   */
  static void refuseAForeignCluster(ZooKeeperHaServices ha, Settings settings) {
    try {
      ha.aclCheck().get(settings.zookeeper().connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalStateException foreign) {
        ha.close();
        throw foreign;
      }
    } catch (TimeoutException e) {
      LOG.info("ZooKeeper not reached yet; its ACLs are checked once it is");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.class,
      description = "Run a worker (node agent): finds the leader through ZooKeeper, registers and runs task attempts.")
  static final class Worker implements Callable<Integer> {
    @Mixin NodeOptions options;

    @Override
    public Integer call() throws Exception {
      Config config = options.load(Map.of());
      Settings settings = new Settings(config);
      Optional<Path> tls = settings.tlsDir("worker");
      Optional<String> certifiedId = tls.isPresent()
          ? Optional.of(requireRole(tls.get(), NodeRole.Kind.WORKER).id()) : Optional.empty();
      DataDirLock lock = DataDirLock.acquire(settings.dataDir());
      WorkerSettings worker = settings.worker(settings.dataDir(), certifiedId);
      ZooKeeperHaServices ha = ZooKeeperHaServices.start(settings.zookeeper());
      ActorSystem<WorkerAgent.Command> system = Nodes.startWorker(config, worker, ha, settings.remotePort(0), tls);
      Runnable stop = WorkerDrain.once(() -> {
        terminate(system);
        ha.close();
        release(lock);
      });
      CountDownLatch stopped = new CountDownLatch(1);
      // SIGTERM drains (then this returns 0); SIGINT and any other exit stop at once, killing what runs
      WorkerDrain.onSigterm(system, settings.drainTimeout(), settings.heartbeatTimeout(), () -> {
        stop.run();
        stopped.countDown();
      });
      awaitShutdown(stop, stopped);
      return 0;
    }
  }

  @Command(name = "zookeeper", mixinStandardHelpOptions = true,
      description = "Run a standalone ZooKeeper server for development.")
  static final class ZooKeeper implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "2181", description = "client port, 0 = any free port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--data-dir", defaultValue = "./baton-data/zookeeper", description = "data directory (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir.toAbsolutePath(), new InetSocketAddress(host, port));
      System.out.println("zookeeper listening on " + zk.connectString() + ", data in " + zk.dataDir());
      System.out.flush();
      awaitShutdown(zk::close);
      return 0;
    }
  }

  @Command(name = "standalone", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.class,
      description = "Run everything in one process: an in-process ZooKeeper, one master and one worker.")
  static final class Standalone implements Callable<Integer> {
    @Mixin NodeOptions options;

    @Option(names = "--zk-port", defaultValue = "2181",
        description = "port of the in-process ZooKeeper, 0 = any free port (default ${DEFAULT-VALUE})")
    int zkPort;

    @Override
    public Integer call() throws Exception {
      Map<String, Object> extra = new HashMap<>();
      Config pre = options.load(extra);
      Settings preSettings = new Settings(pre);
      Path dataDir = preSettings.dataDir();
      EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir.resolve("zookeeper"),
          new InetSocketAddress(preSettings.host(), zkPort));
      extra.put(Setting.ZK.key, zk.connectString()); // the in-process ZooKeeper, whatever --zk says
      Config config = options.load(extra);
      Settings settings = new Settings(config);
      WorkerSettings workerSettings = settings.worker(dataDir.resolve("worker"));
      // secure by default: a CA and certificates of its own, made on first start, unless --insecure
      Optional<ArteryTls.Standalone> tls = Optional.empty();
      if (settings.insecure()) {
        Settings.warnInsecure("standalone");
      } else {
        Path tlsDir = settings.configuredTlsDir().orElse(dataDir.resolve("tls"));
        tls = Optional.of(ArteryTls.ensureStandalone(tlsDir, config.getString(Setting.CLUSTER_ID.key), settings.host(),
            workerSettings.workerId()));
      }
      Optional<String> given = settings.zookeeperSecret();
      String secret = given.isPresent() ? given.get() : ZkSecret.loadOrCreate(dataDir.resolve(ZkSecret.STANDALONE_FILE));
      ZooKeeperHaServices masterHa = ZooKeeperHaServices.start(settings.zookeeper().withSecret(secret));
      refuseAForeignCluster(masterHa, settings);
      Nodes.Master master = Nodes.startMaster(config, settings, masterHa, settings.remotePort(0),
          tls.map(ArteryTls.Standalone::master));
      ZooKeeperHaServices workerHa = ZooKeeperHaServices.start(settings.zookeeper());
      DataDirLock lock = DataDirLock.acquire(dataDir.resolve("worker"));
      ActorSystem<WorkerAgent.Command> worker = Nodes.startWorker(config, workerSettings, workerHa, 0,
          tls.map(ArteryTls.Standalone::worker));
      System.out.println("Baton standalone is up: web page and REST API at " + master.restUrl()
          + " (ZooKeeper " + zk.connectString() + ", data in " + dataDir + ")");
      System.out.flush();
      Runnable stop = WorkerDrain.once(() -> {
        terminate(worker);
        workerHa.close();
        master.close(); // hands leadership over at once (a standby of the same cluster leads without a session wait)
        masterHa.close();
        zk.close();
        release(lock);
      });
      CountDownLatch stopped = new CountDownLatch(1);
      // SIGTERM drains the embedded worker as it does a worker's (then this returns 0); SIGINT stops at once
      WorkerDrain.onSigterm(worker, settings.drainTimeout(), settings.heartbeatTimeout(), () -> {
        stop.run();
        stopped.countDown();
      });
      awaitShutdown(stop, stopped);
      return 0;
    }
  }
}
