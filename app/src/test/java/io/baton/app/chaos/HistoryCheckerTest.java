package io.baton.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.app.chaos.Violation.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checker on hand-made histories: one job {@code j1} (key {@code k1}) with one task {@code a}, its runs
 * written as ledger lines at whole seconds after {@link #T0}, each case with the violations it must find.
 */
class HistoryCheckerTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  static Stream<Arguments> histories() {
    return Stream.of(
        Arguments.of("clean: one run, no fault",
            history().run(1, "w1", 100, 0, 3, true).succeededBy(1),
            expect()),
        Arguments.of("clean: a rerun after its worker was killed; the killed run stopped at once",
            history().run(1, "w2", 100, 0, 2, false).fault(FaultKind.KILL_WORKER_RESTART, "w2", 2.1, 6)
                .run(2, "w1", 200, 12, 14, true).succeededBy(2),
            expect()),
        Arguments.of("clean: a rerun while ZooKeeper was down, on another worker",
            history().run(1, "w1", 100, 0, 20, false).fault(FaultKind.KILL_ZOOKEEPER, "zookeeper", 5, 12)
                .run(2, "w3", 200, 21, 23, true).succeededBy(2),
            expect()),
        Arguments.of("overlap: the stopped worker's run still beats when the retry starts",
            history().run(1, "w2", 100, 0, 12, false).fault(FaultKind.STOP_WORKER, "w2", 1, 13)
                .run(2, "w1", 200, 10, 15, true).succeededBy(2),
            expect(Check.OVERLAP, 1)),
        Arguments.of("duplicate attempt: attempt 1 started as two processes, the second after the first succeeded",
            history().run(1, "w1", 100, 0, 2, true).run(1, "w2", 300, 3, 5, true).succeededBy(1),
            expect(Check.DUPLICATE_ATTEMPT, 1, Check.AFTER_SUCCESS, 1)),
        Arguments.of("duplicate attempt: attempt 1 started as two processes at once",
            history().run(1, "w1", 100, 0, 4, true).run(1, "w2", 300, 1, 3, false).succeededBy(1),
            expect(Check.DUPLICATE_ATTEMPT, 1, Check.OVERLAP, 1)),
        Arguments.of("run after success: attempt 2 starts after attempt 1 succeeded, and no fault explains it",
            history().run(1, "w1", 100, 0, 2, true).run(2, "w2", 200, 5, 7, true).succeededBy(1),
            expect(Check.AFTER_SUCCESS, 1, Check.UNEXPLAINED_RERUN, 1)),
        Arguments.of("success recorded, but no run of that attempt ended",
            history().run(1, "w1", 100, 0, 2, false).succeededBy(1),
            expect(Check.AFTER_SUCCESS, 1)),
        Arguments.of("unexplained rerun: the fault hit another worker",
            history().run(1, "w1", 100, 0, 2, false).fault(FaultKind.KILL_WORKER_RESTART, "w3", 1, 4)
                .run(2, "w2", 200, 10, 12, true).succeededBy(2),
            expect(Check.UNEXPLAINED_RERUN, 1)),
        Arguments.of("unexplained rerun: the cluster fault was long over",
            history().fault(FaultKind.KILL_LEADER, "m1", 0, 3).run(1, "w1", 100, 40, 42, false)
                .run(2, "w2", 200, 50, 52, true).succeededBy(2),
            expect(Check.UNEXPLAINED_RERUN, 1)),
        Arguments.of("orphan: the run beats on for 4 s after its worker's kill -9",
            history().run(1, "w2", 100, 0, 6, true).fault(FaultKind.KILL_WORKER_REPLACE, "w2", 2, 5)
                .run(2, "w1", 200, 7, 9, true).succeededBy(2),
            expect(Check.ORPHAN, 1)),
        Arguments.of("no orphan: the last beat is within the grace after the kill",
            history().run(1, "w2", 100, 0, 3, false).fault(FaultKind.KILL_WORKER_RESTART, "w2", 2, 5)
                .run(2, "w1", 200, 7, 9, true).succeededBy(2),
            expect()),
        Arguments.of("lost: the acknowledged job does not exist",
            history().withoutRecord(),
            expect(Check.LOST, 1)),
        Arguments.of("lost: the acknowledged job is still running",
            history().run(1, "w1", 100, 0, 2, false).state("RUNNING"),
            expect(Check.LOST, 1)),
        Arguments.of("failed: the job ended FAILED",
            history().run(1, "w1", 100, 0, 2, true).failedBy(1).state("FAILED"),
            expect(Check.FAILED, 1)),
        Arguments.of("not a violation: every attempt of the failed task was LOST to a fault",
            history().run(1, "w2", 100, 0, 2, false).fault(FaultKind.KILL_WORKER_RESTART, "w2", 2.1, 6)
                .run(2, "w1", 200, 12, 14, false).fault(FaultKind.KILL_WORKER_RESTART, "w1", 14.1, 18)
                .state("FAILED"),
            expect()),
        Arguments.of("duplicated: two jobs carry the key as their name",
            history().run(1, "w1", 100, 0, 2, true).succeededBy(1).listedTwice(),
            expect(Check.DUPLICATED, 1)),
        Arguments.of("malformed: a torn ledger line",
            history().run(1, "w1", 100, 0, 2, true).succeededBy(1).line("beat j1 a 1 17"),
            expect(Check.MALFORMED, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void findsExactlyTheViolations(String name, HistoryBuilder history, Map<Check, Integer> expected) {
    CheckReport report = new HistoryChecker(HistoryChecker.Rules.DEFAULT).check(history.build());
    Map<Check, Integer> found = new EnumMap<>(Check.class);
    report.violations().forEach(v -> found.merge(v.check(), 1, Integer::sum));
    assertEquals(expected, found, () -> report.violations().stream().map(Violation::describe)
        .collect(Collectors.joining("\n")));
    assertEquals(expected.isEmpty(), report.passed());
  }

  private static Map<Check, Integer> expect(Object... checkAndCount) {
    Map<Check, Integer> m = new EnumMap<>(Check.class);
    for (int i = 0; i < checkAndCount.length; i += 2) {
      m.put((Check) checkAndCount[i], (Integer) checkAndCount[i + 1]);
    }
    return m;
  }

  private static HistoryBuilder history() {
    return new HistoryBuilder();
  }

  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  /** Builds the history of job j1 (key k1, one task a), line by line. */
  static final class HistoryBuilder {
    private final List<String> ledger = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<JobRecord.Attempt> attempts = new ArrayList<>();
    private String state = "SUCCEEDED";
    private String taskState = "RUNNING";
    private boolean record = true;
    private boolean twice;

    /** A run of {@code attempt} on {@code worker}: a start line at {@code from}, beats every second to {@code to}. */
    HistoryBuilder run(int attempt, String worker, long pid, double from, double to, boolean ended) {
      ledger.add(line("start", attempt, from, worker, pid));
      for (double t = from + 1; t < to; t++) {
        ledger.add(line("beat", attempt, t, worker, pid));
      }
      ledger.add(line(ended ? "end" : "beat", attempt, to, worker, pid));
      attempts.removeIf(a -> a.attempt() == attempt);
      attempts.add(new JobRecord.Attempt(attempt, "LOST", worker, at(from), at(to)));
      return this;
    }

    HistoryBuilder failedBy(int attempt) {
      attempts.replaceAll(a -> a.attempt() == attempt
          ? new JobRecord.Attempt(attempt, "FAILED", a.workerId(), a.startedAt(), a.finishedAt()) : a);
      taskState = "FAILED";
      return this;
    }

    HistoryBuilder succeededBy(int attempt) {
      attempts.replaceAll(a -> a.attempt() == attempt
          ? new JobRecord.Attempt(attempt, "SUCCEEDED", a.workerId(), a.startedAt(), a.finishedAt()) : a);
      taskState = "SUCCEEDED";
      return this;
    }

    HistoryBuilder fault(FaultKind kind, String target, double at, double recovered) {
      faults.add(new Fault(faults.size() + 1, kind, target, at(at), at(recovered)));
      return this;
    }

    HistoryBuilder state(String jobState) {
      this.state = jobState;
      return this;
    }

    HistoryBuilder withoutRecord() {
      record = false;
      return this;
    }

    HistoryBuilder listedTwice() {
      twice = true;
      return this;
    }

    HistoryBuilder line(String raw) {
      ledger.add(raw);
      return this;
    }

    private static String line(String kind, int attempt, double seconds, String worker, long pid) {
      Instant t = at(seconds);
      long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
      return String.join(" ", kind, "j1", "a", Integer.toString(attempt), Long.toString(nanos), worker, Long.toString(pid));
    }

    History build() {
      Map<String, JobRecord> records = new LinkedHashMap<>();
      List<JobRecord.Listed> listed = new ArrayList<>();
      if (record) {
        records.put("j1", new JobRecord("j1", "k1", state,
            List.of(new JobRecord.Task("a", taskState, List.copyOf(attempts)))));
        listed.add(new JobRecord.Listed("j1", "k1", state));
      }
      if (twice) {
        listed.add(new JobRecord.Listed("j2", "k1", "SUCCEEDED"));
      }
      return new History(List.copyOf(ledger), List.copyOf(faults), Map.of("k1", "j1"), listed, records);
    }

    @Override
    public String toString() {
      return String.join("\n", ledger);
    }
  }
}
