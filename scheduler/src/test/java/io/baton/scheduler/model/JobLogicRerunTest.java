package io.baton.scheduler.model;

import static io.baton.scheduler.model.Jobs.T0;
import static io.baton.scheduler.model.Jobs.job;
import static io.baton.scheduler.model.Jobs.key;
import static io.baton.scheduler.model.Jobs.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.policy.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A rerun of a finished job: what succeeded is reused, the rest runs again. */
class JobLogicRerunTest {
  private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0);
  private static final Instant LATER = T0.plusSeconds(3600);

  /** Runs {@code task}'s next attempt on w1 to {@code state}. */
  private static JobRecord run(JobRecord job, String task, AttemptState state) {
    int attempt = JobLogic.nextAttempt(job, task);
    job = JobLogic.scheduled(job, key(task, attempt), "w1");
    return JobLogic.applyReport(job, report(task, attempt, state, state == AttemptState.SUCCEEDED ? 0 : 1), "w1", T0,
        BACKOFF, 0.5);
  }

  private static Map<String, AttemptState> states(JobRecord job) {
    return job.tasks().stream().collect(Collectors.toMap(TaskRecord::taskId, TaskRecord::state));
  }

  /** a -> b, a -> c -> d, e alone: a, b and e succeed, c fails, so d never starts. */
  private static JobRecord halfFailed() {
    JobRecord job = job("a; b<-a; c<-a; d<-c; e");
    job = run(job, "a", AttemptState.SUCCEEDED);
    job = run(job, "e", AttemptState.SUCCEEDED);
    job = run(job, "b", AttemptState.SUCCEEDED);
    job = run(job, "c", AttemptState.FAILED);
    assertEquals(JobState.FAILED, job.state());
    assertEquals(AttemptState.CANCELLED, job.task("d").orElseThrow().state(), "never started");
    return job;
  }

  @Test
  void aRerunReusesWhatSucceededAndRunsTheRestFromTheFirstAttempt() {
    JobRecord old = halfFailed();
    JobRecord rerun = JobLogic.rerun(old, "j2", LATER);

    assertEquals("j2", rerun.id());
    assertEquals("j1", rerun.rerunOf());
    assertEquals(old.spec(), rerun.spec());
    assertEquals(JobState.PENDING, rerun.state());
    assertEquals(LATER, rerun.submittedAt());
    assertNull(rerun.idempotencyKey());
    assertEquals(Map.of("a", AttemptState.SUCCEEDED, "b", AttemptState.SUCCEEDED, "e", AttemptState.SUCCEEDED,
        "c", AttemptState.PENDING, "d", AttemptState.PENDING), states(rerun));
    AttemptRecord reused = rerun.task("a").orElseThrow().attempts().get(0);
    assertEquals(AttemptState.SUCCEEDED, reused.state());
    assertEquals("reused: succeeded in job j1 (attempt 1), not run again", reused.message());
    assertTrue(rerun.task("c").orElseThrow().attempts().isEmpty());

    // only what did not succeed becomes ready: c first (its dependency a is reused), then d
    JobRecord started = JobLogic.start(rerun, LATER);
    assertEquals(List.of("c"), JobLogic.readyTasks(started, LATER).stream().map(TaskSpec::id).toList());
    JobRecord done = run(run(started, "c", AttemptState.SUCCEEDED), "d", AttemptState.SUCCEEDED);
    assertEquals(JobState.SUCCEEDED, done.state());
    assertEquals(1, done.task("a").orElseThrow().attempts().size(), "a was not run again");
  }

  @Test
  void aRerunOfARerunKeepsNamingTheJobWhereATaskRan() {
    JobRecord old = halfFailed();
    JobRecord second = JobLogic.rerun(old, "j2", LATER);
    second = JobLogic.cancel(JobLogic.start(second, LATER), LATER);
    JobRecord third = JobLogic.rerun(second, "j3", LATER);
    assertEquals("j2", third.rerunOf());
    assertEquals("reused: succeeded in job j1 (attempt 1), not run again",
        third.task("b").orElseThrow().attempts().get(0).message());
    assertEquals(AttemptState.PENDING, third.task("c").orElseThrow().state());
  }

  @Test
  void onlyAFinishedJobThatDidNotSucceedCanBeRerun() {
    JobRecord running = job("a; b<-a");
    assertTrue(JobLogic.whyNotRerun(running).orElseThrow().contains("has not finished"));
    assertThrows(IllegalArgumentException.class, () -> JobLogic.rerun(running, "j2", LATER));

    JobRecord succeeded = run(run(running, "a", AttemptState.SUCCEEDED), "b", AttemptState.SUCCEEDED);
    assertEquals(JobState.SUCCEEDED, succeeded.state());
    assertTrue(JobLogic.whyNotRerun(succeeded).orElseThrow().contains("nothing to rerun"));

    assertTrue(JobLogic.whyNotRerun(halfFailed()).isEmpty());
    JobRecord cancelled = JobLogic.cancel(job("a; b<-a"), T0);
    assertEquals(JobState.CANCELLED, cancelled.state());
    assertTrue(JobLogic.whyNotRerun(cancelled).isEmpty());
  }

  @Test
  void theIndexKnowsTheRerunsOfAJobUntilTheyAreRemoved() {
    JobRecord old = halfFailed();
    JobIndex index = new JobIndex();
    index.put(old);
    JobRecord second = JobLogic.rerun(old, "j2", LATER);
    JobRecord third = JobLogic.rerun(old, "j3", LATER);
    index.put(third);
    index.put(second);
    index.put(JobLogic.start(second, LATER));   // a new version of a rerun is not a new rerun
    assertEquals(List.of("j2", "j3"), index.reruns("j1"));
    assertEquals(List.of(), index.reruns("j2"));
    index.remove("j2");
    assertEquals(List.of("j3"), index.reruns("j1"));
    index.remove("j3");
    assertEquals(List.of(), index.reruns("j1"));
  }
}
