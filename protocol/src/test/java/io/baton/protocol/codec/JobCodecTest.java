package io.baton.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.Webhook;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobCodecTest {
  /** Bytes of {@link #sample()} (without secretEnv) in format 1, as the previous build wrote them. */
  private static final String GOLDEN_V1 = GoldenBytes.JOB_RECORD_V1;
  /** Bytes of {@link #sampleWithSecret()} in format 2, as the previous build wrote them. */
  private static final String GOLDEN_V2 = GoldenBytes.JOB_RECORD_V2;
  /** Bytes of {@link #sampleRerun()} in format 3, as the build before shards and webhooks wrote them. */
  private static final String GOLDEN_V3 = GoldenBytes.JOB_RECORD_V3;
  /** Bytes of {@link #sampleV4()} in format 4, as the build before runAt wrote them. */
  private static final String GOLDEN_V4 = GoldenBytes.JOB_RECORD_V4;
  /** Bytes of {@link #sampleV5()} in format 5. If this test fails, the persisted format changed: bump
   * FORMAT_VERSION and keep a reader for the old one, or undo the change. */
  private static final String GOLDEN_V5 = GoldenBytes.JOB_RECORD_V5;

  static JobRecord sample() {
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    TaskSpec extract = new TaskSpec("extract", List.of("/bin/sh", "-c", "echo hi"), null, null, Map.of("STAGE", "1"),
        1, 256, 2, 600, Map.of("zone", "a"), List.of());
    TaskSpec load = TaskSpec.handler("load", "sleep", "{\"millis\":5}", List.of("extract"));
    JobSpec spec = new JobSpec("nightly-etl", Map.of("team", "data"), List.of(extract, load));
    JobRecord job = JobRecord.submitted("0194f3a2b1c00001", spec, "key-1", t);
    TaskRecord done = TaskRecord.pending("extract")
        .withAttempt(new AttemptRecord(1, AttemptState.SUCCEEDED, "w1", 0, t, t.plusSeconds(1), null));
    return job.withTask(done).withState(JobState.RUNNING, t);
  }

  /** {@link #sample()} with a secretEnv on the first task. */
  static JobRecord sampleWithSecret() {
    JobRecord job = sample();
    List<TaskSpec> tasks = List.of(job.spec().tasks().get(0).withSecretEnv(Map.of("TOKEN", "s3cr3t")),
        job.spec().tasks().get(1));
    return new JobRecord(job.id(), new JobSpec(job.spec().name(), job.spec().labels(), tasks), job.idempotencyKey(),
        job.state(), job.submittedAt(), job.startedAt(), job.finishedAt(), job.tasks());
  }

  /** {@link #sampleWithSecret()} as the rerun of another job. */
  static JobRecord sampleRerun() {
    JobRecord job = sampleWithSecret();
    return new JobRecord(job.id(), job.spec(), job.idempotencyKey(), job.state(), job.submittedAt(), job.startedAt(),
        job.finishedAt(), job.tasks(), "0194f3a2b1c00000");
  }

  /** {@link #sampleRerun()} with a 3-shard task whose first shard left a 12-byte result. */
  static JobRecord sampleSharded() {
    JobRecord job = sampleRerun();
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    List<TaskSpec> tasks = new java.util.ArrayList<>(job.spec().tasks());
    tasks.add(TaskSpec.command("sum", List.of("/bin/true"), List.of("extract")).withShards(3));
    tasks.add(TaskSpec.command("each", List.of("/bin/true"), List.of("extract")).withFanOutFrom("extract"));
    tasks.add(TaskSpec.command("all", List.of("/bin/true"), List.of()).withBroadcast(true));
    JobSpec spec = new JobSpec(job.spec().name(), job.spec().labels(), tasks);
    List<TaskRecord> records = new java.util.ArrayList<>(job.tasks());
    records.add(TaskRecord.pending("sum#0").withAttempt(
        new AttemptRecord(1, AttemptState.SUCCEEDED, "w1", 0, t, t.plusSeconds(1), null, 12)));
    records.add(TaskRecord.pending("sum#1"));
    records.add(TaskRecord.pending("sum#2"));
    records.add(TaskRecord.pending("each"));
    records.add(TaskRecord.pending("all"));
    return new JobRecord(job.id(), spec, job.idempotencyKey(), job.state(), job.submittedAt(), job.startedAt(),
        job.finishedAt(), records, job.rerunOf());
  }

  @Test
  void roundTripsShardsAndResults() {
    JobRecord job = sampleSharded();
    JobRecord back = JobCodec.decode(JobCodec.encode(job));
    assertEquals(job, back);
    assertEquals(3, back.spec().task("sum").orElseThrow().shards());
    assertEquals(12, back.task("sum#0").orElseThrow().latest().orElseThrow().resultBytes());
  }

  /** {@link #sampleSharded()} with {@link #sampleWithWebhooks()}'s webhooks: every field format 4 added. */
  static JobRecord sampleV4() {
    JobRecord job = sampleSharded();
    JobSpec spec = new JobSpec(job.spec().name(), job.spec().labels(), job.spec().tasks(),
        sampleWithWebhooks().spec().webhooks());
    return new JobRecord(job.id(), spec, job.idempotencyKey(), job.state(), job.submittedAt(), job.startedAt(),
        job.finishedAt(), job.tasks(), job.rerunOf());
  }

  /** {@link #sampleRerun()} with two webhooks in its spec. */
  static JobRecord sampleWithWebhooks() {
    JobRecord job = sampleRerun();
    JobSpec spec = new JobSpec(job.spec().name(), job.spec().labels(), job.spec().tasks(), List.of(
        new Webhook("https://hooks.example.com/baton", "ops", List.of(AlertEvent.FAILED, AlertEvent.SUCCEEDED), 0),
        new Webhook("http://10.0.0.7:8080/x?y=1", "pager", List.of(AlertEvent.RUNNING_LONG), 900)));
    return new JobRecord(job.id(), spec, job.idempotencyKey(), job.state(), job.submittedAt(), job.startedAt(),
        job.finishedAt(), job.tasks(), job.rerunOf());
  }

  @Test
  void roundTripsWebhooks() {
    JobRecord job = sampleWithWebhooks();
    assertEquals(job, JobCodec.decode(JobCodec.encode(job)));
    assertEquals(900, JobCodec.decode(JobCodec.encode(job)).spec().webhooks().get(1).runningLongerThanSeconds());
  }

  @Test
  void readsFormat3WithoutWebhooks() {
    JobRecord read = JobCodec.decode(HexFormat.of().parseHex(GOLDEN_V3));
    assertEquals(sampleRerun(), read);
    assertEquals(List.of(), read.spec().webhooks());
  }

  @Test
  void roundTripsRerunOf() {
    JobRecord job = sampleRerun();
    assertEquals("0194f3a2b1c00000", JobCodec.decode(JobCodec.encode(job)).rerunOf());
    assertEquals(job, JobCodec.decode(JobCodec.encode(job)));
  }

  @Test
  void readsFormat2() {
    assertEquals(sampleWithSecret(), JobCodec.decode(HexFormat.of().parseHex(GOLDEN_V2)));
  }

  @Test
  void roundTripsSecretEnv() {
    JobRecord job = sampleWithSecret();
    assertEquals(job, JobCodec.decode(JobCodec.encode(job)));
    assertEquals(Map.of("TOKEN", "s3cr3t"), JobCodec.decode(JobCodec.encode(job)).spec().tasks().get(0).secretEnv());
  }

  @Test
  void readsFormat1() {
    assertEquals(sample(), JobCodec.decode(HexFormat.of().parseHex(GOLDEN_V1)));
  }

  @Test
  void roundTrips() {
    JobRecord job = sample();
    assertEquals(job, JobCodec.decode(JobCodec.encode(job)));
  }

  /** {@link #sampleV4()} waiting until 10:05: every field format 5 added. */
  static JobRecord sampleV5() {
    return sampleV4().withRunAt(Instant.parse("2026-11-22T10:05:00Z"));
  }

  @Test
  void readsFormat4WithoutRunAt() {
    JobRecord read = JobCodec.decode(HexFormat.of().parseHex(GOLDEN_V4));
    assertEquals(sampleV4(), read);
    assertEquals(null, read.runAt());
  }

  @Test
  void roundTripsRunAt() {
    assertEquals(sampleV5(), JobCodec.decode(JobCodec.encode(sampleV5())));
    assertEquals(Instant.parse("2026-11-22T10:05:00Z"), JobCodec.decode(JobCodec.encode(sampleV5())).runAt());
  }

  @Test
  void formatIsStable() {
    assertArrayEquals(HexFormat.of().parseHex(GOLDEN_V5), JobCodec.encode(sampleV5()),
        "got " + HexFormat.of().formatHex(JobCodec.encode(sampleV5())));
    assertEquals(sampleV5(), JobCodec.decode(HexFormat.of().parseHex(GOLDEN_V5)));
  }

  @Test
  void rejectsUnknownFormats() {
    byte[] bytes = JobCodec.encode(sample());
    bytes[0] = 99;
    assertThrows(IllegalArgumentException.class, () -> JobCodec.decode(bytes));
    assertThrows(IllegalArgumentException.class, () -> JobCodec.decode(new byte[0]));
  }
}
