package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The recovery rules: adopt what runs, record what finished, LOST what is gone — and nothing else. */
class ReconciliationPropertiesTest {
  private static final AttemptState[] REPORTED = {
      AttemptState.RUNNING, AttemptState.SUCCEEDED, AttemptState.FAILED, AttemptState.TIMED_OUT, AttemptState.CANCELLED,
      AttemptState.LOST};

  @Property(tries = 500)
  void everyTrackedAttemptIsAdoptedRecordedOrLostExactlyOnce(
      @ForAll @IntRange(min = 0, max = 20) int trackedCount, @ForAll @IntRange(min = 0, max = 20) int extra,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<AttemptKey> tracked = new ArrayList<>();
    for (int i = 0; i < trackedCount; i++) {
      tracked.add(new AttemptKey("j" + random.nextInt(3), "t" + i, 1 + random.nextInt(3)));
    }
    List<AttemptReport> reports = new ArrayList<>();
    for (AttemptKey k : tracked) {
      if (random.nextBoolean()) {
        reports.add(new AttemptReport(k, REPORTED[random.nextInt(REPORTED.length)], null, null, null, null));
      }
    }
    for (int i = 0; i < extra; i++) {
      reports.add(new AttemptReport(new AttemptKey("other", "x" + i, 1), REPORTED[random.nextInt(REPORTED.length)],
          null, null, null, null));
    }
    java.util.Collections.shuffle(reports, random);

    Reconciliation.Outcome o = Reconciliation.onRegistration(tracked, reports);

    Set<AttemptKey> reportedKeys = new HashSet<>();
    reports.forEach(r -> reportedKeys.add(r.key()));
    Set<AttemptKey> all = new HashSet<>();
    all.addAll(o.adopted());
    all.addAll(o.recorded());
    all.addAll(o.lost());
    assertEquals(new HashSet<>(tracked), all, "every tracked attempt gets exactly one fate");
    assertEquals(tracked.size(), o.adopted().size() + o.recorded().size() + o.lost().size());
    for (AttemptKey k : o.lost()) {
      assertTrue(!reportedKeys.contains(k), "an attempt its worker reports is never LOST");
    }
    for (AttemptReport r : reports) {
      if (tracked.contains(r.key())) {
        assertTrue(r.state().isTerminal() ? o.recorded().contains(r.key()) : o.adopted().contains(r.key()));
      } else {
        assertTrue(o.untracked().contains(r.key()));
      }
    }
  }

  @Property(tries = 200)
  void nothingIsLostBeforeTheGraceEnds(@ForAll @IntRange(min = 0, max = 10_000) int elapsedMillis, @ForAll long seed) {
    Random random = new Random(seed);
    Map<AttemptKey, String> unconfirmed = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      unconfirmed.put(new AttemptKey("j", "t" + i, 1), "w" + random.nextInt(3));
    }
    Set<String> registered = Set.of("w0");
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Duration grace = Duration.ofSeconds(5);
    List<AttemptKey> lost = Reconciliation.lostAfterGrace(unconfirmed, registered, start, grace, start.plusMillis(elapsedMillis));
    if (elapsedMillis < grace.toMillis()) {
      assertTrue(lost.isEmpty());
    } else {
      for (Map.Entry<AttemptKey, String> e : unconfirmed.entrySet()) {
        assertEquals(!registered.contains(e.getValue()), lost.contains(e.getKey()));
      }
    }
  }

  @Test
  void example() {
    AttemptKey running = new AttemptKey("j", "a", 1);
    AttemptKey finished = new AttemptKey("j", "b", 1);
    AttemptKey gone = new AttemptKey("j", "c", 1);
    AttemptKey foreign = new AttemptKey("k", "a", 1);
    Reconciliation.Outcome o = Reconciliation.onRegistration(List.of(running, finished, gone), List.of(
        new AttemptReport(running, AttemptState.RUNNING, null, null, null, null),
        new AttemptReport(finished, AttemptState.SUCCEEDED, 0, null, null, null),
        new AttemptReport(foreign, AttemptState.RUNNING, null, null, null, null)));
    assertEquals(List.of(running), o.adopted());
    assertEquals(List.of(finished), o.recorded());
    assertEquals(List.of(gone), o.lost());
    assertEquals(List.of(foreign), o.untracked());
  }
}
