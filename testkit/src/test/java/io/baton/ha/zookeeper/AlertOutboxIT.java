package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.alert.AlertCodec;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.testkit.RecordingContender;
import io.baton.testkit.TestingJobs;
import io.baton.testkit.TestingZooKeeper;
import io.baton.testkit.ZooKeeperServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The alert outbox on a real ZooKeeper: an alert is created by the very transaction that writes its job's terminal
 * state (same zxid), for a one-record job moving to history and for a paged job, and what a leader left in the
 * outbox is there for the next one.
 */
class AlertOutboxIT {
  @RegisterExtension
  static final ZooKeeperServer ZK = new ZooKeeperServer();
  private static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

  private final String clusterId = "outbox-" + UUID.randomUUID();
  private final ZkPaths paths = new ZkPaths(clusterId);
  private final List<AutoCloseable> opened = new ArrayList<>();
  private CuratorFramework client;
  private ZooKeeperHaServices services;
  private Epoch epoch;

  @BeforeEach
  void lead() throws Exception {
    client = opened(TestingZooKeeper.client(ZK.connectString()));
    services = opened(ZooKeeperHaServices.forClient(client, clusterId));
    LeaderElection election = opened(services.leaderElection("http://a:8080"));
    RecordingContender contender = new RecordingContender();
    election.start(contender);
    epoch = assertInstanceOf(RecordingContender.Granted.class, contender.next(Duration.ofSeconds(30))).epoch();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  private static Alert alert(String id) {
    return new Alert(id, "https://hooks.example/x", "ops", ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private Stat stat(String path) throws Exception {
    Stat stat = client.checkExists().forPath(path);
    assertNotNull(stat, path + " exists");
    return stat;
  }

  @Test
  void aJobsTerminalWriteAndItsAlertAreOneTransaction() throws Exception {
    JobStore store = services.jobStore();
    JobRecord running = TestingJobs.running("j1", "one-record");
    store.put(epoch, running).get();
    store.put(epoch, running.withState(JobState.FAILED, T), List.of(alert("j1.FAILED.0"))).get();
    Stat job = stat(paths.historyJob("j1"));
    Stat outbox = stat(paths.alert("j1.FAILED.0"));
    assertEquals(job.getCzxid(), outbox.getCzxid(), "created by the transaction that moved the job to history");
    assertEquals(alert("j1.FAILED.0"), AlertCodec.decode(client.getData().forPath(paths.alert("j1.FAILED.0"))));
  }

  @Test
  void aPagedJobsAlertIsWrittenWithItsHeader() throws Exception {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tasks.add(TaskSpec.handler("t" + i, "noop", null, List.of()));
    }
    JobRecord job = JobRecord.submitted("j2", new JobSpec("paged", Map.of(), tasks), null, T)
        .withState(JobState.RUNNING, T);
    JobStore store = services.jobStore();
    store.put(epoch, job).get();
    assertEquals(2, client.getChildren().forPath(paths.job("j2")).stream().filter(c -> c.startsWith("p")).count(),
        "stored paged");
    store.put(epoch, job.withState(JobState.SUCCEEDED, T.plusSeconds(9)), List.of(alert("j2.SUCCEEDED.0"))).get();
    assertEquals(stat(paths.job("j2")).getMzxid(), stat(paths.alert("j2.SUCCEEDED.0")).getCzxid(),
        "the header's write created the alert");
  }

  @Test
  void whatALeaderLeftInTheOutboxIsThereForTheNextAndDeletedOnce() throws Exception {
    JobStore store = services.jobStore();
    store.put(epoch, TestingJobs.running("j3", "x"), List.of(alert("j3.t1.1.RUNNING_LONG.0"))).get();
    try (CuratorFramework other = TestingZooKeeper.client(ZK.connectString());
        ZooKeeperHaServices next = ZooKeeperHaServices.forClient(other, clusterId)) {
      assertEquals(List.of(alert("j3.t1.1.RUNNING_LONG.0")), next.jobStore().pendingAlerts());
      store.deleteAlert(epoch, "j3.t1.1.RUNNING_LONG.0").get();
      store.deleteAlert(epoch, "j3.t1.1.RUNNING_LONG.0").get();
      assertEquals(List.of(), next.jobStore().pendingAlerts());
    }
  }
}
