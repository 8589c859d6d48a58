package io.baton.worker.connection;

import io.baton.worker.TestingLeaderResolver;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingLeader;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.worker.execution.AttemptRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The link as the worker's only door, against stand-in leaders and a probe in the runner's place, on
 * {@link ManualTime} (no timer fires unless a test moves time): each followed leader gets an inbox of its own; a
 * message on a deposed leader's inbox, with an epoch other than the followed leader's, or an acceptance naming
 * another session is refused, logged, and never reaches the runner.
 */
class LeaderLinkTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final LeaderLink.Settings SETTINGS = new LeaderLink.Settings(
      new WorkerInfo("w1", "host", 4, 4096, Map.of()), Duration.ofMillis(100), Duration.ofSeconds(60),
      Duration.ofSeconds(1), Duration.ofMillis(400));

  private final TestingClock clock = new TestingClock();
  private final TestingLeaderResolver resolver = new TestingLeaderResolver();
  private InMemoryHaServices ha;
  private TestProbe<AttemptRunner.Command> runner;
  private ActorRef<LeaderLink.Command> link;

  @BeforeEach
  void setUp() {
    ha = new InMemoryHaServices();
    runner = KIT.createTestProbe(AttemptRunner.Command.class);
  }

  @AfterEach
  void tearDown() {
    if (link != null) {
      KIT.stop(link, WAIT);
    }
    ha.close();
  }

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private TestProbe<ToLeader> leader(String address) throws Exception {
    TestProbe<ToLeader> probe = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, probe.ref());
    new TestingLeader(address).start(ha.leaderElection(address));
    return probe;
  }

  private void startLink() {
    link = KIT.spawn(LeaderLink.create(SETTINGS, ha.leaderRetrieval(), resolver, runner.ref(), clock));
  }

  /** Plays the runner: answers the registration request of the leader published now, with no reports. */
  private ToLeader.RegisterWorker register(TestProbe<ToLeader> leader) {
    AttemptRunner.GetRegistrationReports ask = runnerAwait(AttemptRunner.GetRegistrationReports.class);
    assertEquals(session(), ask.sessionId());
    ask.replyTo().tell(new AttemptRunner.RegistrationReports(ask.sessionId(), List.of(), 0));
    List<ToLeader> seen = leader.fishForMessage(WAIT, m -> m instanceof ToLeader.RegisterWorker
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    ToLeader.RegisterWorker reg = (ToLeader.RegisterWorker) seen.get(seen.size() - 1);
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), session(), reg.sentAtNanos()));
    return reg;
  }

  private String session() {
    return ha.leaderRetrieval().current().orElseThrow().sessionId();
  }

  @SuppressWarnings("unchecked")
  private <T extends AttemptRunner.Command> T runnerAwait(Class<T> type) {
    List<AttemptRunner.Command> seen = runner.fishForMessage(WAIT, m -> type.isInstance(m)
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return (T) seen.get(seen.size() - 1);
  }

  /**
   * The link's status, asked behind everything sent to it and to the followed leader's inbox before; returns what
   * the link told the runner meanwhile.
   */
  private Settled settle() {
    TestProbe<LeaderLink.Status> status = KIT.createTestProbe(LeaderLink.Status.class);
    link.tell(new LeaderLink.GetStatus(status.ref()));
    List<AttemptRunner.Command> told = new ArrayList<>();
    while (true) {
      AttemptRunner.Command m = runner.receiveMessage(WAIT);
      if (m instanceof AttemptRunner.GetStatus g) {
        g.replyTo().tell(new AttemptRunner.Status(false, List.of(), 0));
        return new Settled(status.receiveMessage(WAIT), told);
      }
      told.add(m);
    }
  }

  private record Settled(LeaderLink.Status status, List<AttemptRunner.Command> toldRunner) {
    boolean started() {
      return toldRunner.stream().anyMatch(m -> m instanceof AttemptRunner.Start);
    }
  }

  private static ToWorker.StartAttempts start(Epoch epoch, String task) {
    AttemptKey key = new AttemptKey("j", task, 1);
    return new ToWorker.StartAttempts(epoch, List.of(new AttemptSpec(key, TaskSpec.handler(task, "noop", null, List.of()))));
  }

  @Test
  void aNewLeaderGetsAFreshInboxAndWhatArrivesOnTheOldOneIsRefusedAndLogged() throws Exception {
    TestProbe<ToLeader> leader1 = leader("pekko://baton@127.0.0.1:1");
    startLink();
    ToLeader.RegisterWorker reg1 = register(leader1);
    assertTrue(settle().status().registered());

    TestProbe<ToLeader> leader2 = leader("pekko://baton@127.0.0.1:2");
    ha.revokeCurrentLeader();
    ToLeader.RegisterWorker reg2 = register(leader2);
    assertEquals(new Epoch(2), reg2.epoch());
    assertNotEquals(reg1.worker(), reg2.worker(), "each leader gets an inbox of its own");
    assertTrue(settle().status().registered());

    // the new leader's epoch on the deposed leader's inbox (who holds that ref is not the leader followed)
    LoggingTestKit.warn("rejected StartAttempts of 2 from the inbox of leader 1")
        .withMessageContains("no longer followed")
        .expect(KIT.system(), () -> {
          reg1.worker().tell(start(new Epoch(2), "smuggled"));
          return null;
        });
    assertFalse(settle().started());

    reg2.worker().tell(start(new Epoch(2), "real"));
    Settled after = settle();
    assertTrue(after.started(), "the followed leader's inbox is obeyed: " + after.toldRunner());
  }

  @Test
  void aCommandWithAnEpochOtherThanTheFollowedLeadersIsRefusedAndLoggedAndRaisesNothing() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startLink();
    ToLeader.RegisterWorker reg = register(leader);
    assertTrue(settle().status().registered());

    LoggingTestKit.warn("rejected StartAttempts of 1000001")
        .withMessageContains("its epoch is not the followed leader's")
        .expect(KIT.system(), () -> {
          reg.worker().tell(start(new Epoch(1_000_001), "poison"));
          return null;
        });
    reg.worker().tell(new ToWorker.KillAttempts(new Epoch(0), List.of(new AttemptKey("j", "any", 1)), null));
    Settled settled = settle();
    assertEquals(List.of(), settled.toldRunner().stream()
        .filter(m -> m instanceof AttemptRunner.Start || m instanceof AttemptRunner.Kill).toList());
    assertEquals(new Epoch(1), settled.status().newestEpoch(), "a message cannot raise the epoch the worker obeys");

    reg.worker().tell(start(new Epoch(1), "real"));
    assertTrue(settle().started(), "the followed leader is still obeyed");
  }

  @Test
  void anAcceptanceNamingAnotherSessionIsRefusedAndLogged() throws Exception {
    TestProbe<ToLeader> leader = leader("pekko://baton@127.0.0.1:1");
    startLink();
    AttemptRunner.GetRegistrationReports ask = runnerAwait(AttemptRunner.GetRegistrationReports.class);
    ask.replyTo().tell(new AttemptRunner.RegistrationReports(ask.sessionId(), List.of(), 0));
    ToLeader.RegisterWorker reg = leader.expectMessageClass(ToLeader.RegisterWorker.class, WAIT);

    LoggingTestKit.warn("rejected RegistrationAccepted of 1")
        .withMessageContains("it names session forged, not the followed leader's")
        .expect(KIT.system(), () -> {
          reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), "forged", reg.sentAtNanos()));
          return null;
        });
    assertFalse(settle().status().registered());

    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), session(), reg.sentAtNanos()));
    assertTrue(settle().status().registered());
  }

  @Test
  void whileNoLeaderIsPublishedNothingIsObeyed() throws Exception {
    startLink();
    String address = "pekko://baton@127.0.0.1:1";
    TestProbe<ToLeader> leader = KIT.createTestProbe(ToLeader.class);
    resolver.put(address, leader.ref());
    LeaderElection election = ha.leaderElection(address);
    new TestingLeader(address).start(election);
    ToLeader.RegisterWorker reg = register(leader);
    assertTrue(settle().status().registered());
    election.close(); // the only contender leaves: nothing is published
    ha.awaitEvents();
    assertTrue(settle().status().leader().isEmpty());

    LoggingTestKit.warn("rejected StartAttempts of 1")
        .withMessageContains("following no leader")
        .expect(KIT.system(), () -> {
          reg.worker().tell(start(new Epoch(1), "orphan"));
          return null;
        });
    assertFalse(settle().started());
  }

  /** A retrieval the test drives: it tells the link what it is told, as the ZooKeeper one would. */
  private static final class DrivenRetrieval implements LeaderRetrieval {
    private final CompletableFuture<LeaderListener> started = new CompletableFuture<>();

    @Override
    public void start(LeaderListener l) {
      started.complete(l);
    }

    /** The link's listener, once the link has started this retrieval (its setup may still be running). */
    LeaderListener listener() throws Exception {
      return started.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public Optional<LeaderInfo> current() {
      return Optional.empty();
    }

    @Override
    public void close() {}
  }

  @Test
  void theSameLeaderFollowedAgainAfterABlipGetsItsInboxBack() throws Exception {
    String address = "pekko://baton@127.0.0.1:1";
    TestProbe<ToLeader> leader = KIT.createTestProbe(ToLeader.class);
    DrivenRetrieval retrieval = new DrivenRetrieval();
    link = KIT.spawn(LeaderLink.create(SETTINGS, retrieval, l -> CompletableFuture.completedFuture(leader.ref()),
        runner.ref(), clock));
    LeaderInfo published = new LeaderInfo(new Epoch(3), "session-3", address, "http://127.0.0.1:1");
    runnerAwait(AttemptRunner.Attach.class);
    retrieval.listener().leaderChanged(Optional.of(published));
    ToLeader.RegisterWorker first = registerWith(leader, published);

    // /leader unreadable for a moment (e.g. the worker's ZooKeeper connection was suspended), then the same again
    retrieval.listener().leaderChanged(Optional.empty());
    assertFalse(settle().status().registered());
    retrieval.listener().leaderChanged(Optional.of(published));
    ToLeader.RegisterWorker again = registerWith(leader, published);
    assertEquals(first.worker(), again.worker(), "the leader knows this worker by its inbox: the same one again");
    assertTrue(settle().status().registered());
  }

  private ToLeader.RegisterWorker registerWith(TestProbe<ToLeader> leader, LeaderInfo published) {
    AttemptRunner.GetRegistrationReports ask = runnerAwait(AttemptRunner.GetRegistrationReports.class);
    ask.replyTo().tell(new AttemptRunner.RegistrationReports(ask.sessionId(), List.of(), 0));
    List<ToLeader> seen = leader.fishForMessage(WAIT, m -> m instanceof ToLeader.RegisterWorker
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    ToLeader.RegisterWorker reg = (ToLeader.RegisterWorker) seen.get(seen.size() - 1);
    reg.worker().tell(new ToWorker.RegistrationAccepted(reg.epoch(), published.sessionId(), reg.sentAtNanos()));
    return reg;
  }
}
