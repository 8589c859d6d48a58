package io.baton.scheduler.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.JobStore;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.MasterApi.SubmitResult;
import io.baton.scheduler.api.QueueFullException;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.testkit.TestingClock;
import io.baton.testkit.TestingJobStore;
import io.baton.protocol.Epoch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader holds at most maxQueuedTasks tasks of unfinished jobs; a submission beyond it creates nothing. */
class DispatcherQueueCapTest {
  private final ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private static JobSpec job(int tasks) {
    return new JobSpec("n", Map.of(), IntStream.range(0, tasks)
        .mapToObj(i -> TaskSpec.handler("t" + i, "noop", null, List.of())).toList());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private StatusReply<SubmitResult> submit(ActorRef<Dispatcher.Command> dispatcher, JobSpec spec) {
    TestProbe<StatusReply<SubmitResult>> reply = (TestProbe) kit.createTestProbe(StatusReply.class);
    dispatcher.tell(new Dispatcher.Submit(spec, Optional.empty(), reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void aSubmissionOverTheCapIsRefusedAndNotStored() {
    TestingJobStore store = new TestingJobStore();
    SchedulerSettings settings = new SchedulerSettings(Duration.ofSeconds(1), Duration.ofSeconds(8),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0), Duration.ofSeconds(5), 3);
    TestProbe<ResourceManager.Command> rm = kit.createTestProbe(ResourceManager.Command.class);
    TestProbe<Throwable> fatal = kit.createTestProbe(Throwable.class);
    ActorRef<Dispatcher.Command> dispatcher = kit.spawn(Dispatcher.create(new Epoch(1), new JobStore.Loaded(List.of(), List.of()), store, rm.ref(),
        kit.spawn(JobsView.create()),
        settings, new TestingClock(), fatal.ref()));

    assertTrue(submit(dispatcher, job(2)).isSuccess());
    StatusReply<SubmitResult> refused = submit(dispatcher, job(2));
    assertTrue(refused.isError());
    QueueFullException full = assertInstanceOf(QueueFullException.class, refused.getError());
    assertEquals(2, full.queued());
    assertEquals(3, full.limit());
    assertEquals(1, store.stored().size(), "nothing was created for the refused job");
    assertTrue(submit(dispatcher, job(1)).isSuccess(), "a job that fits is still accepted");
    assertEquals(2, store.stored().size());
  }
}
