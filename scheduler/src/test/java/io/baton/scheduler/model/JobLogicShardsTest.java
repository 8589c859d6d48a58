package io.baton.scheduler.model;

import static io.baton.scheduler.model.Jobs.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.policy.Backoff;
import io.baton.wire.AttemptReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobLogicShardsTest {
  private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.0);

  private static JobRecord seed() {
    JobSpec spec = new JobSpec("seed", null, List.of(
        TaskSpec.handler("split", "noop", null, List.of()),
        TaskSpec.handler("sum", "noop", null, List.of("split")).withShards(3).withRetries(1),
        TaskSpec.handler("reduce", "noop", null, List.of("sum"))));
    return JobLogic.start(JobRecord.submitted("j1", spec, null, T0), T0);
  }

  private static List<String> ready(JobRecord job, Instant now) {
    return JobLogic.readyTasks(job, now).stream().map(TaskSpec::id).toList();
  }

  private static JobRecord end(JobRecord job, String unit, AttemptState state, String result, Instant now) {
    int attempt = JobLogic.nextAttempt(job, unit);
    AttemptKey key = new AttemptKey("j1", unit, attempt);
    job = JobLogic.scheduled(job, key, "w1");
    return JobLogic.applyReport(job, new AttemptReport(key, state, state == AttemptState.SUCCEEDED ? 0 : 1, now, now,
        null, result), "w1", now, BACKOFF, 0.5);
  }

  @Test
  void everyShardIsReadyWithItsIndexAndTheDependentWaitsForAllOfThem() {
    JobRecord job = seed();
    assertEquals(List.of("split"), ready(job, T0));
    job = end(job, "split", AttemptState.SUCCEEDED, "[1,2,3]", T0);
    assertEquals(List.of("sum#0", "sum#1", "sum#2"), ready(job, T0));
    TaskSpec shard2 = JobLogic.readyTasks(job, T0).get(2);
    assertEquals(Map.of("BATON_SHARD_INDEX", "2", "BATON_SHARD_COUNT", "3"), shard2.env());
    job = end(job, "sum#0", AttemptState.SUCCEEDED, "1", T0);
    job = end(job, "sum#2", AttemptState.SUCCEEDED, "3", T0);
    assertEquals(List.of("sum#1"), ready(job, T0), "reduce waits for the last shard");
    job = end(job, "sum#1", AttemptState.SUCCEEDED, null, T0);
    assertEquals(List.of("reduce"), ready(job, T0));
    assertEquals(Map.of(new AttemptKey("j1", "sum#0", 1), "sum/0", new AttemptKey("j1", "sum#2", 1), "sum/2"),
        JobLogic.inputsOf(job, job.spec().task("reduce").orElseThrow()), "shards that left no result give no input");
    job = end(job, "reduce", AttemptState.SUCCEEDED, null, T0);
    assertEquals(JobState.SUCCEEDED, job.state());
  }

  @Test
  void aShardIsRetriedAloneAndOneFailedForGoodFailsTheJobOnceTheOthersEnd() {
    JobRecord job = end(seed(), "split", AttemptState.SUCCEEDED, null, T0);
    job = end(job, "sum#1", AttemptState.FAILED, null, T0);
    assertEquals(List.of("sum#0", "sum#2"), ready(job, T0), "the failed shard waits for its backoff");
    assertEquals(List.of("sum#0", "sum#1", "sum#2"), ready(job, T0.plusSeconds(1)));
    job = end(job, "sum#1", AttemptState.FAILED, null, T0.plusSeconds(1));
    assertEquals(JobState.RUNNING, job.state(), "the other shards still run");
    job = end(job, "sum#0", AttemptState.SUCCEEDED, null, T0.plusSeconds(1));
    job = end(job, "sum#2", AttemptState.SUCCEEDED, null, T0.plusSeconds(1));
    assertEquals(JobState.FAILED, job.state());
    assertEquals(AttemptState.CANCELLED, job.task("reduce").orElseThrow().state());
    assertEquals(1, job.task("sum#0").orElseThrow().attempts().size(), "only the failing shard ran again");
  }

  @Test
  void aResultIsKeptAsItsSizeAndOneOverTheCapFailsTheAttempt() {
    JobRecord job = end(seed(), "split", AttemptState.SUCCEEDED, "héllo", T0);
    assertEquals(6, job.task("split").orElseThrow().latest().orElseThrow().resultBytes(), "UTF-8 bytes");
    job = end(job, "sum#0", AttemptState.SUCCEEDED, "x".repeat(64 * 1024 + 1), T0);
    var attempt = job.task("sum#0").orElseThrow().latest().orElseThrow();
    assertEquals(AttemptState.PENDING, job.task("sum#0").orElseThrow().state(), "failed, and retried");
    assertEquals(AttemptState.FAILED, attempt.state());
    assertEquals("result of 65537 bytes is over the cap of 65536 bytes", attempt.message());
    assertNull(attempt.resultBytes());
  }

  @Test
  void aUnitFailedBeforeItStartsIsNotRetried() {
    JobRecord job = end(seed(), "split", AttemptState.SUCCEEDED, null, T0);
    for (String unit : List.of("sum#0", "sum#1", "sum#2")) {
      job = JobLogic.failBeforeStart(job, unit, "inputs too big", T0);
    }
    assertEquals(JobState.FAILED, job.state());
    assertEquals("inputs too big", job.task("sum#1").orElseThrow().latest().orElseThrow().message());
    assertEquals(List.of(), ready(job, T0.plusSeconds(60)));
  }
}
