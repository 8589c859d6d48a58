package io.baton.app;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.app.security.ArteryTls;
import io.baton.app.security.LocalClusterCerts;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.scheduler.MasterGuardian;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.policy.Backoff;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.worker.WorkerAgent;
import io.baton.worker.WorkerSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real leader (the master's actors, in-memory HA) and a real worker w1 over mutual TLS; a node holding worker
 * w2's certificate registers as w1 (a hijack of a live id) and as w9 (an id its certificate does not name). The
 * leader accepts neither: the rogue is never answered with an acceptance or sent work, and w1 stays registered.
 */
class WorkerIdentityIT {
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(Duration.ofMillis(200), Duration.ofSeconds(30),
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.1), Duration.ofSeconds(5));
  private static final Duration QUIET = Duration.ofSeconds(3);

  @TempDir Path dir;
  private final InMemoryHaServices ha = new InMemoryHaServices();
  private final List<ActorSystem<?>> systems = new ArrayList<>();

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
  void aWorkerCertificateCannotRegisterAsAnotherWorker() throws Exception {
    LocalClusterCerts certs = new LocalClusterCerts(dir.resolve("tls"));
    CompletableFuture<DefaultMasterApi> apiReady = new CompletableFuture<>();
    ActorSystem<MasterGuardian.Command> master = start(Behaviors.setup(ctx -> {
      DefaultMasterApi api = new DefaultMasterApi(ctx.getSystem(), SETTINGS, ha);
      apiReady.complete(api);
      return MasterGuardian.create(ha, SETTINGS, api, Clock.systemUTC());
    }), certs.master("m1"));
    DefaultMasterApi api = apiReady.get(30, TimeUnit.SECONDS);
    master.tell(new MasterGuardian.Start("http://127.0.0.1:1"));

    ActorSystem<WorkerAgent.Command> w1 = start(WorkerAgent.create(
        WorkerSettings.defaults("w1", dir.resolve("w1")).withHost("127.0.0.1")
            .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30)), ha.leaderRetrieval()), certs.worker("w1"));
    eventually("w1 registered", Duration.ofSeconds(30), () -> status(w1).registered());
    assertEquals(List.of("w1"), workers(api).stream().map(WorkerView::id).toList());

    Queue<Object> rogueGot = new ConcurrentLinkedQueue<>();
    ActorSystem<Object> rogue = start(Behaviors.setup(ctx -> {
      ctx.spawn(collect(rogueGot), "inbox");
      return Behaviors.empty();
    }), certs.worker("w2"));
    ActorRefResolver resolver = ActorRefResolver.get(rogue);
    ActorRef<ToLeader> gateway = resolver.resolveActorRef(master.address() + "/user/gateway");
    ActorRef<ToWorker> inbox = resolver.resolveActorRef(rogue.address() + "/user/inbox");
    var epoch = status(w1).newestEpoch();
    for (String id : List.of("w1", "w9", "w1")) {
      gateway.tell(new ToLeader.RegisterWorker(epoch, new WorkerInfo(id, "127.0.0.1", 64, 65536, Map.of()), List.of(),
          inbox, System.nanoTime()));
      gateway.tell(new ToLeader.Heartbeat(epoch, id, 0, inbox, System.nanoTime()));
    }
    Thread.sleep(QUIET.toMillis());   // an IT: the absence of an answer can only be waited for
    assertTrue(rogueGot.stream().noneMatch(m -> m instanceof ToWorker.RegistrationAccepted
        || m instanceof ToWorker.StartAttempts || m instanceof ToWorker.HeartbeatAck), "the rogue got " + rogueGot);
    assertTrue(status(w1).registered(), "w1 is still registered");
    List<WorkerView> views = workers(api);
    assertEquals(List.of("w1"), views.stream().filter(v -> v.state().equals("ALIVE")).map(WorkerView::id).toList(),
        "no other worker is alive: " + views);
    assertEquals(List.of(1.0 * WorkerSettings.defaults("w1", dir.resolve("w1")).cpus()),
        views.stream().filter(v -> v.id().equals("w1")).map(WorkerView::cpus).toList(), "w1's own resources");
  }

  private static List<WorkerView> workers(DefaultMasterApi api) throws Exception {
    return api.workers().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static WorkerAgent.Status status(ActorSystem<WorkerAgent.Command> worker) {
    try {
      return AskPattern.<WorkerAgent.Command, WorkerAgent.Status>ask(worker, WorkerAgent.GetStatus::new,
          Duration.ofSeconds(5), worker.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Behavior<Object> collect(Queue<Object> into) {
    return Behaviors.receiveMessage(m -> {
      into.add(m);
      return Behaviors.same();
    });
  }

  private <T> ActorSystem<T> start(Behavior<T> guardian, Path tlsDir) {
    ActorSystem<T> system = ActorSystem.create(guardian, "baton",
        ArteryTls.setup(Nodes.pekkoConfig(ConfigFactory.load(), "127.0.0.1", 0), Optional.of(tlsDir)));
    systems.add(system);
    return system;
  }
}
