package io.baton.scheduler.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.AttemptState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A new leader starts the JobMasters of jobs with an attempt out on a worker before those that only wait. */
class DispatcherRecoveryOrderTest {
  private static final Instant AT = Instant.parse("2026-11-28T12:00:00Z");
  private static final JobSpec SPEC = new JobSpec("n", Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())));

  private static JobRecord job(int n, AttemptState attempt) {
    JobRecord job = JobRecord.submitted(String.format("%016x", n), SPEC, null, AT);
    if (attempt == null) {
      return job;
    }
    AttemptRecord a = new AttemptRecord(1, attempt, "w1", null, AT, attempt.isTerminal() ? AT : null, null);
    return job.withTask(new TaskRecord("t", attempt, List.of(a), null));
  }

  @Test
  void jobsWithAScheduledOrRunningAttemptComeFirstAndEachGroupKeepsItsOrder() {
    JobRecord waiting = job(1, null);
    JobRecord running = job(2, AttemptState.RUNNING);
    JobRecord lostThenWaiting = job(3, AttemptState.LOST);
    JobRecord scheduled = job(4, AttemptState.SCHEDULED);
    JobRecord alsoWaiting = job(5, null);

    assertEquals(List.of(running, scheduled, waiting, lostThenWaiting, alsoWaiting),
        Dispatcher.runningFirst(List.of(waiting, running, lostThenWaiting, scheduled, alsoWaiting)));
  }
}
