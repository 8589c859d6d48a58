package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.app.security.ArteryTls;
import io.baton.app.security.BatonSslEngineProvider;
import io.baton.app.security.LocalClusterCerts;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.resourcemanager.WorkerIdentities;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.remote.artery.tcp.SSLEngineProvider;
import org.apache.pekko.remote.artery.tcp.SSLEngineProviderSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * Real ActorSystems on loopback speaking Artery over mutual TLS: a worker (the real WorkerAgent, certificate w1)
 * follows a leader (a stand-in gateway, certificate m1); rogue systems that know the worker's address and its
 * inbox try to start, kill and read attempts there. The worker must run nothing for them, while the same commands
 * from its leader work.
 */
class ArteryTlsIT {
  private static final Duration QUIET = Duration.ofSeconds(3);

  @TempDir Path dir;
  private LocalClusterCerts certs;
  private final InMemoryHaServices ha = new InMemoryHaServices();
  private final List<ActorSystem<?>> systems = new ArrayList<>();
  private final Queue<Object> leaderSaw = new ConcurrentLinkedQueue<>();
  private ActorSystem<Object> leader;
  private ActorSystem<WorkerAgent.Command> worker;
  private ToLeader.RegisterWorker registration;

  @BeforeEach
  void startLeaderAndWorker() throws Exception {
    certs = new LocalClusterCerts(dir.resolve("tls"));
    leader = start(Behaviors.setup(ctx -> {
      ctx.spawn(gateway(leaderSaw), "gateway");
      return Behaviors.empty();
    }), ArteryTls.setup(config(), Optional.of(certs.master("m1"))));
    String address = leader.address().toString();
    new TestingLeader(address).start(ha.leaderElection(address));
    WorkerSettings settings = WorkerSettings.defaults("w1", dir.resolve("w1"))
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30));
    worker = start(WorkerAgent.create(settings, ha.leaderRetrieval()), ArteryTls.setup(config(), Optional.of(certs.worker("w1"))));
    eventually("w1 registered over TLS", Duration.ofSeconds(20), () -> leaderSaw.stream().anyMatch(m -> m instanceof ToLeader.RegisterWorker));
    registration = (ToLeader.RegisterWorker) leaderSaw.stream().filter(m -> m instanceof ToLeader.RegisterWorker).findFirst().orElseThrow();
    assertEquals("w1", registration.workerId());
  }

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> s : systems) {
      s.terminate();
    }
    for (ActorSystem<?> s : systems) {
      s.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    ha.close();
  }

  @Test
  void noRogueCanStartKillOrReadAnAttemptOnAWorkerButItsLeaderCan() throws Exception {
    Epoch epoch = registration.epoch();
    List<Rogue> rogues = List.of(
        new Rogue("plaintext", ArteryTls.setup(config(), Optional.empty()), epoch),
        new Rogue("master-of-another-ca", trustingAnything(new LocalClusterCerts(dir.resolve("foreign")).master("m1")),
            epoch),
        new Rogue("worker-posing-as-master", permissive(certs.worker("w2")), epoch),
        // a real master that is not the leader, with an epoch far above the published one
        new Rogue("master-with-a-future-epoch", ArteryTls.setup(config(), Optional.of(certs.master("m2"))),
            new Epoch(epoch.value() + 1_000_000)));
    for (Rogue rogue : rogues) {
      rogue.attack();
    }
    Thread.sleep(QUIET.toMillis());   // an IT: the absence of an effect can only be waited for
    for (Rogue rogue : rogues) {
      assertFalse(Files.exists(rogue.marker), rogue.name + " made the worker run a command");
      assertTrue(rogue.received.isEmpty(), rogue.name + " read from the worker: " + rogue.received);
    }
    WorkerAgent.Status status = status();
    assertTrue(status.attempts().isEmpty(), "the worker knows of no attempt: " + status.attempts());
    assertEquals(epoch, status.newestEpoch(), "no message moved the worker's epoch");

    // the control: the same command from the leader runs, and the leader can read its log
    Path marker = dir.resolve("from-the-leader");
    AttemptKey key = new AttemptKey("j", "legit", 1);
    registration.worker().tell(new ToWorker.StartAttempts(epoch, List.of(touch(key, marker))));
    eventually("the leader's command ran", Duration.ofSeconds(15), () -> Files.exists(marker));
    eventually("and was reported", Duration.ofSeconds(15), () -> status().attempts().stream()
        .anyMatch(a -> a.key().equals(key) && a.state() == AttemptState.SUCCEEDED));
  }

  /** A rogue ActorSystem that addresses the worker's inbox (its path is no secret) with a start, a kill and a read. */
  private final class Rogue {
    final String name;
    final Path marker;
    final Queue<Object> received = new ConcurrentLinkedQueue<>();
    final ActorSystem<Object> system;
    final Epoch epoch;

    Rogue(String name, ActorSystemSetup setup, Epoch epoch) {
      this.name = name;
      this.marker = dir.resolve("rogue-" + name);
      this.epoch = epoch;
      this.system = start(Behaviors.setup(ctx -> {
        ActorRef<Object> replies = ctx.spawn(collect(received), "replies");
        ctx.getSelf().tell(replies);
        return Behaviors.receiveMessage(m -> Behaviors.same());
      }), setup);
    }

    void attack() throws Exception {
      ActorRefResolver resolver = ActorRefResolver.get(system);
      ActorRef<ToWorker> inbox = resolver.resolveActorRef(
          ActorRefResolver.get(leader).toSerializationFormat(registration.worker()));
      ActorRef<Object> replies = resolver.resolveActorRef(system.address() + "/user/replies");
      AttemptKey key = new AttemptKey("rogue", name, 1);
      inbox.tell(new ToWorker.StartAttempts(epoch, List.of(touch(key, marker))));
      inbox.tell(new ToWorker.KillAttempts(epoch, List.of(key), AttemptState.CANCELLED));
      inbox.tell(new ToWorker.FetchLog(epoch, key, 0, 1000, resolver.resolveActorRef(replies.path().toString())));
    }
  }

  private static AttemptSpec touch(AttemptKey key, Path marker) {
    return new AttemptSpec(key, TaskSpec.command("touch", List.of("/usr/bin/touch", marker.toString()), List.of()));
  }

  /** A node with worker w2's certificate whose TLS layer checks nothing itself (a modified binary). */
  private ActorSystemSetup permissive(Path tlsDir) throws Exception {
    BatonSslEngineProvider real = BatonSslEngineProvider.load(tlsDir, WorkerIdentities::new);
    SSLEngineProvider noChecks = new SSLEngineProvider() {
      @Override
      public SSLEngine createServerSSLEngine(String hostname, int port) {
        return real.createServerSSLEngine(hostname, port);
      }

      @Override
      public SSLEngine createClientSSLEngine(String hostname, int port) {
        return real.createClientSSLEngine(hostname, port);
      }

      @Override
      public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        return Option.empty();
      }

      @Override
      public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return Option.empty();
      }
    };
    Config tls = ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tls-tcp")).withFallback(config());
    return ActorSystemSetup.create(BootstrapSetup.create(tls), SSLEngineProviderSetup.create(s -> noChecks));
  }

  /** A node with a master certificate of another CA that trusts any peer and checks nothing (a modified binary). */
  private ActorSystemSetup trustingAnything(Path tlsDir) throws Exception {
    char[] password = Files.readString(tlsDir.resolve("password")).strip().toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(tlsDir.resolve("node.p12"))) {
      keys.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    X509TrustManager anything = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), new TrustManager[] {anything}, null);
    SSLEngineProvider noChecks = new SSLEngineProvider() {
      @Override
      public SSLEngine createServerSSLEngine(String hostname, int port) {
        SSLEngine e = context.createSSLEngine(hostname, port);
        e.setUseClientMode(false);
        return e;
      }

      @Override
      public SSLEngine createClientSSLEngine(String hostname, int port) {
        SSLEngine e = context.createSSLEngine(hostname, port);
        e.setUseClientMode(true);
        return e;
      }

      @Override
      public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
        return Option.empty();
      }

      @Override
      public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
        return Option.empty();
      }
    };
    Config tls = ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tls-tcp")).withFallback(config());
    return ActorSystemSetup.create(BootstrapSetup.create(tls), SSLEngineProviderSetup.create(s -> noChecks));
  }

  private WorkerAgent.Status status() {
    try {
      return AskPattern.<WorkerAgent.Command, WorkerAgent.Status>ask(worker, WorkerAgent.GetStatus::new,
          Duration.ofSeconds(5), worker.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Behavior<Object> gateway(Queue<Object> saw) {
    return Behaviors.receiveMessage(m -> {
      saw.add(m);
      if (m instanceof ToLeader.RegisterWorker r) {
        // the worker accepts only the session id of the leader it follows
        String session = ha.leaderRetrieval().current().orElseThrow().sessionId();
        r.worker().tell(new ToWorker.RegistrationAccepted(r.epoch(), session, r.sentAtNanos()));
      } else if (m instanceof ToLeader.Heartbeat h) {
        h.worker().tell(new ToWorker.HeartbeatAck(h.epoch(), h.sentAtNanos()));
      }
      return Behaviors.same();
    });
  }

  private static Behavior<Object> collect(Queue<Object> into) {
    return Behaviors.receiveMessage(m -> {
      into.add(m);
      return Behaviors.same();
    });
  }

  private static Config config() {
    return Nodes.pekkoConfig(ConfigFactory.load(), "127.0.0.1", 0);
  }

  private <T> ActorSystem<T> start(Behavior<T> guardian, ActorSystemSetup setup) {
    ActorSystem<T> system = ActorSystem.create(guardian, "baton", setup);
    systems.add(system);
    return system;
  }
}
