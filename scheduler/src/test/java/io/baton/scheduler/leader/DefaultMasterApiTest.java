package io.baton.scheduler.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.NotLeaderException;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobsView;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.resourcemanager.ResourceManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST facade answers from the election's view of leadership, the one the write path is fenced by: the
 * moment the election says this master no longer leads, it stops claiming to and sends nothing to its old
 * session, even before the guardian has ended that session; and a fenced write reaches the caller as
 * {@link NotLeaderException} naming the leader, never this master.
 */
class DefaultMasterApiTest {
  private static final Duration ASK = Duration.ofSeconds(3);
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(
      Duration.ofMillis(100), Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1),
      ASK);
  private static final String SELF = "http://self:8080";
  private static final String OTHER = "http://other:8080";
  private static final Epoch EPOCH = new Epoch(7);
  private static final JobSpec SPEC = new JobSpec("n", Map.of(), List.of(TaskSpec.handler("a", "noop", null, null)));

  /** An election whose leadership the test sets. */
  private static final class TestingElection implements LeaderElection {
    volatile Epoch leading;

    @Override
    public void start(LeaderContender contender) {}

    @Override
    public CompletableFuture<Void> confirmLeadership(Epoch epoch, LeaderInfo info) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean hasLeadership(Epoch epoch) {
      return epoch.equals(leading);
    }

    @Override
    public List<String> participants() {
      return List.of(SELF, OTHER);
    }

    @Override
    public void stepDown(boolean rejoin) {
      leading = null;
    }

    @Override
    public void close() {}
  }

  private ActorTestKit kit;
  private ManualTime time;
  private InMemoryHaServices ha;
  private DefaultMasterApi api;
  private TestingElection election;
  private TestProbe<Dispatcher.Command> dispatcher;

  @BeforeEach
  void start() throws Exception {
    kit = ActorTestKit.create(ManualTime.config());
    time = ManualTime.get(kit.system());
    ha = new InMemoryHaServices();
    api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    election = new TestingElection();
    api.started(SELF, election);
    dispatcher = kit.createTestProbe(Dispatcher.Command.class);
    TestProbe<ResourceManager.Command> rm = kit.createTestProbe(ResourceManager.Command.class);
    election.leading = EPOCH;
    api.sessionReady(new LeaderSession.Handles(EPOCH, new LeaderInfo(EPOCH, "s", "pekko://baton@self:1", SELF),
        dispatcher.ref(), kit.createTestProbe(JobsView.Command.class).ref(),
        kit.createTestProbe(io.baton.scheduler.schedules.ScheduleMaster.Command.class).ref(), rm.ref(),
        new AtomicInteger(1),
        new java.util.concurrent.atomic.AtomicReference<>(java.util.List.of())));
  }

  @AfterEach
  void stop() {
    api.close();
    kit.shutdownTestKit();
    ha.close();
  }

  /** Another master leads and has published itself (with restUrl {@code url}). */
  private void publishedLeader(String url) throws Exception {
    LeaderElection other = ha.leaderElection(url);
    other.start(new LeaderContender() {
      @Override
      public void grantLeadership(Epoch epoch) {}

      @Override
      public void revokeLeadership() {}

      @Override
      public void handleError(Throwable error) {}
    });
    Epoch epoch = ha.currentEpoch();
    other.confirmLeadership(epoch, new LeaderInfo(epoch, "o", "pekko://baton@other:1", url))
        .get(5, TimeUnit.SECONDS);
  }

  private static NotLeaderException notLeader(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(NotLeaderException.class, e.getCause(), () -> "not NotLeader: " + e.getCause());
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void stopsClaimingLeadershipTheMomentTheElectionSaysSo() throws Exception {
    publishedLeader(OTHER);
    assertTrue(api.cluster().selfIsLeader());
    assertTrue(api.ready());

    election.leading = null; // the guardian has not heard yet: the session handles are still set
    assertFalse(api.cluster().selfIsLeader(), "isLeader comes from the election, not from the session handles");
    assertFalse(api.ready(), "/readyz says 503 at once");
    assertEquals(Optional.of(OTHER), api.cluster().leader().map(LeaderInfo::restUrl));

    CompletionStage<MasterApi.SubmitResult> submit = api.submit(SPEC, Optional.empty());
    assertTrue(submit.toCompletableFuture().isCompletedExceptionally(), "refused without asking the old session");
    assertEquals(Optional.of(OTHER), notLeader(submit).leader().map(LeaderInfo::restUrl));
    assertTrue(api.cancel("j").toCompletableFuture().isCompletedExceptionally());
    dispatcher.expectNoMessage(Duration.ZERO);
  }

  @Test
  void aFencedSubmitIsNotLeaderNamingTheNewLeader() throws Exception {
    publishedLeader(OTHER);
    CompletionStage<MasterApi.SubmitResult> submit = api.submit(SPEC, Optional.of("k"));
    Dispatcher.Submit asked = dispatcher.expectMessageClass(Dispatcher.Submit.class);
    asked.replyTo().tell(StatusReply.error(new FencedException(EPOCH, "fencing check failed on ZooKeeper")));
    NotLeaderException e = notLeader(submit);
    assertEquals(Optional.of(OTHER), e.leader().map(LeaderInfo::restUrl));
  }

  @Test
  void aCallThatTimesOutAfterLeadershipWasLostIsNotLeader() throws Exception {
    publishedLeader(OTHER);
    CompletionStage<MasterApi.CancelResult> cancel = api.cancel("job-1");
    dispatcher.expectMessageClass(Dispatcher.Cancel.class);
    election.leading = null; // deposed while the old session was handling it; it never answers
    time.timePasses(ASK.plusMillis(1));
    assertEquals(Optional.of(OTHER), notLeader(cancel).leader().map(LeaderInfo::restUrl));
  }

  @Test
  void aDeposedMasterNeverNamesItselfAsTheLeader() throws Exception {
    publishedLeader(SELF); // what ZooKeeper showed before this master's own /leader node went away
    election.leading = null;
    assertFalse(api.cluster().selfIsLeader());
    assertEquals(Optional.empty(), notLeader(api.submit(SPEC, Optional.empty())).leader());
  }
}
