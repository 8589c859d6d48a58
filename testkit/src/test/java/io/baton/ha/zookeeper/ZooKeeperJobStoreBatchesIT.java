package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.testkit.Closer;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.ZooKeeperServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store tells an observer the size of every batch it writes (for the metrics): each write is in one. */
class ZooKeeperJobStoreBatchesIT {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  @RegisterExtension
  final Closer closer = new Closer();

  @Test
  void everyWriteIsInExactlyOneObservedBatch() throws Exception {
    Leading leading = Leading.start(closer, ZK.connectString(), "it-" + UUID.randomUUID());
    Queue<Integer> sizes = new ConcurrentLinkedQueue<>();
    leading.ha().jobStore().observeWriteBatches(sizes::add);
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      futures.add(leading.ha().jobStore().put(leading.epoch(), TestingJobs.job("job-" + i, "n")));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    leading.ha().jobStore().delete(leading.epoch(), "job-0").get(30, TimeUnit.SECONDS);
    assertEquals(501, sizes.stream().mapToInt(Integer::intValue).sum(), sizes.toString());
    assertTrue(sizes.stream().allMatch(n -> n >= 1), sizes.toString());
  }
}
