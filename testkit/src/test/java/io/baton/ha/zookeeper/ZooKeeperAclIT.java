package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.testkit.Eventually;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.NoAuthException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Baton's ZooKeeper ACLs against a real server: what a client without the cluster's secret can and cannot do,
 * that masters sharing the secret can take over from each other, that workers need no secret, and the one-time
 * migration of nodes an older Baton created open.
 */
class ZooKeeperAclIT {
  private static final String SECRET = "s3cret-" + UUID.randomUUID();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final String cluster = "acl-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(cluster);
  private TestingServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = closeLater(TestingZooKeeper.server());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  private ZooKeeperSettings settings() {
    return ZooKeeperSettings.of(server.getConnectString()).withClusterId(cluster)
        .withSessionTimeout(Duration.ofSeconds(2)).withConnectionTimeout(Duration.ofSeconds(1));
  }

  private ZooKeeperHaServices master(String secret) {
    return closeLater(ZooKeeperHaServices.start(settings().withSecret(secret)));
  }

  /** A client without Baton's credentials: a worker, or anyone who reaches ZooKeeper. */
  private CuratorFramework anonymous() throws Exception {
    return closeLater(TestingZooKeeper.client(server.getConnectString()));
  }

  /** Leads on {@code ha}: granted, {@code /leader} published, returns the epoch. */
  private Epoch lead(ZooKeeperHaServices ha, String name) throws Exception {
    RecordingContender contender = new RecordingContender();
    LeaderElection election = closeLater(ha.leaderElection(name));
    election.start(contender);
    Epoch epoch = assertInstanceOf(RecordingContender.Granted.class, contender.next(Duration.ofSeconds(15))).epoch();
    election.confirmLeadership(epoch, new LeaderInfo(epoch, UUID.randomUUID().toString(), "pekko://baton@" + name,
        "http://" + name)).get(10, TimeUnit.SECONDS);
    return epoch;
  }

  @Test
  void aClientWithoutTheSecretCanReadOnlyTheLeader() throws Exception {
    ZooKeeperHaServices m1 = master(SECRET);
    Epoch epoch = lead(m1, "m1");
    JobRecord job = TestingJobs.job("job-1", "secret job");
    m1.jobStore().put(epoch, job).get(10, TimeUnit.SECONDS);
    assertEquals(0, m1.aclCheck().get(10, TimeUnit.SECONDS), "a tree created with ACLs needs no migration");

    CuratorFramework anon = anonymous();
    String jobPath = paths.job("job-1");
    byte[] leader = anon.getData().forPath(paths.leader());
    assertTrue(new String(leader, StandardCharsets.UTF_8).contains("pekko://baton@m1"));

    assertThrows(NoAuthException.class, () -> anon.getData().forPath(jobPath));
    assertThrows(NoAuthException.class, () -> anon.checkExists().forPath(jobPath));
    assertThrows(NoAuthException.class, () -> anon.getChildren().forPath(paths.root()));
    assertThrows(NoAuthException.class, () -> anon.getChildren().forPath(paths.jobs()));
    assertThrows(NoAuthException.class, () -> anon.getData().forPath(paths.epoch()));
    assertThrows(NoAuthException.class, () -> anon.setData().forPath(jobPath, new byte[] {1}));
    assertThrows(NoAuthException.class, () -> anon.delete().forPath(jobPath));
    assertThrows(NoAuthException.class, () -> anon.create().forPath(paths.jobBucket("job-1") + "/planted", new byte[0]));
    assertThrows(NoAuthException.class, () -> anon.create().forPath(paths.root() + "/planted", new byte[0]));
    assertThrows(NoAuthException.class, () -> anon.setData().forPath(paths.leader(), "{}".getBytes()));
    assertThrows(NoAuthException.class, () -> anon.delete().forPath(paths.leader()));
    assertThrows(NoAuthException.class, () -> anon.setData().forPath(paths.epoch(), new byte[0]));
    assertThrows(NoAuthException.class, () -> anon.delete().forPath(paths.epoch()));
    assertThrows(NoAuthException.class, () -> anon.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(paths.root()));
    assertThrows(NoAuthException.class, () -> anon.setACL().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath(paths.leader()));
    assertThrows(NoAuthException.class, () -> anon.delete().deletingChildrenIfNeeded().forPath(paths.root()));

    CuratorFramework wrongSecret = closeLater(ZooKeeperHaServices.start(settings().withSecret("guess"))).client();
    wrongSecret.blockUntilConnected(10, TimeUnit.SECONDS);
    assertThrows(NoAuthException.class, () -> wrongSecret.getData().forPath(jobPath));
    assertThrows(NoAuthException.class, () -> wrongSecret.setData().forPath(paths.leader(), new byte[0]));

    assertArrayEquals(leader, anon.getData().forPath(paths.leader()), "/leader is unchanged");
    assertEquals(List.of(job), m1.jobStore().loadAll(), "the job is unchanged");
  }

  @Test
  void aMasterWithTheWrongSecretReportsThatTheRootIsNotItsOwn() throws Exception {
    lead(master(SECRET), "m1");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> master("another-secret").aclCheck().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains(paths.root()), e.getCause().getMessage());
  }

  @Test
  void ofTwoMastersWithDifferentSecretsOnANewClusterTheSecondIsToldAtOnce() throws Exception {
    assertEquals(0, master(SECRET).aclCheck().get(10, TimeUnit.SECONDS), "the first creates the root");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> master("another-secret").aclCheck().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void aSecondMasterWithTheSecretTakesOverAndWrites() throws Exception {
    ZooKeeperHaServices m1 = master(SECRET);
    Epoch first = lead(m1, "m1");
    m1.jobStore().put(first, TestingJobs.job("job-1", "before")).get(10, TimeUnit.SECONDS);

    ZooKeeperHaServices m2 = master(SECRET);
    RecordingContender contender = new RecordingContender();
    LeaderElection election = closeLater(m2.leaderElection("m2"));
    election.start(contender);
    m1.close();
    Epoch second = assertInstanceOf(RecordingContender.Granted.class, contender.next(Duration.ofSeconds(15))).epoch();
    assertTrue(second.value() > first.value());
    election.confirmLeadership(second, new LeaderInfo(second, "s2", "pekko://baton@m2", "http://m2"))
        .get(10, TimeUnit.SECONDS);
    assertEquals(Set.of("job-1"), m2.jobStore().loadAll().stream().map(JobRecord::id).collect(Collectors.toSet()));
    m2.jobStore().put(second, TestingJobs.job("job-1", "after")).get(10, TimeUnit.SECONDS);
    m2.jobStore().put(second, TestingJobs.job("job-2", "new")).get(10, TimeUnit.SECONDS);
    assertTrue(new String(anonymous().getData().forPath(paths.leader()), StandardCharsets.UTF_8).contains("m2"));
    assertThrows(NoAuthException.class, () -> anonymous().getData().forPath(paths.job("job-2")));
  }

  @Test
  void aWorkerFindsTheLeaderWithoutCredentials() throws Exception {
    ZooKeeperHaServices worker = closeLater(ZooKeeperHaServices.start(settings()));
    AtomicReference<Optional<LeaderInfo>> seen = new AtomicReference<>(Optional.empty());
    closeLater(worker.leaderRetrieval()).start(seen::set);
    Epoch epoch = lead(master(SECRET), "m1");
    Eventually.eventually("the worker sees the leader", () -> seen.get().map(LeaderInfo::epoch).equals(Optional.of(epoch)));
    assertEquals("pekko://baton@m1", seen.get().orElseThrow().address());
  }

  @Test
  void anotherClusterWithItsOwnSecretSharesTheEnsemble() throws Exception {
    lead(master(SECRET), "m1");
    ZooKeeperHaServices other = closeLater(ZooKeeperHaServices.start(settings().withClusterId(cluster + "-b")
        .withSecret("other-secret")));
    Epoch epoch = lead(other, "b1");
    other.jobStore().put(epoch, TestingJobs.job("job-b", "b")).get(10, TimeUnit.SECONDS);
    assertThrows(NoAuthException.class, () -> other.client().getData().forPath(paths.epoch()));
    List<ACL> base = anonymous().getACL().forPath(ZkPaths.BASE);
    assertTrue(base.contains(new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.CREATE, ZooDefs.Ids.ANYONE_ID_UNSAFE)), base.toString());
    assertFalse(ZkAcls.tooOpen(base, ZooDefs.Perms.READ | ZooDefs.Perms.CREATE), base.toString());
  }

  @Test
  void aMasterWithTheSecretSecuresNodesAnOlderBatonLeftOpen() throws Exception {
    CuratorFramework old = anonymous();
    String job = paths.job("job-old");
    old.create().creatingParentsIfNeeded().forPath(job, new byte[] {7});
    old.create().forPath(paths.epoch(), new byte[0]);
    old.create().withMode(CreateMode.EPHEMERAL).forPath(paths.leader(), "{}".getBytes());
    assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, old.getACL().forPath(job));

    ZooKeeperHaServices m1 = master(SECRET);
    int secured = m1.aclCheck().get(10, TimeUnit.SECONDS);
    assertEquals(7, secured, "/baton, the root, jobs, the bucket, the job, epoch and leader");

    assertThrows(NoAuthException.class, () -> old.getData().forPath(job));
    assertThrows(NoAuthException.class, () -> old.setData().forPath(paths.epoch(), new byte[0]));
    assertThrows(NoAuthException.class, () -> old.setData().forPath(paths.leader(), new byte[0]));
    assertThrows(NoAuthException.class, () -> old.create().forPath(paths.root() + "/planted", new byte[0]));
    assertEquals("{}", new String(old.getData().forPath(paths.leader()), StandardCharsets.UTF_8));
    assertArrayEquals(new byte[] {7}, m1.client().getData().forPath(job));
    assertFalse(ZkAcls.tooOpen(old.getACL().forPath(ZkPaths.BASE), ZooDefs.Perms.READ | ZooDefs.Perms.CREATE));

    assertEquals(0, ZkAcls.secureExisting(m1.client(), paths), "a second run finds nothing to do");
  }
}
