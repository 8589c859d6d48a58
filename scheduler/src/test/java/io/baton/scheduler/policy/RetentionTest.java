package io.baton.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  /** Settled jobs j0, j1, ... (oldest submission first) that finished the given minutes before NOW. */
  private static List<Retention.Finished> finished(String minutesAgo) {
    List<Retention.Finished> out = new ArrayList<>();
    if (minutesAgo.isBlank()) {
      return out;
    }
    String[] ages = minutesAgo.trim().split(" ");
    for (int i = 0; i < ages.length; i++) {
      out.add(new Retention.Finished("j" + i, ages[i].equals("-") ? null : NOW.minus(Duration.ofMinutes(Long.parseLong(ages[i])))));
    }
    return out;
  }

  @ParameterizedTest(name = "age {0} min, count {1}, per sweep {2}, finished {3} min ago -> delete [{4}]")
  @CsvSource(delimiter = '|', value = {
      // nothing old, under the count: nothing
      "60 | 10 | 100 | 5 4 3       | ''",
      // older than max-age (strictly): deleted; exactly max-age: kept
      "60 | 10 | 100 | 90 60 61 5  | j0 j2",
      // beyond the count: the oldest submissions go, whatever their age
      "60 | 2  | 100 | 1 2 3 4     | j0 j1",
      // both rules at once, each job once, oldest first
      "60 | 2  | 100 | 1 2 90 4    | j0 j1 j2",
      // a count of zero keeps none
      "60 | 0  | 100 | 1 2         | j0 j1",
      // at most per-sweep, the oldest first
      "60 | 0  | 2   | 1 2 3 4     | j0 j1",
      // no finish time recorded: only the count applies to it
      "60 | 1  | 100 | - -         | j0",
      "60 | 5  | 100 |             | ''",
  })
  void deletesWhatIsTooOldOrBeyondTheCountOldestFirst(long maxAgeMinutes, long maxCount, int perSweep,
      String minutesAgo, String expected) {
    Retention retention = new Retention(Duration.ofMinutes(maxAgeMinutes), maxCount, Duration.ofMinutes(1), perSweep);
    List<String> want = expected.isBlank() ? List.of() : Arrays.asList(expected.trim().split(" "));
    assertEquals(want, retention.expired(finished(minutesAgo == null ? "" : minutesAgo), NOW));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ZERO, 1, Duration.ofMinutes(1), 1));
    assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ofHours(1), -1, Duration.ofMinutes(1), 1));
    assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ofHours(1), 1, Duration.ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new Retention(Duration.ofHours(1), 1, Duration.ofMinutes(1), 0));
  }
}
