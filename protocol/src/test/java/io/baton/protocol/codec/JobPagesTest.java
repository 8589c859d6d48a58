package io.baton.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JobPagesTest {
  private static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

  /** A job of {@code n} command tasks, each with a {@code width}-character command. */
  static JobRecord job(int n, int width) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tasks.add(TaskSpec.command("t" + i, List.of("/bin/echo", "x".repeat(width) + i), i == 0 ? List.of() : List.of("t0")));
    }
    return JobRecord.submitted("01a2000000000001", new JobSpec("big", Map.of("team", "data"), tasks), "key-1", T)
        .withState(JobState.RUNNING, T);
  }

  static JobRecord finishTask(JobRecord job, int i) {
    TaskRecord t = job.tasks().get(i);
    return job.withTask(t.withAttempt(new AttemptRecord(1, AttemptState.SUCCEEDED, "w1", 0, T, T.plusSeconds(1), null)));
  }

  static JobRecord roundTrip(JobRecord job) {
    List<byte[]> spec = JobPages.encodeSpec(job.spec());
    List<byte[]> pages = new ArrayList<>();
    for (int p = 0; p < JobPages.pageCount(job.tasks().size()); p++) {
      pages.add(JobPages.encodePage(job, p));
    }
    JobPages.Header header = JobPages.decodeHeader(
        JobPages.encodeHeader(JobPages.Header.of(job, spec.size(), true)));
    return JobPages.assemble(header, spec, pages);
  }

  @Test
  void aBigJobRoundTripsThroughItsPartsAndNoPartComesNearZooKeepersLimit() {
    JobRecord job = finishTask(job(10_000, 80), 9_999);
    assertEquals(job, roundTrip(job));
    List<byte[]> spec = JobPages.encodeSpec(job.spec());
    assertTrue(spec.size() > 1, "a 10,000-task spec of ~1 MB is cut in chunks");
    spec.forEach(c -> assertTrue(c.length <= JobPages.SPEC_CHUNK_BYTES));
    for (int p = 0; p < JobPages.pageCount(10_000); p++) {
      assertTrue(JobPages.encodePage(job, p).length < 16 * 1024, "page " + p);
    }
  }

  @Test
  void onlyThePagesOfChangedTasksDiffer() {
    JobRecord before = job(200, 10);
    JobRecord after = finishTask(finishTask(before, 3), 130);
    List<Integer> changed = new ArrayList<>();
    for (int p = 0; p < JobPages.pageCount(200); p++) {
      if (JobPages.pageChanged(before, after, p)) {
        changed.add(p);
      }
    }
    assertEquals(List.of(0, 2), changed);
  }

  @Test
  void bigJobsArePagedSmallOnesStayOneRecord() {
    assertTrue(JobPages.pagesOf(job(JobPages.TASKS_PER_PAGE + 1, 1), () -> new byte[0]));
    assertFalse(JobPages.pagesOf(job(JobPages.TASKS_PER_PAGE, 1), () -> new byte[100]));
    assertTrue(JobPages.pagesOf(job(1, 1), () -> new byte[JobPages.INLINE_MAX_BYTES + 1]));
  }

  @Test
  void partsThatDoNotAgreeAreRefused() {
    JobRecord job = job(100, 5);
    List<byte[]> spec = JobPages.encodeSpec(job.spec());
    List<byte[]> pages = List.of(JobPages.encodePage(job, 0), JobPages.encodePage(job, 1));
    JobPages.Header header = JobPages.Header.of(job, spec.size(), true);
    assertThrows(IllegalArgumentException.class, () -> JobPages.assemble(header, spec, List.of(pages.get(0))));
    assertThrows(IllegalArgumentException.class,
        () -> JobPages.assemble(header, spec, List.of(pages.get(1), pages.get(0))), "pages out of order");
    assertThrows(IllegalArgumentException.class,
        () -> JobPages.assemble(JobPages.Header.of(job, spec.size(), false), spec, pages), "an unfinished creation");
    assertThrows(IllegalArgumentException.class, () -> JobPages.decodePage(new byte[] {64, 1, 2, 3}));
    assertThrows(IllegalArgumentException.class, () -> JobPages.decodeHeader(JobCodec.encode(job)), "format 2");
    assertThrows(IllegalArgumentException.class, () -> JobPages.decodeHeader(new byte[0]));
  }

  /** {@link #goldenSample()} with a webhook: what format 65 added. */
  private static JobRecord goldenSampleV65() {
    JobRecord plain = goldenSample();
    JobSpec hooked = new JobSpec(plain.spec().name(), plain.spec().labels(), plain.spec().tasks(),
        List.of(new io.baton.protocol.job.Webhook("https://h.example/a", "ops",
            List.of(io.baton.protocol.job.AlertEvent.SUCCEEDED), 0)));
    return new JobRecord(plain.id(), hooked, plain.idempotencyKey(), plain.state(), plain.submittedAt(),
        plain.startedAt(), plain.finishedAt(), plain.tasks(), plain.rerunOf());
  }

  /** A small sample in every part; if these fail, format 66 changed: bump it and keep a reader, or undo. */
  @Test
  void goldenBytes() {
    JobRecord job = goldenSampleV65().withRunAt(Instant.parse("2026-11-22T10:05:00Z"));
    List<byte[]> spec = JobPages.encodeSpec(job.spec());
    assertEquals(1, spec.size());
    byte[] header = JobPages.encodeHeader(JobPages.Header.of(job, 1, true));
    byte[] page = JobPages.encodePage(job, 0);
    String hex = HexFormat.of().formatHex(header) + " " + HexFormat.of().formatHex(spec.get(0)) + " "
        + HexFormat.of().formatHex(page);
    assertEquals(GoldenBytes.PAGED_JOB_V66, hex);
    assertEquals(job, assembleGolden(GoldenBytes.PAGED_JOB_V66));
    assertArrayEquals(page, JobPages.encodePage(roundTrip(job), 0));
  }

  /** The parts the build before runAt wrote (format 65) still read, alone or mixed with parts of format 66. */
  @Test
  void readsFormat65() {
    JobRecord job = goldenSampleV65();
    assertEquals(job, assembleGolden(GoldenBytes.PAGED_JOB_V65));
    String[] old = GoldenBytes.PAGED_JOB_V65.split(" ");
    assertEquals(job, assembleGolden(old[0] + " " + HexFormat.of().formatHex(JobPages.encodeSpec(job.spec()).get(0))
        + " " + HexFormat.of().formatHex(JobPages.encodePage(job, 0))));
  }

  /** The parts the build before shards wrote (format 64) still read, alone or mixed with pages of format 65. */
  @Test
  void readsFormat64() {
    JobRecord job = goldenSample();
    assertEquals(job, assembleGolden(GoldenBytes.PAGED_JOB_V64));
    String[] old = GoldenBytes.PAGED_JOB_V64.split(" ");
    assertEquals(job, assembleGolden(old[0] + " " + old[1] + " " + HexFormat.of().formatHex(JobPages.encodePage(job, 0))));
  }

  /** A sharded task's shards are records of their own: a change of one shard rewrites only its page. */
  @Test
  void aShardIsItsOwnRecordAndPage() {
    JobSpec spec = new JobSpec("sharded", Map.of(), List.of(TaskSpec.command("split", List.of("x"), List.of()),
        TaskSpec.command("sum", List.of("x"), List.of("split")).withShards(200)));
    JobRecord job = JobRecord.submitted("01a2000000000001", spec, null, Instant.parse("2026-11-22T10:00:00Z"));
    assertEquals(201, job.tasks().size());
    assertEquals("sum#199", job.tasks().get(200).taskId());
    TaskRecord shard = job.task("sum#130").orElseThrow();
    JobRecord after = job.withTask(shard.withAttempt(AttemptRecord.scheduled(1, "w1")));
    List<Integer> changed = IntStream.range(0, JobPages.pageCount(after.tasks().size()))
        .filter(p -> JobPages.pageChanged(job, after, p)).boxed().toList();
    assertEquals(List.of(2), changed);
    assertEquals(after, roundTrip(after));
  }

  private static JobRecord goldenSample() {
    JobRecord done = finishTask(job(2, 1), 0);
    return new JobRecord(done.id(), done.spec(), done.idempotencyKey(), done.state(), done.submittedAt(),
        done.startedAt(), done.finishedAt(), done.tasks(), "01a2000000000000");
  }

  private static JobRecord assembleGolden(String parts) {
    String[] p = parts.split(" ");
    return JobPages.assemble(JobPages.decodeHeader(HexFormat.of().parseHex(p[0])),
        List.of(HexFormat.of().parseHex(p[1])), List.of(HexFormat.of().parseHex(p[2])));
  }
}
