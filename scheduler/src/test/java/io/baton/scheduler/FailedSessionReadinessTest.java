package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
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
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the session: when the leader's session fails (here: its job store fails a write), the REST
 * facade stops serving it and readyz turns 503 at once, until a new session is ready; a new session is ready
 * (published, answering workers) before it has read its jobs, and answers about them once it has. In-memory HA,
 * manual time.
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
  private final TestingHaServices ha = new TestingHaServices();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
    ha.close();
  }


  private DefaultMasterApi api;
  private TestingWorker worker;

  /** A master leading with one registered worker ({@link #worker}, 2 cpus). */
  private void leadWithAWorker() throws Exception {
    api = new DefaultMasterApi(kit.system(), SETTINGS, ha);
    kit.spawn(MasterGuardian.create(ha, SETTINGS, api, clock), "master").tell(new MasterGuardian.Start("http://m1"));
    steps.await(() -> api.session().isPresent());
    var classic = steps.get(Adapter.toClassic(kit.system()).actorSelection("/user/master/gateway").resolveOne(Duration.ofSeconds(3)));
    ActorRef<ToLeader> gateway = Adapter.toTyped(classic);
    worker = new TestingWorker("w1");
    worker.ref = kit.spawn(worker.behavior(gateway, 2, Map.of()), "worker-w1");
    steps.await(api::ready);
  }

  /**
   * Lets {@code n} heartbeat timeouts pass a heartbeat interval at a time, each step handled before the next (one
   * jump would outrun the worker's heartbeats and make it DEAD).
   */
  private void passHeartbeatTimeouts(int n) {
    Instant until = clock.instant().plus(SETTINGS.heartbeatTimeout().multipliedBy(n));
    steps.await(() -> !clock.instant().isBefore(until));
  }

  private long count(String prefix) {
    synchronized (ha.steps) {
      return ha.steps.stream().filter(step -> step.startsWith(prefix)).count();
    }
  }

  /** Fails the leader's session with a failed write; the next session starts once writes work again. */
  private void failTheSession() {
    ha.storeFails.set(true);
    api.submit(new JobSpec("j", Map.of(), List.of(TaskSpec.handler("a", "noop", null, null))), Optional.empty());
    steps.await(() -> api.session().isEmpty());
    assertFalse(api.ready(), "a failed session is not ready");
    ha.storeFails.set(false);
  }

  @Test
  void aFailedSessionIsNotReadyAndTheNextOneIs() throws Exception {
    leadWithAWorker();
    LeaderSession.Handles first = api.session().orElseThrow();

    failTheSession();
    steps.await(api::ready);
    assertNotSame(first, api.session().orElseThrow(), "a new session serves");
  }

  @Test
  void aNewSessionServesAndAnswersWorkersWhileItReadsItsJobsThenAdoptsWhatRuns() throws Exception {
    leadWithAWorker();
    String finished = steps.get(api.submit(new JobSpec("short", Map.of(), List.of(TaskSpec.handler("a", "noop", null,
        null))), Optional.empty())).jobId();
    steps.await(() -> steps.get(api.job(finished)).map(j -> j.state() == JobState.SUCCEEDED).orElse(false));
    String running = steps.get(api.submit(new JobSpec("long", Map.of(), List.of(TaskSpec.handler("a", "sleep", null,
        null))), Optional.empty())).jobId();
    steps.await(() -> worker.started.size() == 2 && !worker.running.isEmpty());
    LeaderSession.Handles first = api.session().orElseThrow();

    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch readingHistory = new CountDownLatch(1);
    ha.holdLoads.set(reading);
    ha.holdHistory.set(readingHistory);
    CountDownLatch publishing = new CountDownLatch(1);
    ha.holdPublish.set(publishing);
    long reads = count("read ");
    long publications = count("publishing ");
    failTheSession();
    steps.await(() -> count("publishing ") > publications);
    passHeartbeatTimeouts(1);
    assertEquals(reads, count("read "),
        "the jobs are read only once the leader is published (on ZooKeeper their reads queue ahead of it): "
            + ha.steps);
    publishing.countDown();
    steps.await(() -> api.ready() && api.session().orElseThrow() != first);
    Epoch second = api.session().orElseThrow().epoch();
    steps.await(() -> count("read ") > reads);
    assertTrue(ha.steps.lastIndexOf("published " + second.value()) < ha.steps.lastIndexOf("read " + second.value()),
        "the jobs are read after the leader is published: " + ha.steps);
    int answered = worker.heartbeatsAnswered.get();
    steps.await(() -> second.equals(worker.epoch) && worker.heartbeatsAnswered.get() > answered + 3);
    CompletableFuture<Optional<JobRecord>> asked = api.job(running).toCompletableFuture();
    passHeartbeatTimeouts(2);
    assertFalse(asked.isDone(), "a job is not 'not found' because the new leader has not read it yet");

    reading.countDown();
    JobRecord job = steps.get(asked).orElseThrow();
    assertEquals(JobState.RUNNING, job.state());
    CompletableFuture<Optional<JobRecord>> askedFinished = api.job(finished).toCompletableFuture();
    passHeartbeatTimeouts(1);
    assertFalse(askedFinished.isDone(), "a finished job is not 'not found' because the history is not read yet");
    readingHistory.countDown();
    assertEquals(JobState.SUCCEEDED, steps.get(askedFinished).orElseThrow().state());
    passHeartbeatTimeouts(2);
    assertEquals(2, worker.started.size(), "the running attempt was adopted, not started again");
    assertTrue(worker.killed.isEmpty(), "nothing was killed: " + worker.killed);
    JobRecord after = steps.get(api.job(running)).orElseThrow();
    assertEquals(AttemptState.RUNNING, after.task("a").orElseThrow().latest().orElseThrow().state());
  }
}
