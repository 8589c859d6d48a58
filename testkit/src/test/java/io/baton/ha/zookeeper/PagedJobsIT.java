package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.codec.JobPages;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.testkit.Closer;
import io.baton.testkit.TestingZooKeeper;
import io.baton.testkit.ZooKeeperServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Big jobs stored paged ({@link PagedJobs}): spec once, task pages rewritten only when their tasks change, no znode
 * near ZooKeeper's limit, settled ones found through history, incomplete creations deleted.
 */
class PagedJobsIT {
  private static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

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

  private ZooKeeperJobStore freshStore() throws Exception {
    return Leading.freshStore(closer, ZK.connectString(), paths);
  }

  /** {@code n} command tasks with ~100-byte commands: 10,000 make a spec of about 1 MB. */
  static JobRecord bigJob(String id, int n) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(TaskSpec.command("task-" + i,
          List.of("/bin/sh", "-c", "echo processing partition " + i + " of the nightly load; sleep 1"), List.of()));
    }
    return JobRecord.submitted(id, new JobSpec("big", Map.of(), tasks), null, T).withState(JobState.RUNNING, T);
  }

  static JobRecord finish(JobRecord job, int task, AttemptState state) {
    TaskRecord t = job.tasks().get(task);
    return job.withTask(t.withAttempt(new AttemptRecord(1, state, "w1", 0, T, T.plusSeconds(1), null)));
  }

  /** Every znode's data version and size under the job's tree, by child name ("" for the job's own znode). */
  private Map<String, Stat> tree(String jobId) throws Exception {
    Map<String, Stat> out = new HashMap<>();
    String node = paths.job(jobId);
    out.put("", client.checkExists().forPath(node));
    for (String child : client.getChildren().forPath(node)) {
      out.put(child, client.checkExists().forPath(node + "/" + child));
    }
    return out;
  }

  @Test
  void aTenThousandTaskJobIsStoredInSmallPartsAndAChangeRewritesOnlyItsPage() throws Exception {
    JobStore store = ha.jobStore();
    JobRecord job = bigJob("01a2000000000001", 10_000);
    store.put(epoch, job).get();
    Map<String, Stat> first = tree(job.id());
    first.forEach((name, stat) -> assertTrue(stat.getDataLength() <= JobPages.SPEC_CHUNK_BYTES,
        name + " holds " + stat.getDataLength() + " bytes"));
    int chunks = JobPages.encodeSpec(job.spec()).size();
    assertTrue(chunks > 1, "a 10,000-task spec takes several chunks");
    assertEquals(1 + chunks + JobPages.pageCount(10_000), first.size(), "header, " + chunks + " spec chunks, the pages");

    JobRecord changed = finish(job, 7_000, AttemptState.RUNNING);
    store.put(epoch, changed).get();
    Map<String, Stat> second = tree(job.id());
    List<String> rewritten = new ArrayList<>();
    second.forEach((name, stat) -> {
      if (stat.getVersion() != first.get(name).getVersion()) {
        rewritten.add(name);
      }
    });
    assertEquals(List.of("p" + 7_000 / JobPages.TASKS_PER_PAGE), rewritten, "one page, not the header or the spec");
    assertEquals(List.of(changed), freshStore().loadForLeader(epoch).jobs(), "a new leader reads it whole");
  }

  @Test
  void aSettledPagedJobIsHistoryAndIsDeletedWhole() throws Exception {
    JobStore store = ha.jobStore();
    JobRecord job = bigJob("01a2000000000002", 150);
    JobRecord open = bigJob("01a2000000000003", 100);
    store.put(epoch, job).get();
    store.put(epoch, open).get();
    for (int i = 0; i < 150; i++) {
      job = finish(job, i, AttemptState.SUCCEEDED);
    }
    job = job.withState(JobState.SUCCEEDED, T.plusSeconds(2));
    store.put(epoch, job).get();
    assertTrue(job.settled());

    ZooKeeperJobStore fresh = freshStore();
    JobStore.Loaded loaded = fresh.loadForLeader(epoch);
    assertEquals(List.of(open), loaded.jobs(), "only the unfinished before serving");
    assertEquals(job.id(), fresh.loadAll().stream().map(JobRecord::id).sorted().toList().get(0));
    List<JobRecord> history = new ArrayList<>();
    fresh.loadHistory(epoch, 10, history::addAll);
    assertEquals(List.of(job), history);

    fresh.delete(epoch, job.id()).get();
    assertNull(client.checkExists().forPath(paths.job(job.id())));
    assertNull(client.checkExists().forPath(paths.historyJob(job.id())));
    assertEquals(List.of(open), freshStore().loadAll());
  }

  @Test
  void aCreationNeverCompletedIsDeletedByTheNextLeader() throws Exception {
    JobRecord job = bigJob("01a2000000000004", 200);
    String node = paths.job(job.id());
    client.create().creatingParentsIfNeeded().forPath(node,
        JobPages.encodeHeader(JobPages.Header.of(job, 1, false)));
    client.create().forPath(node + "/s0", JobPages.encodeSpec(job.spec()).get(0));
    JobStore.Loaded loaded = freshStore().loadForLeader(epoch);
    assertEquals(List.of(), loaded.jobs());
    assertEquals(List.of(), loaded.quarantined());
    assertNull(client.checkExists().forPath(node));
  }

  @Test
  void aBrokenPagedJobIsQuarantinedAndTheRestServed() throws Exception {
    JobRecord good = bigJob("01a2000000000005", 100);
    JobRecord broken = bigJob("01a2000000000006", 100);
    ha.jobStore().put(epoch, good).get();
    ha.jobStore().put(epoch, broken).get();
    client.setData().forPath(paths.job(broken.id()) + "/p1", new byte[] {3, 9, 9});
    JobStore.Loaded loaded = freshStore().loadForLeader(epoch);
    assertEquals(List.of(good), loaded.jobs());
    assertEquals(List.of(broken.id()), loaded.quarantined().stream().map(JobStore.Quarantined::id).toList());
    assertNull(client.checkExists().forPath(paths.job(broken.id())));
  }

  @Test
  void aFireCreatesAPagedJobOnceAndASecondIsRefusedLeavingNothing() throws Exception {
    ha.scheduleStore().create(epoch, new io.baton.protocol.schedule.ScheduleRecord(
        ScheduleSpec.of("nightly", "0 2 * * *", bigJob("x", 1).spec()), false, T, null)).get();
    JobStore.Fire fire = new JobStore.Fire("nightly", T);
    JobRecord first = bigJob("01a2000000000007", 500);
    ha.jobStore().putFired(epoch, first, fire).get();
    JobRecord second = bigJob("01a2000000000008", 500);
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> ha.jobStore().putFired(epoch, second, fire).get());
    assertInstanceOf(JobStore.FireExistsException.class, refused.getCause());
    assertNull(client.checkExists().forPath(paths.job(second.id())), "nothing of the refused job is left");
    assertEquals(List.of(first), freshStore().loadAll());
  }
}
