package io.baton.ha.zookeeper;

import static io.baton.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Closer;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.KillSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ZooKeeperLeaderElectionIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  @RegisterExtension
  final Closer closer = new Closer();
  private final String cluster = "it-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(cluster);

  private CuratorFramework client() throws Exception {
    return closer.later(TestingZooKeeper.client(ZK.connectString()));
  }

  private record Slot(String id, ZooKeeperLeaderElection election, RecordingContender contender) {}

  private Slot contend(ZooKeeperHaServices ha, String id) throws Exception {
    RecordingContender contender = new RecordingContender();
    ZooKeeperLeaderElection election = (ZooKeeperLeaderElection) ha.leaderElection(id);
    election.start(contender);
    return new Slot(id, closer.later(election), contender);
  }

  private static LeaderInfo info(Epoch epoch, String restUrl) {
    return new LeaderInfo(epoch, UUID.randomUUID().toString(), "pekko://baton@127.0.0.1:2552", restUrl);
  }

  private static final class RecordingListener implements LeaderListener {
    final List<Optional<LeaderInfo>> seen = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void leaderChanged(Optional<LeaderInfo> leader) {
      seen.add(leader);
      threads.add(Thread.currentThread().getName());
    }

    Optional<LeaderInfo> last() {
      return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
  }

  /** Polls both contenders until one is granted; returns [leader, other] and the epoch. */
  private static Map.Entry<Epoch, Slot[]> awaitGrant(Slot a, Slot b) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Slot s : new Slot[] {a, b}) {
        RecordingContender.Event e = s.contender().next(Duration.ofMillis(25));
        if (e instanceof RecordingContender.Granted g) {
          assertEquals("zk-election", g.thread());
          return Map.entry(g.epoch(), new Slot[] {s, s == a ? b : a});
        }
        assertFalse(e instanceof RecordingContender.Failed, String.valueOf(e));
      }
    }
    throw new AssertionError("no leader granted within " + WAIT);
  }

  @Test
  void exactlyOneLeaderEpochsGrowAndRetrievalFollowsTheConfirmedLeader() throws Exception {
    CuratorFramework c1 = client();
    CuratorFramework c2 = client();
    CuratorFramework c3 = client();
    ZooKeeperHaServices ha1 = closer.later(ZooKeeperHaServices.forClient(c1, cluster));
    ZooKeeperHaServices ha2 = closer.later(ZooKeeperHaServices.forClient(c2, cluster));
    ZooKeeperHaServices watcher = closer.later(ZooKeeperHaServices.forClient(c3, cluster));
    assertEquals("CONNECTED", ha1.connectionState());

    // a stale /leader left behind by some older leader: the first confirmed leader must replace it
    LeaderInfo stale = new LeaderInfo(Epoch.NONE, "old", "pekko://baton@10.9.9.9:2552", "http://old:1");
    c3.create().creatingParentsIfNeeded().forPath(paths.leader(), LeaderInfoJson.write(stale));

    RecordingListener listener = new RecordingListener();
    LeaderRetrieval retrieval = watcher.leaderRetrieval();
    retrieval.start(listener);
    eventually("initial leader value", WAIT, () -> !listener.seen.isEmpty());
    assertEquals(Optional.of(stale), listener.seen.get(0));

    Slot a = contend(ha1, "http://a-0:8080");
    Slot b = contend(ha2, "http://b-0:8080");
    long lastEpoch = 0;
    for (int round = 1; round <= 4; round++) {
      Map.Entry<Epoch, Slot[]> grant = awaitGrant(a, b);
      Epoch epoch = grant.getKey();
      Slot leader = grant.getValue()[0];
      Slot other = grant.getValue()[1];
      assertTrue(epoch.value() > lastEpoch, "epoch " + epoch + " after " + lastEpoch);
      lastEpoch = epoch.value();
      assertTrue(leader.election().hasLeadership(epoch));
      assertFalse(other.election().hasLeadership(epoch));
      assertNull(other.contender().next(Duration.ofMillis(200)), "the other contender must not lead too");
      assertEquals(2, leader.election().participants().size());
      assertTrue(leader.election().participants().containsAll(List.of(a.id(), b.id())));

      LeaderInfo info = info(epoch, leader.id());
      leader.election().confirmLeadership(epoch, info).get(5, TimeUnit.SECONDS);
      assertEquals(info, LeaderInfoJson.read(c3.getData().forPath(paths.leader())));
      eventually("retrieval sees " + info, WAIT, () -> Optional.of(info).equals(listener.last()));
      assertEquals(Optional.of(info), retrieval.current());

      ExecutionException wrongEpoch = assertThrows(ExecutionException.class,
          () -> leader.election().confirmLeadership(new Epoch(epoch.value() - 1), info).get(5, TimeUnit.SECONDS));
      assertInstanceOf(FencedException.class, wrongEpoch.getCause());
      ExecutionException notLeader = assertThrows(ExecutionException.class,
          () -> other.election().confirmLeadership(epoch, info(epoch, other.id())).get(5, TimeUnit.SECONDS));
      assertInstanceOf(FencedException.class, notLeader.getCause());

      // depose the leader by closing its election: it is revoked first and its /leader goes away
      leader.election().close();
      assertInstanceOf(RecordingContender.Revoked.class, leader.contender().next(WAIT));
      ExecutionException closed = assertThrows(ExecutionException.class,
          () -> leader.election().confirmLeadership(epoch, info).get(5, TimeUnit.SECONDS));
      assertInstanceOf(FencedException.class, closed.getCause());
      Slot fresh = contend(leader.election() == a.election() ? ha1 : ha2, leader.id().replaceAll("-\\d+:", "-" + round + ":"));
      if (leader == a) {
        a = fresh;
      } else {
        b = fresh;
      }
    }
    Map.Entry<Epoch, Slot[]> last = awaitGrant(a, b);
    assertTrue(last.getKey().value() > lastEpoch);
    assertTrue(listener.seen.contains(Optional.empty()), "a closed leader's /leader is deleted: " + listener.seen);
    assertTrue(listener.threads.stream().allMatch("zk-leader-retrieval"::equals), listener.threads.toString());
  }

  @Test
  void aLeaderWhoseSessionDiedIsFencedEverywhere() throws Exception {
    CuratorFramework c1 = client();
    CuratorFramework c2 = client();
    ZooKeeperHaServices ha1 = closer.later(ZooKeeperHaServices.forClient(c1, cluster));
    ZooKeeperHaServices ha2 = closer.later(ZooKeeperHaServices.forClient(c2, cluster));

    Slot a = contend(ha1, "http://a:8080");
    RecordingContender.Event first = a.contender().next(WAIT);
    Epoch e1 = assertInstanceOf(RecordingContender.Granted.class, first).epoch();
    Slot b = contend(ha2, "http://b:8080");
    a.election().confirmLeadership(e1, info(e1, a.id())).get(5, TimeUnit.SECONDS);
    JobRecord x1 = TestingJobs.job("job-x", "written-by-a");
    ha1.jobStore().put(e1, x1).get(5, TimeUnit.SECONDS);

    KillSession.kill(c1.getZookeeperClient().getZooKeeper());

    assertInstanceOf(RecordingContender.Revoked.class, a.contender().next(WAIT));
    Epoch e2 = assertInstanceOf(RecordingContender.Granted.class, b.contender().next(WAIT)).epoch();
    assertTrue(e2.value() > e1.value());
    assertFalse(a.election().hasLeadership(e1));

    ExecutionException confirm = assertThrows(ExecutionException.class,
        () -> a.election().confirmLeadership(e1, info(e1, a.id())).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, confirm.getCause());

    JobRecord x2 = TestingJobs.running("job-x", "overwritten-by-deposed-a");
    ExecutionException viaServices = assertThrows(ExecutionException.class,
        () -> ha1.jobStore().put(e1, x2).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, viaServices.getCause());
    // a store that knows nothing of the election: only ZooKeeper's /epoch version check can stop it
    ZooKeeperJobStore bare = closer.later(new ZooKeeperJobStore(c1, paths));
    ExecutionException serverSide = assertThrows(ExecutionException.class,
        () -> bare.put(e1, x2).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, serverSide.getCause());
    ExecutionException newJob = assertThrows(ExecutionException.class,
        () -> bare.put(e1, TestingJobs.job("job-z", "never")).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, newJob.getCause());

    LeaderInfo infoB = info(e2, b.id());
    b.election().confirmLeadership(e2, infoB).get(5, TimeUnit.SECONDS);
    assertEquals(infoB, LeaderInfoJson.read(c2.getData().forPath(paths.leader())));
    JobRecord y = TestingJobs.job("job-y", "written-by-b");
    ha2.jobStore().put(e2, y).get(5, TimeUnit.SECONDS);
    JobRecord x3 = TestingJobs.running("job-x", "updated-by-b");
    ha2.jobStore().put(e2, x3).get(5, TimeUnit.SECONDS);

    Map<String, JobRecord> stored = ha2.jobStore().loadAll().stream()
        .collect(Collectors.toMap(JobRecord::id, Function.identity()));
    assertEquals(Map.of("job-x", x3, "job-y", y), stored);
  }

  @Test
  void aRevokedTermCannotWriteEvenBeforeANewLeaderIsGranted() throws Exception {
    CuratorFramework c1 = client();
    ZooKeeperHaServices ha1 = closer.later(ZooKeeperHaServices.forClient(c1, cluster));
    Slot a = contend(ha1, "http://a:8080");
    Epoch e1 = assertInstanceOf(RecordingContender.Granted.class, a.contender().next(WAIT)).epoch();
    ha1.jobStore().put(e1, TestingJobs.job("job-1", "one")).get(5, TimeUnit.SECONDS);
    a.election().close();
    assertInstanceOf(RecordingContender.Revoked.class, a.contender().next(WAIT));
    // nobody else contends, so /epoch still has e1's version: the term bookkeeping fences the write
    ExecutionException fenced = assertThrows(ExecutionException.class,
        () -> ha1.jobStore().put(e1, TestingJobs.job("job-2", "two")).get(5, TimeUnit.SECONDS));
    assertInstanceOf(FencedException.class, fenced.getCause());
    assertEquals(List.of("job-1"), ha1.jobStore().loadAll().stream().map(JobRecord::id).toList());
  }
}
