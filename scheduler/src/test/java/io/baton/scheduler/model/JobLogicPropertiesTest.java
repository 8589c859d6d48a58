package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.policy.Backoff;
import io.baton.wire.AttemptReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Safety rules of {@link JobLogic}, over random DAGs and random attempt outcomes. */
class JobLogicPropertiesTest {
  private static final AttemptState[] ENDS = {
      AttemptState.SUCCEEDED, AttemptState.SUCCEEDED, AttemptState.FAILED, AttemptState.TIMED_OUT, AttemptState.LOST};

  @Property(tries = 300)
  void everyJobEndsAndObeysItsDagAndRetries(
      @ForAll @IntRange(min = 1, max = 12) int size, @ForAll long seed) {
    Random random = new Random(seed);
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      List<String> deps = new ArrayList<>();
      for (int j = 0; j < i; j++) {
        if (random.nextInt(4) == 0) {
          deps.add("t" + j);
        }
      }
      tasks.add(TaskSpec.handler("t" + i, "noop", null, deps).withRetries(random.nextInt(3)));
    }
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Backoff backoff = Backoff.DEFAULT;
    JobRecord job = JobLogic.start(JobRecord.submitted("j", new JobSpec("p", null, tasks), null, now), now);
    for (int step = 0; step < 1000 && !job.state().isTerminal(); step++) {
      List<TaskSpec> ready = JobLogic.readyTasks(job, now);
      if (ready.isEmpty()) {
        now = JobLogic.nextRetryAt(job).orElseThrow(() -> new AssertionError("stuck: nothing ready, nothing waiting"));
        continue;
      }
      TaskSpec t = ready.get(random.nextInt(ready.size()));
      for (String dep : t.dependsOn()) {
        assertEquals(AttemptState.SUCCEEDED, job.task(dep).orElseThrow().state(), "started before its dependency");
      }
      AttemptKey key = new AttemptKey("j", t.id(), JobLogic.nextAttempt(job, t.id()));
      assertTrue(key.attempt() <= t.maxAttempts(), "more attempts than retries allow");
      job = JobLogic.scheduled(job, key, "w");
      job = JobLogic.applyReport(job, new AttemptReport(key, AttemptState.RUNNING, null, now, null, null), "w", now, backoff, random.nextDouble());
      AttemptState end = ENDS[random.nextInt(ENDS.length)];
      AttemptReport done = new AttemptReport(key, end, null, now, now, null);
      job = JobLogic.applyReport(job, done, "w", now, backoff, random.nextDouble());
      JobRecord again = JobLogic.applyReport(job, done, "w", now, backoff, random.nextDouble());
      assertEquals(job, again, "a repeated report changed the job");
      now = now.plus(Duration.ofMillis(random.nextInt(100)));
    }
    assertTrue(job.state().isTerminal(), "job did not finish");
    boolean allSucceeded = job.tasks().stream().allMatch(t -> t.state() == AttemptState.SUCCEEDED);
    assertEquals(allSucceeded, job.state() == JobState.SUCCEEDED);
    for (TaskRecord t : job.tasks()) {
      assertTrue(t.state().isTerminal(), "task left " + t.state() + " in a finished job");
      assertTrue(t.attempts().stream().allMatch(a -> a.state().isTerminal()));
    }
  }
}
