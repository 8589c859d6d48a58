package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.leader.LeaderSession;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.TestingClock;
import io.baton.wire.ToLeader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the session: when the leader's session fails (here: its job store fails a write), the REST
 * facade stops serving it and readyz turns 503 at once, until a new session is ready. In-memory HA, manual time.
 */
class FailedSessionReadinessTest {
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(
      Duration.ofMillis(100), Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1),
      Duration.ofSeconds(5));

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  private final ManualTime time = ManualTime.get(kit.system());
  private final ManualSteps steps =
      new ManualSteps(time, clock, kit.createTestProbe(), SETTINGS.heartbeatInterval());
  private final InMemoryHaServices inMemory = new InMemoryHaServices();
  private final AtomicBoolean storeFails = new AtomicBoolean();

  /** The in-memory services, with a job store whose writes fail while {@link #storeFails} is set. */
  private final HaServices ha = new HaServices() {
    private final JobStore store = new JobStore() {
      @Override
      public List<JobRecord> loadAll() throws Exception {
        return inMemory.jobStore().loadAll();
      }

      @Override
      public Loaded loadForLeader(Epoch epoch) throws Exception {
        return inMemory.jobStore().loadForLeader(epoch);
      }

      @Override
      public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches)
          throws Exception {
        return inMemory.jobStore().loadHistory(epoch, batchSize, batches);
      }

      @Override
      public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
        return storeFails.get()
            ? CompletableFuture.failedFuture(new java.io.IOException("disk on fire"))
            : inMemory.jobStore().put(epoch, job);
      }

      @Override
      public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
        return inMemory.jobStore().putFired(epoch, job, fire);
      }

      @Override
      public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
        return inMemory.jobStore().delete(epoch, jobId);
      }

      @Override
      public CompletableFuture<Void> putResult(Epoch epoch, io.baton.protocol.AttemptKey key, String result) {
        return inMemory.jobStore().putResult(epoch, key, result);
      }

      @Override
      public CompletableFuture<java.util.Map<io.baton.protocol.AttemptKey, String>> results(
          java.util.Collection<io.baton.protocol.AttemptKey> keys) {
        return inMemory.jobStore().results(keys);
      }
    };

    @Override
    public io.baton.ha.ScheduleStore scheduleStore() {
      return inMemory.scheduleStore();
    }

    @Override
    public LeaderElection leaderElection(String participantId) {
      return inMemory.leaderElection(participantId);
    }

    @Override
    public LeaderRetrieval leaderRetrieval() {
      return inMemory.leaderRetrieval();
    }

    @Override
    public JobStore jobStore() {
      return store;
    }

    @Override
    public String connectionState() {
      return inMemory.connectionState();
    }

    @Override
    public void close() {
      inMemory.close();
    }
  };

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    ha.close();
  }


  @Test
  void aFailedSessionIsNotReadyAndTheNextOneIs() throws Exception {
    DefaultMasterApi api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api, clock), "master").tell(new MasterGuardian.Start("http://m1"));
    steps.await(() -> api.session().isPresent());
    var classic = steps.get(Adapter.toClassic(kit.system()).actorSelection("/user/master/gateway").resolveOne(Duration.ofSeconds(3)));
    ActorRef<ToLeader> gateway = Adapter.toTyped(classic);
    TestingWorker w = new TestingWorker("w1");
    w.ref = kit.spawn(w.behavior(gateway, 2, Map.of()), "worker-w1");
    steps.await(api::ready);
    LeaderSession.Handles first = api.session().orElseThrow();

    storeFails.set(true);
    api.submit(new JobSpec("j", Map.of(), List.of(TaskSpec.handler("a", "noop", null, null))), Optional.empty());
    steps.await(() -> api.session().isEmpty());
    assertFalse(api.ready(), "a failed session is not ready");

    storeFails.set(false);
    steps.await(api::ready);
    assertNotSame(first, api.session().orElseThrow(), "a new session serves");
  }
}
