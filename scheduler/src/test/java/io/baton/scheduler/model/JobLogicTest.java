package io.baton.scheduler.model;

import static io.baton.scheduler.model.Jobs.T0;
import static io.baton.scheduler.model.Jobs.job;
import static io.baton.scheduler.model.Jobs.key;
import static io.baton.scheduler.model.Jobs.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.policy.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobLogicTest {
  private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0);

  /**
   * Runs a script against a DAG. Steps: "run x" places, starts and succeeds the next attempt of x;
   * "fail x" / "lost x" / "timeout x" ends it that way; "cancel" cancels; "wait" moves past every backoff.
   * Then compares the ready set, the job state and each task's state.
   */
  @ParameterizedTest(name = "{0} | {1}")
  @CsvSource(delimiter = '|', value = {
      "a; b<-a; c<-a,b | ''                  | a     | RUNNING   | a=PENDING b=PENDING c=PENDING",
      "a; b<-a; c<-a,b | run a               | b     | RUNNING   | a=SUCCEEDED b=PENDING c=PENDING",
      "a; b<-a; c<-a,b | run a, run b        | c     | RUNNING   | a=SUCCEEDED b=SUCCEEDED c=PENDING",
      "a; b<-a; c<-a,b | run a, run b, run c | ''    | SUCCEEDED | a=SUCCEEDED b=SUCCEEDED c=SUCCEEDED",
      "a; b            | ''                  | a b   | RUNNING   | a=PENDING b=PENDING",
      "a; b<-a         | fail a              | ''    | FAILED    | a=FAILED b=CANCELLED",
      "a; b; c<-a      | fail a              | b     | RUNNING   | a=FAILED b=PENDING c=PENDING",
      "a; b; c<-a      | fail a, run b       | ''    | FAILED    | a=FAILED b=SUCCEEDED c=CANCELLED",
      "a:1; b<-a       | fail a              | ''    | RUNNING   | a=PENDING b=PENDING",
      "a:1; b<-a       | fail a, wait        | a     | RUNNING   | a=PENDING b=PENDING",
      "a:1; b<-a       | fail a, wait, run a | b     | RUNNING   | a=SUCCEEDED b=PENDING",
      "a:1             | fail a, wait, fail a| ''    | FAILED    | a=FAILED",
      "a:2             | lost a, wait, timeout a, wait, run a | '' | SUCCEEDED | a=SUCCEEDED",
      "a:1             | timeout a, wait, timeout a | '' | FAILED | a=TIMED_OUT",
      "a; b<-a         | cancel              | ''    | CANCELLED | a=CANCELLED b=CANCELLED",
      "a; b<-a         | vanish a            | ''    | RUNNING   | a=PENDING b=PENDING",
      "a; b<-a         | vanish a, wait      | a     | RUNNING   | a=PENDING b=PENDING",
      "a; b<-a         | vanish a, wait, run a | b   | RUNNING   | a=SUCCEEDED b=PENDING",
      "a; b<-a         | silent a            | ''    | FAILED    | a=LOST b=CANCELLED",
      "a; b<-a         | run a, cancel       | ''    | CANCELLED | a=SUCCEEDED b=CANCELLED",
  })
  void scripts(String dag, String script, String ready, JobState state, String tasks) {
    JobRecord job = job(dag);
    java.time.Instant now = T0;
    for (String step : script.isBlank() ? new String[0] : script.split(",")) {
      String[] s = step.trim().split(" ");
      switch (s[0]) {
        case "run" -> job = finish(job, s[1], AttemptState.SUCCEEDED, now);
        case "fail" -> job = finish(job, s[1], AttemptState.FAILED, now);
        case "lost" -> job = finish(job, s[1], AttemptState.LOST, now);
        case "timeout" -> job = finish(job, s[1], AttemptState.TIMED_OUT, now);
        case "cancel" -> job = JobLogic.cancel(job, now);
        case "vanish" -> job = vanish(job, s[1], now);
        case "silent" -> job = silent(job, s[1], now);
        case "wait" -> now = now.plus(Duration.ofMinutes(10));
        default -> throw new IllegalArgumentException(step);
      }
    }
    String readyNow = JobLogic.readyTasks(job, now).stream().map(TaskSpec::id).collect(Collectors.joining(" "));
    assertEquals(ready, readyNow, "ready tasks");
    assertEquals(state, job.state(), "job state");
    String taskStates = job.tasks().stream().map(t -> t.taskId() + "=" + t.state()).collect(Collectors.joining(" "));
    assertEquals(tasks, taskStates, "task states");
  }

  private static JobRecord finish(JobRecord job, String task, AttemptState end, java.time.Instant now) {
    int attempt = JobLogic.nextAttempt(job, task);
    job = JobLogic.scheduled(job, key(task, attempt), "w1");
    job = JobLogic.applyReport(job, report(task, attempt, AttemptState.RUNNING, null), "w1", now, BACKOFF, 0.5);
    Integer exit = end == AttemptState.SUCCEEDED ? Integer.valueOf(0) : end == AttemptState.FAILED ? Integer.valueOf(3) : null;
    return JobLogic.applyReport(job, report(task, attempt, end, exit), "w1", now, BACKOFF, 0.5);
  }

  /** Placed, and its worker went silent before reporting it running: LOST, and it may have run. */
  private static JobRecord silent(JobRecord job, String task, java.time.Instant now) {
    int attempt = JobLogic.nextAttempt(job, task);
    job = JobLogic.scheduled(job, key(task, attempt), "w1");
    return JobLogic.applyReport(job, new io.baton.wire.AttemptReport(key(task, attempt), AttemptState.LOST,
        null, null, now, "worker w1 missed heartbeats"), "w1", now, BACKOFF, 0.5);
  }

  /** Placed but never started (its worker re-registered without it): LOST, not counted against retries. */
  private static JobRecord vanish(JobRecord job, String task, java.time.Instant now) {
    int attempt = JobLogic.nextAttempt(job, task);
    job = JobLogic.scheduled(job, key(task, attempt), "w1");
    return JobLogic.applyReport(job, new io.baton.wire.AttemptReport(key(task, attempt), AttemptState.LOST,
        null, null, now, "worker w1 re-registered without it"), "w1", now, BACKOFF, 0.5, true);
  }

  @Test
  void aJobWithRunAtStaysPendingUntilThenAndStartsFromIt() {
    JobRecord pending = JobRecord.submitted("j1", job("a; b <- a").spec(), null, T0);
    JobRecord waiting = pending.withRunAt(T0.plusSeconds(5));
    assertSame(waiting, JobLogic.start(waiting, T0.plusMillis(4_999)), "not before its time");
    assertEquals(List.of(), JobLogic.readyTasks(JobLogic.start(waiting, T0), T0));
    assertEquals(true, JobLogic.waits(waiting, T0));
    JobRecord started = JobLogic.start(waiting, T0.plusSeconds(5));
    assertEquals(JobState.RUNNING, started.state());
    assertEquals(T0.plusSeconds(5), started.startedAt());
    assertEquals(List.of("a"), JobLogic.readyTasks(started, T0.plusSeconds(5)).stream().map(TaskSpec::id).toList());
    // a time that has passed (a fire recovered late by a new leader) waits for nothing; a cancel ends it at once
    assertEquals(false, JobLogic.waits(waiting, T0.plusSeconds(60)));
    assertEquals(JobState.CANCELLED, JobLogic.cancel(waiting, T0).state());
    assertEquals(false, JobLogic.waits(JobLogic.cancel(waiting, T0), T0));
    assertEquals(false, JobLogic.waits(pending, T0));
  }

  @Test
  void retryWaitsForItsBackoff() {
    JobRecord job = finish(job("a:3"), "a", AttemptState.FAILED, T0);
    assertEquals(T0.plusSeconds(1), JobLogic.nextRetryAt(job).orElseThrow());
    assertEquals(List.of(), JobLogic.readyTasks(job, T0.plusMillis(999)));
    assertEquals(1, JobLogic.readyTasks(job, T0.plusSeconds(1)).size());
    assertEquals(2, JobLogic.nextAttempt(job, "a"));
    job = finish(job, "a", AttemptState.FAILED, T0.plusSeconds(1));
    assertEquals(T0.plusSeconds(3), JobLogic.nextRetryAt(job).orElseThrow());
  }

  @Test
  void repeatedAndStaleReportsChangeNothing() {
    JobRecord job = finish(job("a"), "a", AttemptState.FAILED, T0);
    assertSame(job, JobLogic.applyReport(job, report("a", 1, AttemptState.FAILED, 3), "w1", T0, BACKOFF, 0.5));
    assertSame(job, JobLogic.applyReport(job, report("a", 1, AttemptState.RUNNING, null), "w1", T0, BACKOFF, 0.5));
    assertSame(job, JobLogic.applyReport(job, report("zz", 1, AttemptState.RUNNING, null), "w1", T0, BACKOFF, 0.5));
  }

  @Test
  void exitCodeAndTimesAreRecorded() {
    JobRecord job = finish(job("a"), "a", AttemptState.FAILED, T0);
    var attempt = job.task("a").orElseThrow().latest().orElseThrow();
    assertEquals(3, attempt.exitCode());
    assertEquals("w1", attempt.workerId());
    assertEquals(T0, attempt.finishedAt());
    assertEquals(T0, job.finishedAt());
  }

  @Test
  void cancelListsActiveAttemptsToKill() {
    JobRecord job = job("a; b");
    job = JobLogic.scheduled(job, key("a", 1), "w1");
    job = JobLogic.applyReport(job, report("a", 1, AttemptState.RUNNING, null), "w1", T0, BACKOFF, 0.5);
    JobRecord cancelled = JobLogic.cancel(job, T0);
    assertEquals(JobState.CANCELLED, cancelled.state());
    assertEquals(List.of(key("a", 1)), JobLogic.activeAttempts(cancelled));
    cancelled = JobLogic.applyReport(cancelled, report("a", 1, AttemptState.CANCELLED, null), "w1", T0, BACKOFF, 0.5);
    assertEquals(List.of(), JobLogic.activeAttempts(cancelled));
    assertEquals(AttemptState.CANCELLED, cancelled.task("a").orElseThrow().state());
    assertSame(cancelled, JobLogic.cancel(cancelled, T0));
  }
}
