package io.baton.scheduler.model;

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
import io.baton.scheduler.api.JobFilter;
import io.baton.testkit.TestingJobs;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobIndexTest {
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:01Z");

  /** Job n, as its id: ids sort by submission time, as the Dispatcher's do. */
  static String id(long n) {
    return String.format("%016x", n);
  }

  static JobRecord job(long n, String name, JobState state) {
    JobRecord job = TestingJobs.job(id(n), name);
    return state == JobState.PENDING ? job : job.withState(state, T1);
  }

  /** The fixed cluster of the table: job n is the n-th line (1-based). */
  private static final List<JobRecord> CLUSTER = List.of(
      job(1, "etl-7", JobState.SUCCEEDED),
      job(2, "etl-70", JobState.FAILED),
      job(3, "ETL-17 nightly", JobState.RUNNING),
      job(4, "report-7", JobState.SUCCEEDED),
      job(5, "backup", JobState.PENDING),
      job(6, "Ölçü-Daten", JobState.SUCCEEDED),
      job(7, "İstanbul-sync", JobState.CANCELLED),
      job(8, "launch-\uD83D\uDE80-go", JobState.RUNNING),
      job(9, "etl-7", JobState.RUNNING),
      job(10, "ab", JobState.SUCCEEDED),
      job(11, "STRASSE", JobState.SUCCEEDED),
      job(12, "Straße", JobState.FAILED));

  private static JobIndex cluster() {
    JobIndex index = new JobIndex();
    CLUSTER.forEach(index::put);
    return index;
  }

  /** state | name | before (job number, '' = none) | limit | expected job numbers, newest first. */
  @ParameterizedTest(name = "state={0} name=''{1}'' before={2} limit={3}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      // no filter: every job, newest first; limit; paging with before
      "-         | -          | -  | 100 | 12 11 10 9 8 7 6 5 4 3 2 1",
      "-         | -          | -  | 3   | 12 11 10",
      "-         | -          | 10 | 3   | 9 8 7",
      "-         | -          | 3  | 3   | 2 1",
      "-         | -          | 1  | 3   | ''",
      "-         | -          | 99 | 2   | 12 11",
      "-         | -          | -  | 0   | ''",
      // state filter, with paging
      "SUCCEEDED | -          | -  | 100 | 11 10 6 4 1",
      "SUCCEEDED | -          | 10 | 2   | 6 4",
      "RUNNING   | -          | -  | 100 | 9 8 3",
      "PENDING   | -          | -  | 100 | 5",
      // blank name = no filter, the name is trimmed
      "-         | '   '      | -  | 2   | 12 11",
      "-         | '  etl-7 ' | -  | 100 | 9 2 1",
      // long queries: the trigram path, ignoring case
      "-         | etl-7      | -  | 100 | 9 2 1",
      "-         | ETL-7      | -  | 100 | 9 2 1",
      "-         | etl-7      | 9  | 100 | 2 1",
      "-         | etl-7      | -  | 2   | 9 2",
      "RUNNING   | etl-7      | -  | 100 | 9",
      "FAILED    | etl-7      | -  | 100 | 2",
      "-         | etl        | -  | 100 | 9 3 2 1",
      "-         | l-1        | -  | 100 | 3",
      "-         | 17 night   | -  | 100 | 3",
      "-         | nightly!   | -  | 100 | ''",
      "-         | zzz        | -  | 100 | ''",
      "CANCELLED | etl        | -  | 100 | ''",
      // short queries: the descending scan
      "-         | 7          | -  | 100 | 9 4 3 2 1",
      "-         | 7          | -  | 2   | 9 4",
      "SUCCEEDED | 7          | -  | 100 | 4 1",
      "-         | AB         | -  | 100 | 10",
      "-         | b          | -  | 100 | 10 7 5",
      "-         | -7         | -  | 100 | 9 4 2 1",
      // names outside ASCII, lower-cased with Locale.ROOT as String.contains compares them
      "-         | ÖLÇÜ       | -  | 100 | 6",
      "-         | ölçü-d     | -  | 100 | 6",
      "-         | stanbul    | -  | 100 | 7",
      "-         | istanbul   | -  | 100 | ''",
      "-         | strasse    | -  | 100 | 11",
      "-         | STRAßE     | -  | 100 | 12",
      "-         | \uD83D\uDE80-g   | -  | 100 | 8",
      "-         | -\uD83D\uDE80    | -  | 100 | 8",
  })
  void queries(JobState state, String name, Long before, int limit, String expected) {
    List<JobRecord> jobs = cluster().list(
        Optional.ofNullable(state), Optional.ofNullable(name), Optional.ofNullable(before).map(JobIndexTest::id), limit);
    assertEquals(expected, numbers(jobs));
  }

  @Test
  void pagesWithBeforeCoverEveryJobOnce() {
    JobIndex index = cluster();
    List<JobRecord> seen = new ArrayList<>();
    Optional<String> before = Optional.empty();
    for (int page = 0; page < 10; page++) {
      List<JobRecord> jobs = index.list(Optional.empty(), Optional.empty(), before, 5);
      seen.addAll(jobs);
      if (jobs.size() < 5) {
        break;
      }
      before = Optional.of(jobs.get(jobs.size() - 1).id());
    }
    assertEquals(index.list(Optional.empty(), Optional.empty(), Optional.empty(), 100), seen);
    assertEquals(CLUSTER.size(), seen.size());
  }

  @Test
  void aStateChangeMovesTheJobBetweenStateSets() {
    JobIndex index = new JobIndex();
    JobRecord pending = job(1, "etl-7", JobState.PENDING);
    index.put(pending);
    index.put(job(2, "other", JobState.PENDING));
    JobRecord running = pending.withState(JobState.RUNNING, T1);
    index.put(running);

    assertEquals("2", numbers(index.list(Optional.of(JobState.PENDING), Optional.empty(), Optional.empty(), 10)));
    assertEquals("1", numbers(index.list(Optional.of(JobState.RUNNING), Optional.empty(), Optional.empty(), 10)));
    assertEquals("", numbers(index.list(Optional.of(JobState.PENDING), Optional.of("etl"), Optional.empty(), 10)));
    assertEquals(List.of(running), index.list(Optional.of(JobState.RUNNING), Optional.of("etl-7"), Optional.empty(), 10));
    assertEquals(Optional.of(running), index.get(id(1)));
    assertEquals(2, index.size());

    JobRecord done = running.withState(JobState.SUCCEEDED, T1);
    index.put(done);
    assertEquals("", numbers(index.list(Optional.of(JobState.RUNNING), Optional.empty(), Optional.empty(), 10)));
    assertEquals(List.of(done), index.list(Optional.of(JobState.SUCCEEDED), Optional.of("ETL"), Optional.empty(), 10));
    assertEquals(2, index.size());
  }

  @Test
  void removeCleansEveryIndex() {
    JobIndex index = cluster();
    assertTrue(index.remove(id(9)));
    assertFalse(index.remove(id(9)), "removed twice");
    assertFalse(index.remove(id(99)), "never there");
    assertEquals(Optional.empty(), index.get(id(9)));
    assertEquals(CLUSTER.size() - 1, index.size());
    assertEquals("2 1", numbers(index.list(Optional.empty(), Optional.of("etl-7"), Optional.empty(), 10)));
    assertEquals("8 3", numbers(index.list(Optional.of(JobState.RUNNING), Optional.empty(), Optional.empty(), 10)));
    assertEquals("", numbers(index.list(Optional.of(JobState.RUNNING), Optional.of("etl-7"), Optional.empty(), 10)));

    for (JobRecord job : CLUSTER) {
      index.remove(job.id());
    }
    assertEquals(0, index.size());
    assertEquals(0, index.gramCount(), "posting sets left behind");
    assertEquals(0, index.labelCount(), "label sets left behind");
    for (JobState state : JobState.values()) {
      assertEquals(List.of(), index.list(Optional.of(state), Optional.empty(), Optional.empty(), 10));
    }
    assertEquals(List.of(), index.list(Optional.empty(), Optional.of("etl"), Optional.empty(), 10));
  }

  /** Job n with {@code labels}, its task t1's attempts run on {@code workers} in turn. */
  static JobRecord ran(long n, Map<String, String> labels, String... workers) {
    JobRecord job = job(n, "job-" + n, JobState.PENDING);
    job = new JobRecord(job.id(), new JobSpec(job.spec().name(), labels, job.spec().tasks()), null, JobState.PENDING,
        job.submittedAt(), null, null, job.tasks());
    for (int i = 0; i < workers.length; i++) {
      TaskRecord t1 = job.task("t1").orElseThrow();
      job = job.withTask(t1.withAttempt(new AttemptRecord(i + 1, AttemptState.FAILED, workers[i], 1, T1, T1, null)));
    }
    return workers.length == 0 ? job : job.withState(JobState.RUNNING, T1);
  }

  private static String list(JobIndex index, JobFilter filter) {
    return numbers(index.list(filter, Optional.empty(), 100));
  }

  @Test
  void theWorkerFilterKeepsJobsWithAnAttemptOnThatWorker() {
    JobIndex index = new JobIndex();
    index.put(ran(1, Map.of(), "w1"));
    index.put(ran(2, Map.of(), "w2", "w1"));
    index.put(ran(3, Map.of(), "w2"));
    index.put(ran(4, Map.of()));
    assertEquals("2 1", list(index, JobFilter.all().withWorker("w1")));
    assertEquals("3 2", list(index, JobFilter.all().withWorker("w2")));
    assertEquals("", list(index, JobFilter.all().withWorker("w9")));
    assertEquals("", list(index, JobFilter.all().withWorker("w")), "a worker id matches whole, not a part of it");
    assertEquals("2", list(index, JobFilter.all().withWorker("w1").withName("job-2")));
    assertEquals("2 1", list(index, JobFilter.all().withWorker("w1").withState(JobState.RUNNING)));
    assertEquals("1", numbers(index.list(JobFilter.all().withWorker("w1"), Optional.of(id(2)), 100)));
    assertEquals("2", numbers(index.list(JobFilter.all().withWorker("w1"), Optional.empty(), 1)));

    // a new attempt on another worker puts the job in that worker's set too; the old one keeps it
    JobRecord four = index.get(id(4)).orElseThrow();
    TaskRecord t1 = four.task("t1").orElseThrow();
    index.put(four.withTask(t1.withAttempt(AttemptRecord.scheduled(1, "w3"))));
    assertEquals("4", list(index, JobFilter.all().withWorker("w3")));
    JobRecord moved = index.get(id(4)).orElseThrow();
    index.put(moved.withTask(moved.task("t1").orElseThrow().withAttempt(AttemptRecord.scheduled(1, "w1"))));
    assertEquals("", list(index, JobFilter.all().withWorker("w3")), "its only attempt there now names w1");
    assertEquals("4 2 1", list(index, JobFilter.all().withWorker("w1")));
  }

  @Test
  void theLabelFilterNeedsEveryLabel() {
    JobIndex index = new JobIndex();
    index.put(ran(1, Map.of("team", "data", "env", "prod")));
    index.put(ran(2, Map.of("team", "data", "env", "dev")));
    index.put(ran(3, Map.of("team", "ml")));
    index.put(ran(4, Map.of("k=x", "=y")));
    assertEquals("2 1", list(index, JobFilter.all().withLabels(Map.of("team", "data"))));
    assertEquals("1", list(index, JobFilter.all().withLabels(Map.of("team", "data", "env", "prod"))));
    assertEquals("", list(index, JobFilter.all().withLabels(Map.of("team", "ml", "env", "prod"))));
    assertEquals("", list(index, JobFilter.all().withLabels(Map.of("team", "Data"))), "values match exactly");
    assertEquals("", list(index, JobFilter.all().withLabels(Map.of("env", ""))));
    assertEquals("4", list(index, JobFilter.all().withLabels(Map.of("k=x", "=y"))));
    assertEquals("3", list(index, JobFilter.all().withLabels(Map.of("team", "ml")).withName("JOB-")));
  }

  @Test
  void removalTakesAJobOutOfItsWorkersAndLabelsAndDropsEmptiedSets() {
    // what retention and DELETE do: JobsView.Remove -> JobIndex.remove
    JobIndex index = new JobIndex();
    index.put(ran(1, Map.of("team", "data"), "w1", "w2"));
    index.put(ran(2, Map.of("team", "data"), "w2"));
    assertEquals(2, index.workerCount());
    assertEquals(1, index.labelCount());
    assertTrue(index.remove(id(1)));
    assertEquals("", list(index, JobFilter.all().withWorker("w1")));
    assertEquals("2", list(index, JobFilter.all().withWorker("w2")));
    assertEquals(1, index.workerCount(), "w1 ran no retained job: its set is gone");
    assertTrue(index.remove(id(2)));
    assertEquals(0, index.workerCount());
    assertEquals(0, index.labelCount());
    assertEquals("", list(index, JobFilter.all().withLabels(Map.of("team", "data"))));
  }

  @Test
  void aRenamedJobIsFoundByItsNewNameOnly() {
    // jobs keep their names; the index still stays right should a record ever come with another name
    JobIndex index = new JobIndex();
    index.put(job(1, "alpha-load", JobState.PENDING));
    index.put(job(1, "beta-load", JobState.RUNNING));
    assertEquals("", numbers(index.list(Optional.empty(), Optional.of("alpha"), Optional.empty(), 10)));
    assertEquals("1", numbers(index.list(Optional.empty(), Optional.of("beta"), Optional.empty(), 10)));
    assertEquals("1", numbers(index.list(Optional.empty(), Optional.of("-load"), Optional.empty(), 10)));
    index.remove(id(1));
    assertEquals(0, index.gramCount());
  }

  @Test
  void aNegativeLimitIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> cluster().list(Optional.empty(), Optional.empty(), Optional.empty(), -1));
  }

  /** text | its grams in order, '/'-separated. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "abcd     | abc/bcd",
      "aaaa     | aaa",
      "ab       | ''",
      "'a b c'  | a b/ b /b c",
  })
  void gramsAreTheDistinctThreeCharSubstrings(String text, String expected) {
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split("/"));
    assertEquals(want, List.copyOf(JobIndex.grams(text)));
  }

  /** The job numbers of a listing, space-separated. */
  private static String numbers(List<JobRecord> jobs) {
    return jobs.stream().map(j -> Long.toString(Long.parseLong(j.id(), 16))).collect(Collectors.joining(" "));
  }
}
