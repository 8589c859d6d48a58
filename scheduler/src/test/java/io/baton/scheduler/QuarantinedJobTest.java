package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.JobStore;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingJobs;
import io.baton.wire.ToLeader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader whose store holds unreadable records sets them aside and serves every other job: the session becomes
 * ready once (no restart loop), {@code GET /cluster}'s view lists the quarantined records, and readiness follows the
 * session. In-memory HA, manual time.
 */
class QuarantinedJobTest {
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(
      Duration.ofMillis(100), Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1),
      Duration.ofSeconds(5));

  private final TestingClock clock = new TestingClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  private final ManualTime time = ManualTime.get(kit.system());
  private final ManualSteps steps =
      new ManualSteps(time, clock, kit.createTestProbe(), SETTINGS.heartbeatInterval());
  private final InMemoryHaServices ha = new InMemoryHaServices();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    ha.close();
  }


  @Test
  void aLeaderWithAQuarantinedRecordServesTheOthers() throws Exception {
    JobRecord good = TestingJobs.job("job-good", "good");
    ha.plantStoredRecord("job-good", JobCodec.encode(good));
    byte[] garbage = {1, 2, 3, 4};
    ha.plantStoredRecord("job-bad", garbage);
    byte[] impostor = JobCodec.encode(TestingJobs.job("job-good", "impostor"));
    ha.plantStoredRecord("job-impostor", impostor);

    DefaultMasterApi api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api, clock), "master").tell(new MasterGuardian.Start("http://m1"));
    steps.await(() -> api.session().isPresent());
    Epoch epoch = api.session().orElseThrow().epoch();

    assertEquals(good.spec(), steps.get(api.job("job-good")).orElseThrow().spec(), "served (and being scheduled)");
    assertEquals(Optional.empty(), steps.get(api.job("job-bad")));
    ClusterView view = api.cluster();
    assertEquals(List.of("job-bad", "job-impostor"), view.quarantined().stream().map(JobStore.Quarantined::id).toList());
    assertTrue(view.quarantined().get(1).reason().contains("does not match"), view.quarantined().get(1).reason());
    assertArrayEquals(garbage, ha.quarantinedBytes("job-bad").orElseThrow());

    // readiness follows the session: no worker yet, then one registers
    assertEquals(false, api.ready());
    var classic = steps.get(Adapter.toClassic(kit.system()).actorSelection("/user/master/gateway").resolveOne(Duration.ofSeconds(3)));
    ActorRef<ToLeader> gateway = Adapter.toTyped(classic);
    TestingWorker w = new TestingWorker("w1");
    w.ref = kit.spawn(w.behavior(gateway, 2, Map.of()), "worker-w1");
    steps.await(api::ready);

    // one session, still the same term: the bad records did not make it fail and restart
    for (int i = 0; i < 20; i++) {
      steps.advance(SETTINGS.heartbeatInterval());
    }
    assertEquals(epoch, api.session().orElseThrow().epoch());
    assertEquals(epoch, ha.currentEpoch());
    assertTrue(api.ready());
  }
}
