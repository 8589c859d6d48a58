package io.baton.scheduler.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.JobFilter;
import io.baton.scheduler.api.MasterApi.DeleteResult;
import io.baton.scheduler.api.MasterApi.SubmitResult;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.policy.Retention;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention and deletion in the Dispatcher, on manual time: finished jobs go after max-age or beyond max-count,
 * unfinished ones never; DELETE removes one finished job; an idempotency key lives exactly as long as its job; the
 * finished history a new leader reads in the background counts for all of it.
 */
class DispatcherRetentionTest {
  private static final Instant START = Instant.parse("2026-11-28T00:00:00Z");
  private static final Duration SWEEP = Duration.ofMinutes(1);
  private static final JobSpec SPEC = new JobSpec("n", Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())));

  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  private final ManualTime time = ManualTime.get(kit.system());
  private final TestingClock clock = new TestingClock(START);
  private final TestingJobStore store = new TestingJobStore();
  private final TestProbe<ResourceManager.Command> rm = kit.createTestProbe(ResourceManager.Command.class);
  private final TestProbe<Throwable> fatal = kit.createTestProbe(Throwable.class);
  private final ActorRef<JobsView.Command> view = kit.spawn(JobsView.create());

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private static String id(int n) {
    return String.format("%016x", (START.toEpochMilli() - 1_000_000L + n) << 16);
  }

  /** A job stored by an earlier leader that finished {@code ago} before START. */
  private static JobRecord finished(int n, String key, Duration ago) {
    Instant at = START.minus(ago);
    return JobRecord.submitted(id(n), SPEC, key, at.minusSeconds(1)).withState(JobState.SUCCEEDED, at);
  }

  /** {@link #finished} with label {@code team=data}, its one task run on {@code worker}. */
  private static JobRecord finishedOn(int n, String worker, Duration ago) {
    Instant at = START.minus(ago);
    JobSpec spec = new JobSpec("n", Map.of("team", "data"), SPEC.tasks());
    AttemptRecord attempt = new AttemptRecord(1, AttemptState.SUCCEEDED, worker, 0, at.minusMillis(500), at, null);
    return JobRecord.submitted(id(n), spec, null, at.minusSeconds(1))
        .withTask(new TaskRecord("t", AttemptState.SUCCEEDED, List.of(attempt), null))
        .withState(JobState.SUCCEEDED, at);
  }

  private static JobRecord running(int n, Duration ago) {
    return JobRecord.submitted(id(n), SPEC, null, START.minus(ago)).withState(JobState.RUNNING, START.minus(ago));
  }

  private ActorRef<Dispatcher.Command> dispatcher(Duration maxAge, long maxCount) {
    SchedulerSettings settings = new SchedulerSettings(Duration.ofSeconds(1), Duration.ofSeconds(8),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0), Duration.ofSeconds(5), 1000)
        .withRetention(new Retention(maxAge, maxCount, SWEEP, 100));
    return kit.spawn(Dispatcher.create(new Epoch(1), store.loadForLeader(new Epoch(1)), store, rm.ref(), view,
        settings, clock, fatal.ref()));
  }

  /** Waits (real time, briefly) until the Dispatcher lists {@code expected}: the history loads in the background. */
  private void awaitListed(ActorRef<Dispatcher.Command> dispatcher, List<String> expected) {
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(expected, listed(dispatcher));
      return null;
    });
  }

  private List<String> listed(ActorRef<Dispatcher.Command> dispatcher) {
    TestProbe<List<JobRecord>> reply = kit.createTestProbe();
    view.tell(new JobsView.ListJobs(Optional.empty(), Optional.empty(), 1000, Optional.empty(), reply.ref()));
    return reply.receiveMessage().stream().map(JobRecord::id).toList();
  }

  private List<String> listed(JobFilter filter) {
    TestProbe<List<JobRecord>> reply = kit.createTestProbe();
    view.tell(new JobsView.ListJobs(filter, 1000, Optional.empty(), reply.ref()));
    return reply.receiveMessage().stream().map(JobRecord::id).toList();
  }

  private DeleteResult delete(ActorRef<Dispatcher.Command> dispatcher, String jobId) {
    TestProbe<DeleteResult> reply = kit.createTestProbe();
    dispatcher.tell(new Dispatcher.Delete(jobId, reply.ref()));
    return reply.receiveMessage();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private SubmitResult submit(ActorRef<Dispatcher.Command> dispatcher, String key) {
    TestProbe<StatusReply<SubmitResult>> reply = (TestProbe) kit.createTestProbe(StatusReply.class);
    dispatcher.tell(new Dispatcher.Submit(SPEC, Optional.of(key), reply.ref()));
    return reply.receiveMessage().getValue();
  }

  /** Lets a sweep happen: the clock and Pekko's timers move on by one sweep interval. */
  private void sweep(Duration clockMoves) {
    clock.advance(clockMoves);
    time.timePasses(SWEEP);
  }

  /** The next ForgetJobs the ResourceManager hears (the JobMasters' requests to it pass by). */
  private ResourceManager.ForgetJobs forgotten() {
    for (int i = 0; i < 100; i++) {
      if (rm.receiveMessage(Duration.ofSeconds(3)) instanceof ResourceManager.ForgetJobs forget) {
        return forget;
      }
    }
    throw new AssertionError("no ForgetJobs");
  }

  @Test
  void theFinishedHistoryIsReadOnlyOnceWhatItWaitsForIsDone() {
    store.with(finished(1, null, Duration.ofHours(1))).with(running(2, Duration.ofHours(1)));
    SchedulerSettings settings = new SchedulerSettings(Duration.ofSeconds(1), Duration.ofSeconds(8),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0), Duration.ofSeconds(5), 1000);
    java.util.concurrent.CompletableFuture<Void> schedulesLoaded = new java.util.concurrent.CompletableFuture<>();
    ActorRef<Dispatcher.Command> dispatcher = kit.spawn(Dispatcher.create(new Epoch(1),
        store.loadForLeader(new Epoch(1)), store, rm.ref(), view, settings, clock, fatal.ref(), schedulesLoaded));
    awaitListed(dispatcher, List.of(id(2)));
    assertEquals(List.of(id(2)), listed(dispatcher), "the unfinished job at once, the finished one not yet read");

    schedulesLoaded.complete(null);
    awaitListed(dispatcher, List.of(id(2), id(1)));
  }

  @Test
  void finishedJobsGoAfterMaxAgeWithTheirLogsAndUnfinishedOnesStay() {
    store.with(finished(1, null, Duration.ofDays(2))).with(finished(2, null, Duration.ofHours(1)))
        .with(running(3, Duration.ofDays(30)));
    ActorRef<Dispatcher.Command> dispatcher = dispatcher(Duration.ofDays(3), 100);
    awaitListed(dispatcher, List.of(id(3), id(2), id(1)));

    sweep(Duration.ofDays(1).plusMinutes(1));
    assertEquals(List.of(id(1)), forgotten().jobIds(), "workers are told to delete the logs");
    assertEquals(List.of(id(3), id(2)), listed(dispatcher));
    assertEquals(List.of(id(1)), store.deleted());
    assertTrue(store.stored().containsKey(id(3)), "an unfinished job is never deleted, however old");
  }

  @Test
  void retentionAndDeleteTakeJobsOutOfTheWorkerAndLabelFilters() {
    store.with(finishedOn(1, "w1", Duration.ofDays(2))).with(finishedOn(2, "w1", Duration.ofHours(1)))
        .with(finishedOn(3, "w2", Duration.ofHours(1)));
    ActorRef<Dispatcher.Command> dispatcher = dispatcher(Duration.ofDays(3), 100);
    awaitListed(dispatcher, List.of(id(3), id(2), id(1)));
    assertEquals(List.of(id(2), id(1)), listed(JobFilter.all().withWorker("w1")));
    assertEquals(List.of(id(3), id(2), id(1)), listed(JobFilter.all().withLabels(Map.of("team", "data"))));

    sweep(Duration.ofDays(1).plusMinutes(1));
    assertEquals(List.of(id(1)), forgotten().jobIds());
    assertEquals(List.of(id(2)), listed(JobFilter.all().withWorker("w1")));
    assertEquals(DeleteResult.DELETED, delete(dispatcher, id(2)));
    assertEquals(List.of(), listed(JobFilter.all().withWorker("w1")), "no job of w1 is left");
    assertEquals(List.of(id(3)), listed(JobFilter.all().withWorker("w2")));
    assertEquals(List.of(id(3)), listed(JobFilter.all().withLabels(Map.of("team", "data"))));
  }

  @Test
  void theOldestFinishedJobsBeyondMaxCountGoAtOnce() {
    store.with(finished(1, null, Duration.ofMinutes(3))).with(finished(2, null, Duration.ofMinutes(2)))
        .with(finished(3, null, Duration.ofMinutes(1))).with(running(4, Duration.ofDays(1)));
    ActorRef<Dispatcher.Command> dispatcher = dispatcher(Duration.ofDays(3), 1);

    assertEquals(List.of(id(1), id(2)), forgotten().jobIds(), "the first sweep runs once the history is in");
    assertEquals(List.of(id(4), id(3)), listed(dispatcher));
    assertEquals(List.of(id(1), id(2)), store.deleted());
  }

  @Test
  void deleteRemovesAFinishedJobAndRefusesAnUnfinishedOrUnknownOne() {
    store.with(finished(1, "key-1", Duration.ofMinutes(1))).with(running(2, Duration.ofMinutes(1)));
    ActorRef<Dispatcher.Command> dispatcher = dispatcher(Duration.ofDays(3), 100);

    assertEquals(DeleteResult.NOT_FINISHED, delete(dispatcher, id(2)));
    assertEquals(DeleteResult.NOT_FOUND, delete(dispatcher, "nope"));
    assertEquals(List.of(), store.deleted(), "refusals change nothing");
    assertEquals(DeleteResult.DELETED, delete(dispatcher, id(1)));
    assertEquals(List.of(id(1)), forgotten().jobIds());
    assertEquals(List.of(id(2)), listed(dispatcher));
    assertEquals(DeleteResult.NOT_FOUND, delete(dispatcher, id(1)));
  }

  @Test
  void anIdempotencyKeyLivesAsLongAsItsJob() {
    store.with(finished(1, "nightly-2026-11-27", Duration.ofDays(2)));
    ActorRef<Dispatcher.Command> dispatcher = dispatcher(Duration.ofDays(3), 100);

    SubmitResult again = submit(dispatcher, "nightly-2026-11-27");
    assertEquals(id(1), again.jobId(), "a key of a finished job read from history still answers with that job");
    assertFalse(again.created());

    sweep(Duration.ofDays(1).plusMinutes(1));
    assertEquals(List.of(id(1)), forgotten().jobIds());
    SubmitResult fresh = submit(dispatcher, "nightly-2026-11-27");
    assertTrue(fresh.created(), "once the job is deleted its key is free again");
    assertTrue(fresh.jobId().compareTo(id(1)) > 0, "new ids stay above every stored one");
  }
}
