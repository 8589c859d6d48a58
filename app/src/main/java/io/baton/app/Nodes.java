package io.baton.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.app.security.ArteryTls;
import io.baton.ha.HaServices;
import io.baton.scheduler.MasterGuardian;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.web.RestServer;
import io.baton.web.RestSettings;
import io.baton.web.metrics.MasterMetrics;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import io.baton.worker.metrics.WorkerMetricsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the processes' parts: a master (actors + REST) or a worker, each in its own ActorSystem. */
final class Nodes {
  private static final Logger LOG = LoggerFactory.getLogger(Nodes.class);
  static final int DEFAULT_MASTER_PORT = 25520;
  /**
   * How long a stopping leader waits after handing over before it shuts down. bench-failover --planned, 10 handovers
   * each: 0 ms → the next leader published 420 ms (median) after the SIGTERM and answered REST after 1,095 ms; 300 ms
   * → 299 and 912 ms; 1 s → 314 and 875 ms (BENCHMARKS "Planned handover").
   */
  static final java.time.Duration HANDOVER_QUIET = java.time.Duration.ofMillis(300);

  private Nodes() {}

  static Config pekkoConfig(Config base, String host, int port) {
    return ConfigFactory.parseMap(Map.of(
            "pekko.remote.artery.canonical.hostname", host,
            "pekko.remote.artery.canonical.port", port))
        .withFallback(ConfigFactory.parseResources(Nodes.class, "/baton-node.conf"))
        .withFallback(base)
        .resolve();
  }

  /** A running master: its ActorSystem, REST server and REST URL. */
  record Master(ActorSystem<MasterGuardian.Command> system, RestServer rest, String restUrl, DefaultMasterApi api)
      implements AutoCloseable {
    @Override
    public void close() {
      // a planned stop hands leadership over at once instead of after a session timeout; REST stays open meanwhile
      api.leave(java.time.Duration.ofSeconds(8));
      // the next leader is being granted now: leave it the cores for a moment (this process's shutdown, its actor
      // system and Artery, is a burst of work on a small machine); REST meanwhile forwards to the new leader
      try {
        Thread.sleep(HANDOVER_QUIET.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      rest.close();
      api.close();
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("master did not stop cleanly", e);
      }
    }
  }

  /** A master; {@code tls}: its TLS directory, or empty for plaintext Artery ({@code --insecure}). */
  static Master startMaster(Config config, Settings settings, HaServices ha, int arteryPort, Optional<Path> tls)
      throws Exception {
    ArteryTls.chooseKeyExchange(settings.rest().https());
    CompletableFuture<DefaultMasterApi> apiReady = new CompletableFuture<>();
    MasterMetrics metrics = new MasterMetrics();
    HaServices metered = metrics.meter(ha);
    ActorSystem<MasterGuardian.Command> system = ActorSystem.create(Behaviors.setup(ctx -> {
      DefaultMasterApi api = new DefaultMasterApi(ctx.getSystem(), settings.scheduler(), metered);
      apiReady.complete(api);
      return MasterGuardian.create(metered, settings.scheduler(), api, Clock.systemUTC());
    }), "baton", ArteryTls.setup(pekkoConfig(config, settings.host(), arteryPort), tls));
    DefaultMasterApi api = apiReady.get(30, TimeUnit.SECONDS);
    WireWarmup.run(system);
    RestSettings rest = settings.rest();
    RestServer server;
    try {
      server = RestServer.start(system, rest, api, metrics).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      api.close();
      system.terminate();
      if (isBindFailure(e.getCause())) {
        throw new IllegalArgumentException("the REST port " + rest.port() + " on " + rest.host()
            + " is in use (another Baton or program listens there): choose another with --rest-port", e.getCause());
      }
      throw e;
    }
    String restUrl = (rest.https() ? "https://" : "http://") + settings.host() + ":" + server.port();
    system.tell(new MasterGuardian.Start(restUrl));
    LOG.info("master up: REST {} , Artery {}", restUrl, remoteAddress(system));
    return new Master(system, server, restUrl, api);
  }

  /** Whether {@code t} (or a cause) is a listening socket that could not bind: Pekko wraps the JDK's BindException. */
  private static boolean isBindFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.BindException || c instanceof org.apache.pekko.stream.BindFailedException) {
        return true;
      }
    }
    return false;
  }

  static String remoteAddress(ActorSystem<?> system) {
    return ((org.apache.pekko.actor.ExtendedActorSystem) system.classicSystem()).provider().getDefaultAddress().toString();
  }

  /** A worker; {@code tls}: its TLS directory, or empty for plaintext Artery ({@code --insecure}). */
  static ActorSystem<WorkerAgent.Command> startWorker(Config config, WorkerSettings worker, HaServices ha, int arteryPort,
      Optional<Path> tls) {
    ArteryTls.chooseKeyExchange(false);
    ActorSystem<WorkerAgent.Command> system = ActorSystem.create(WorkerAgent.create(worker, ha.leaderRetrieval()),
        "baton", ArteryTls.setup(pekkoConfig(config, worker.host(), arteryPort), tls));
    WireWarmup.run(system);
    int metricsPort = config.hasPath(Setting.WORKER_METRICS_PORT.key) ? config.getInt(Setting.WORKER_METRICS_PORT.key) : -1;
    if (metricsPort >= 0) {
      try {
        WorkerMetricsServer metrics = WorkerMetricsServer.start(worker.host(), metricsPort, system);
        system.getWhenTerminated().whenComplete((done, failure) -> metrics.close());
      } catch (IOException e) {
        system.terminate();
        throw new UncheckedIOException("cannot serve the worker's metrics on port " + metricsPort, e);
      }
    }
    LOG.info("worker {} up: {} cpus, {} MB, labels {}, Artery {}", worker.workerId(), worker.cpus(), worker.memoryMb(),
        worker.labels(), remoteAddress(system));
    return system;
  }
}
