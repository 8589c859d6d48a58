package io.baton.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.alerts.AlertDelivery;
import io.baton.scheduler.api.ClusterEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.BehaviorTestKit;
import org.junit.jupiter.api.Test;

/** The job and attempt meters follow the leader's events; synchronous, no clock. */
class JobEventsMeterTest {
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private static final JobSpec SPEC = new JobSpec("n", Map.of(),
      List.of(TaskSpec.handler("a", "noop", null, null), TaskSpec.handler("b", "noop", null, List.of("a"))));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BehaviorTestKit<JobEventsMeter.Command> meter =
      BehaviorTestKit.create(JobEventsMeter.create(registry, Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC)));

  @Test
  void aJobsLifeMovesTheCountersOnceEach() {
    JobRecord submitted = JobRecord.submitted("j1", SPEC, null, T0);
    changed(submitted);
    assertEquals(1, counter("baton.jobs.submitted"));
    assertEquals(1, gauge("baton.jobs", "state", "PENDING"));
    assertEquals(2, gauge("baton.tasks", "state", "PENDING"));

    JobRecord takenUp = submitted.withState(JobState.RUNNING, T0.plusSeconds(1));
    changed(takenUp);
    assertEquals(0, registry.get("baton.job.start.latency").timer().count(), "no attempt runs yet");
    assertEquals(1, gauge("baton.placement.queue"), "a waits for a worker, b for a");
    assertEquals(1, gauge("baton.jobs", "state", "RUNNING"));
    JobRecord running = takenUp
        .withTask(task("a", AttemptState.RUNNING, attempt(1, AttemptState.RUNNING, T0.plusSeconds(2), null)));
    changed(running);
    changed(running); // the same record again changes nothing
    assertEquals(0, gauge("baton.placement.queue"));
    assertEquals(1, counter("baton.attempts.started"));
    assertEquals(0, gauge("baton.jobs", "state", "PENDING"));
    assertEquals(1, gauge("baton.jobs", "state", "RUNNING"));
    assertEquals(1, gauge("baton.tasks", "state", "RUNNING"));
    assertEquals(1, registry.get("baton.job.start.latency").timer().count());
    assertEquals(2.0, registry.get("baton.job.start.latency").timer().totalTime(TimeUnit.SECONDS));

    // a's attempt 1 fails and waits out its backoff; attempt 2 runs; then it and b succeed
    JobRecord backingOff = running.withTask(new TaskRecord("a", AttemptState.PENDING, List.of(
        attempt(1, AttemptState.FAILED, T0.plusSeconds(2), T0.plusSeconds(3))), T0.plusSeconds(20)));
    changed(backingOff);
    assertEquals(1, counter("baton.attempts.finished", "state", "FAILED"));
    assertEquals(0, gauge("baton.placement.queue"), "a retry waits out its backoff first (now is T0 + 10 s)");
    JobRecord retried = running.withTask(new TaskRecord("a", AttemptState.RUNNING, List.of(
        attempt(1, AttemptState.FAILED, T0.plusSeconds(2), T0.plusSeconds(3)),
        attempt(2, AttemptState.RUNNING, T0.plusSeconds(4), null)), null));
    changed(retried);
    assertEquals(2, counter("baton.attempts.started"));
    assertEquals(1, counter("baton.attempts.finished", "state", "FAILED"));
    assertEquals(1, registry.get("baton.job.start.latency").timer().count(), "the job started once");

    JobRecord done = retried
        .withTask(task("a", AttemptState.SUCCEEDED, attempt(1, AttemptState.FAILED, T0.plusSeconds(2),
            T0.plusSeconds(3)), attempt(2, AttemptState.SUCCEEDED, T0.plusSeconds(4), T0.plusSeconds(5))))
        // b ran and finished between two events: seen started and finished at once
        .withTask(task("b", AttemptState.SUCCEEDED, attempt(1, AttemptState.SUCCEEDED, T0.plusSeconds(5),
            T0.plusSeconds(6))))
        .withState(JobState.SUCCEEDED, T0.plusSeconds(6));
    changed(done);
    changed(done);
    assertEquals(3, counter("baton.attempts.started"));
    assertEquals(2, counter("baton.attempts.finished", "state", "SUCCEEDED"));
    assertEquals(1, counter("baton.jobs.finished", "state", "SUCCEEDED"));
    assertEquals(0, counter("baton.jobs.finished", "state", "FAILED"));
    assertEquals(0, gauge("baton.jobs", "state", "RUNNING"));
    assertEquals(0, gauge("baton.tasks", "state", "RUNNING"));
    assertEquals(1, registry.get("baton.job.finish.latency").timer().count());
    assertEquals(6.0, registry.get("baton.job.finish.latency").timer().totalTime(TimeUnit.SECONDS));
    assertEquals(1, counter("baton.jobs.submitted"));
  }

  @Test
  void recoveredJobsAreNotSubmittedAgainAndFinishedOnesFromBeforeAreNotCounted() {
    JobRecord open = JobRecord.submitted("j1", SPEC, null, T0);
    meter.run(new JobEventsMeter.Recovered(List.of(open)));
    assertEquals(1, gauge("baton.jobs", "state", "PENDING"));
    changed(open.withState(JobState.CANCELLED, T0.plusSeconds(1)));
    assertEquals(0, counter("baton.jobs.submitted"));
    assertEquals(1, counter("baton.jobs.finished", "state", "CANCELLED"));
    assertEquals(0, gauge("baton.jobs", "state", "PENDING"));

    // a finished job this master never saw open (its delete, say, republishes it): not counted
    changed(JobRecord.submitted("j0", SPEC, null, T0).withState(JobState.FAILED, T0));
    assertEquals(0, counter("baton.jobs.finished", "state", "FAILED"));
  }

  @Test
  void resetForgetsTheOpenJobsAndRemovedJobsLeaveTheGauges() {
    changed(JobRecord.submitted("j1", SPEC, null, T0));
    changed(JobRecord.submitted("j2", SPEC, null, T0));
    meter.run(new JobEventsMeter.Event(new ClusterEvent.JobRemoved("j2")));
    assertEquals(1, gauge("baton.jobs", "state", "PENDING"));
    meter.run(new JobEventsMeter.Reset());
    assertEquals(0, gauge("baton.jobs", "state", "PENDING"));
    assertEquals(0, gauge("baton.tasks", "state", "PENDING"));
    assertEquals(2, counter("baton.jobs.submitted"));
  }

  @Test
  void alertDeliveriesAreCountedByOutcomeAndThePendingOnesGauged() {
    delivery("a1", AlertDelivery.Outcome.FAILED, 2);
    delivery("a1", AlertDelivery.Outcome.DELIVERED, 1);
    delivery("a2", AlertDelivery.Outcome.FAILED, 1);
    delivery("a2", AlertDelivery.Outcome.GIVEN_UP, 0);
    assertEquals(2, counter("baton.alerts.deliveries", "outcome", "failed"));
    assertEquals(1, counter("baton.alerts.deliveries", "outcome", "delivered"));
    assertEquals(1, counter("baton.alerts.deliveries", "outcome", "given_up"));
    assertEquals(0, gauge("baton.alerts.pending"));
    delivery("a3", AlertDelivery.Outcome.FAILED, 4);
    assertEquals(4, gauge("baton.alerts.pending"));
    meter.run(new JobEventsMeter.Reset());
    assertEquals(0, gauge("baton.alerts.pending"), "a master that no longer leads holds no outbox");
    assertEquals(3, counter("baton.alerts.deliveries", "outcome", "failed"), "counters keep what was seen");
  }

  private void delivery(String id, AlertDelivery.Outcome outcome, int pending) {
    meter.run(new JobEventsMeter.Delivery(new AlertDelivery(id, outcome, pending)));
  }

  private void changed(JobRecord job) {
    meter.run(new JobEventsMeter.Event(new ClusterEvent.JobChanged(job)));
  }

  private static TaskRecord task(String id, AttemptState state, AttemptRecord... attempts) {
    return new TaskRecord(id, state, List.of(attempts), null);
  }

  private static AttemptRecord attempt(int n, AttemptState state, Instant started, Instant finished) {
    return new AttemptRecord(n, state, "w1", null, started, finished, null);
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }
}
