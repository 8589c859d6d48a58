package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.zookeeper.ZkPaths;
import io.baton.ha.zookeeper.ZooKeeperHaServices;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.leader.DefaultMasterApi;
import io.baton.scheduler.leader.LeaderSession;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.Eventually;
import io.baton.testkit.TestingZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A master on real ZooKeeper whose {@code /epoch} another client bumps: the term ends once and the master leads
 * again under one new epoch, with one new session that stays up (before, the session failed and restarted every
 * second while the REST facade kept answering from the failed one).
 */
class TamperedTermIT {
  private static final SchedulerSettings SETTINGS = new SchedulerSettings(
      Duration.ofMillis(100), Duration.ofMillis(600), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100), 0.1),
      Duration.ofSeconds(5));
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String cluster = "it-" + UUID.randomUUID();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  @Test
  void bumpingTheEpochEndsTheTermOnceAndTheNextSessionStays() throws Exception {
    TestingServer server = TestingZooKeeper.server();
    resources.add(server);
    CuratorFramework client = TestingZooKeeper.client(server.getConnectString());
    resources.add(client);
    ZooKeeperHaServices ha = ZooKeeperHaServices.forClient(client, cluster);
    resources.add(ha);
    ActorTestKit kit = ActorTestKit.create();
    resources.add(kit::shutdownTestKit);
    DefaultMasterApi api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    resources.add(api);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api, Clock.systemUTC()), "master")
        .tell(new MasterGuardian.Start("http://m1:8080"));
    Eventually.eventually("a ready session", Duration.ofSeconds(15), () -> api.session().isPresent());
    Epoch first = api.session().orElseThrow().epoch();

    CuratorFramework other = TestingZooKeeper.client(server.getConnectString());
    resources.add(other);
    ZkPaths paths = new ZkPaths(cluster);
    other.setData().forPath(paths.epoch(), "intruder".getBytes(StandardCharsets.UTF_8));

    Eventually.eventually("a session for a newer epoch", Duration.ofSeconds(15),
        () -> api.session().map(h -> h.epoch().compareTo(first) > 0).orElse(false));
    Epoch second = api.session().orElseThrow().epoch();
    assertEquals(first.value() + 2, second.value(), "the intruder's bump, then exactly one grant");

    // three seconds of real time: the same session throughout, never a gap, never another epoch
    Set<Optional<Epoch>> seen = new LinkedHashSet<>();
    LeaderSession.Handles handles = api.session().orElseThrow();
    long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < end) {
      seen.add(api.session().map(LeaderSession.Handles::epoch));
      assertTrue(api.session().orElseThrow() == handles, "the session was replaced");
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // sampling, not waiting
    }
    assertEquals(Set.of(Optional.of(second)), seen);
    assertEquals(second.value(), other.checkExists().forPath(paths.epoch()).getVersion());
    assertFalse(api.ready(), "no worker registered: not ready, but leading");
  }
}
