package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker in one ActorSystem and a stand-in gateway at {@code /user/gateway} in another, over Artery on loopback
 * with Kryo: the default resolver finds the gateway, the worker's adapter ref works from the remote side.
 */
class WorkerRemotingIT {
  private final ActorTestKit leaderKit =
      ActorTestKit.create("baton", WireSerializationTest.REMOTE);
  private final ActorTestKit workerKit = ActorTestKit.create("baton", leaderKit.system().settings().config());
  private final InMemoryHaServices ha = new InMemoryHaServices();
  @TempDir Path dataDir;

  @AfterEach
  void tearDown() {
    workerKit.shutdownTestKit();
    leaderKit.shutdownTestKit();
    ha.close();
  }

  /** Accepts registrations, acks heartbeats, starts one attempt and forwards everything to {@code seen}. */
  private Behavior<ToLeader> gateway(ActorRef<ToLeader> seen, AttemptSpec toStart) {
    return Behaviors.receiveMessage(m -> {
      seen.tell(m);
      if (m instanceof ToLeader.RegisterWorker r) {
        String session = ha.leaderRetrieval().current().orElseThrow().sessionId();
        r.worker().tell(new ToWorker.RegistrationAccepted(r.epoch(), session, r.sentAtNanos()));
        r.worker().tell(new ToWorker.StartAttempts(r.epoch(), List.of(toStart)));
      }
      return Behaviors.same();
    });
  }

  @Test
  void registersAndRunsAnAttemptOverArtery() throws Exception {
    AttemptKey key = new AttemptKey("j", "echo", 1);
    AttemptSpec spec = new AttemptSpec(key, TaskSpec.command("echo", List.of("/bin/echo", "over the wire"), List.of()));
    TestProbe<ToLeader> seen = leaderKit.createTestProbe(ToLeader.class);
    ActorRef<ToLeader> gw = leaderKit.spawn(gateway(seen.ref(), spec), "gateway");
    assertEquals("/user/gateway", gw.path().toStringWithoutAddress());
    String address = leaderKit.system().address().toString();
    new TestingLeader(address).start(ha.leaderElection(address));

    WorkerSettings settings = WorkerSettings.defaults("remote-worker", dataDir)
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(30));
    workerKit.spawn(WorkerAgent.create(settings, ha.leaderRetrieval()), "worker");

    ToLeader.RegisterWorker reg = (ToLeader.RegisterWorker) last(seen.fishForMessage(Duration.ofSeconds(15),
        m -> m instanceof ToLeader.RegisterWorker ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()));
    assertEquals("remote-worker", reg.info().workerId());
    seen.fishForMessage(Duration.ofSeconds(10), m -> m instanceof ToLeader.Reports r
        && r.reports().stream().anyMatch(a -> a.key().equals(key) && a.state() == AttemptState.SUCCEEDED)
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    TestProbe<LogChunk> logs = leaderKit.createTestProbe(LogChunk.class);
    reg.worker().tell(new ToWorker.FetchLog(reg.epoch(), key, 0, 1000, logs.ref()));
    LogChunk chunk = logs.receiveMessage(Duration.ofSeconds(10));
    assertEquals("over the wire\n", new String(chunk.data(), StandardCharsets.UTF_8));
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
