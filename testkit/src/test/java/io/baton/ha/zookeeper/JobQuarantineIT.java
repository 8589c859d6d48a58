package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.FencedException;
import io.baton.ha.JobStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
import io.baton.testkit.ZooKeeperServer;
import io.baton.testkit.Closer;
import io.baton.testkit.TestingJobs;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unreadable or invalid job znodes planted behind the leader's back are moved to the quarantine by the leader's
 * load, with their original bytes, while every other job loads; the move is fenced.
 */
class JobQuarantineIT {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  @RegisterExtension
  final Closer closer = new Closer();
  private final String cluster = "it-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(cluster);
  private CuratorFramework client;
  private ZooKeeperHaServices ha;
  private Epoch epoch;

  @BeforeEach
  void lead() throws Exception {
    Leading leading = Leading.start(closer, ZK.connectString(), cluster);
    client = leading.client();
    ha = leading.ha();
    epoch = leading.epoch();
  }

  private void plant(String bucket, String name, byte[] bytes) throws Exception {
    client.create().creatingParentsIfNeeded().forPath(paths.jobs() + "/" + bucket + "/" + name, bytes);
  }

  @Test
  void badRecordsAreQuarantinedAndTheRestLoads() throws Exception {
    JobRecord a = TestingJobs.job("job-a", "a");
    JobRecord b = TestingJobs.job("job-b", "b");
    ha.jobStore().put(epoch, a).get(30, TimeUnit.SECONDS);
    ha.jobStore().put(epoch, b).get(30, TimeUnit.SECONDS);

    byte[] garbage = "not kryo at all".getBytes(StandardCharsets.UTF_8);
    plant(ZkPaths.bucketOf("job-garbage"), "job-garbage", garbage);
    byte[] truncated = java.util.Arrays.copyOf(JobCodec.encode(TestingJobs.job("job-cut", "c")), 12);
    plant(ZkPaths.bucketOf("job-cut"), "job-cut", truncated);
    byte[] future = JobCodec.encode(TestingJobs.job("job-v9", "v"));
    future[0] = 9;
    plant(ZkPaths.bucketOf("job-v9"), "job-v9", future);
    byte[] impostor = JobCodec.encode(TestingJobs.job("job-a", "impostor"));
    plant(ZkPaths.bucketOf("job-impostor"), "job-impostor", impostor);
    // a 6-byte length bomb: format byte, then a job id claiming 2^31 chars
    plant(ZkPaths.bucketOf("job-bomb"), "job-bomb", new byte[] {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});

    JobStore.Loaded loaded = ha.jobStore().loadForLeader(epoch);

    assertEquals(Map.of("job-a", a, "job-b", b),
        loaded.jobs().stream().collect(Collectors.toMap(JobRecord::id, j -> j)));
    Map<String, JobStore.Quarantined> q = loaded.quarantined().stream()
        .collect(Collectors.toMap(JobStore.Quarantined::id, x -> x));
    assertEquals(java.util.Set.of("job-garbage", "job-cut", "job-v9", "job-impostor", "job-bomb"), q.keySet());
    assertTrue(q.get("job-v9").reason().contains("unknown job record format 9"), q.get("job-v9").reason());
    assertTrue(q.get("job-impostor").reason().contains("does not match"), q.get("job-impostor").reason());
    assertArrayEquals(garbage, client.getData().forPath(paths.quarantined("job-garbage")), "original bytes kept");
    assertArrayEquals(future, client.getData().forPath(paths.quarantined("job-v9")));
    assertNull(client.checkExists().forPath(paths.job("job-garbage")), "moved, not copied");

    // a strict load now succeeds, and the next leader's load finds nothing new to move
    assertEquals(2, new ZooKeeperJobStore(client, paths).loadAll().size());
    JobStore.Loaded again = ha.jobStore().loadForLeader(epoch);
    assertEquals(2, again.jobs().size());
    assertEquals(q.keySet(), again.quarantined().stream().map(JobStore.Quarantined::id).collect(Collectors.toSet()));
    assertEquals(q.get("job-cut").at(), again.quarantined().stream()
        .filter(x -> x.id().equals("job-cut")).findFirst().orElseThrow().at());
  }

  @Test
  void quarantineIsFencedByTheEpoch() throws Exception {
    plant(ZkPaths.bucketOf("job-bad"), "job-bad", new byte[] {7});
    // another client bumps /epoch's version behind the leader's back
    client.setData().forPath(paths.epoch(), client.getData().forPath(paths.epoch()));

    assertThrows(FencedException.class, () -> ha.jobStore().loadForLeader(epoch));
    assertEquals(1, client.getData().forPath(paths.job("job-bad")).length, "a fenced leader moves nothing");
    assertTrue(client.checkExists().forPath(paths.quarantine()) == null
        || client.getChildren().forPath(paths.quarantine()).isEmpty(), "nothing quarantined");
  }
}
