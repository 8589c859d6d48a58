package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link JobIndex} against a naive model: a plain TreeMap of id -> record scanned newest first. Random sequences of
 * submissions, state changes and removals, with names and queries from a small alphabet (so that grams collide
 * and short, long, absent and mixed-case queries all occur); after every step every kind of query must agree.
 */
class JobIndexPropertiesTest {
  private static final String ALPHABET = "abAB-é\u00c9";
  private static final JobState[] STATES = JobState.values();
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:01Z");

  @Property(tries = 200)
  void everyListingEqualsANaiveScan(@ForAll @IntRange(min = 1, max = 150) int steps, @ForAll long seed) {
    Random random = new Random(seed);
    JobIndex index = new JobIndex();
    NavigableMap<String, JobRecord> model = new TreeMap<>();
    int maxId = 40;
    for (int step = 0; step < steps; step++) {
      String id = JobIndexTest.id(random.nextInt(maxId));
      int op = random.nextInt(10);
      JobRecord known = model.get(id);
      if (op < 4 || known == null && op < 8) {
        JobRecord job = JobIndexTest.job(Long.parseLong(id, 16), name(random), STATES[random.nextInt(STATES.length)]);
        index.put(job);
        model.put(id, job);
      } else if (op < 8) {
        JobRecord changed = known.withState(STATES[random.nextInt(STATES.length)], T1);
        index.put(changed);
        model.put(id, changed);
      } else {
        assertEquals(model.remove(id) != null, index.remove(id), "remove of " + id);
      }
      assertEquals(model.size(), index.size());
      String probe = JobIndexTest.id(random.nextInt(maxId));
      assertEquals(Optional.ofNullable(model.get(probe)), index.get(probe));
      for (int q = 0; q < 5; q++) {
        Optional<JobState> state = random.nextInt(3) == 0
            ? Optional.of(STATES[random.nextInt(STATES.length)]) : Optional.empty();
        Optional<String> name = random.nextInt(4) == 0 ? Optional.empty() : Optional.of(query(random));
        Optional<String> before = random.nextBoolean()
            ? Optional.empty() : Optional.of(JobIndexTest.id(random.nextInt(maxId + 2)));
        int limit = random.nextInt(12);
        assertEquals(naive(model, state, name, before, limit), index.list(state, name, before, limit),
            "list(" + state + ", " + name + ", " + before + ", " + limit + ")");
      }
    }
    for (String id : List.copyOf(model.keySet())) {
      index.remove(id);
    }
    assertEquals(0, index.size());
    assertEquals(0, index.gramCount(), "posting sets left behind");
  }

  /** Names of 0 to 7 chars from the alphabet. */
  private static String name(Random random) {
    return text(random, random.nextInt(8));
  }

  /** Queries of 0 to 5 chars from the alphabet, sometimes padded with spaces. */
  private static String query(Random random) {
    String text = text(random, random.nextInt(6));
    return random.nextInt(5) == 0 ? " " + text + "  " : text;
  }

  private static String text(Random random, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  private static List<JobRecord> naive(NavigableMap<String, JobRecord> model, Optional<JobState> state,
      Optional<String> name, Optional<String> before, int limit) {
    String needle = name.map(n -> n.trim().toLowerCase(Locale.ROOT)).orElse("");
    List<JobRecord> out = new ArrayList<>();
    for (Map.Entry<String, JobRecord> e : model.descendingMap().entrySet()) {
      JobRecord job = e.getValue();
      boolean matches = (before.isEmpty() || e.getKey().compareTo(before.get()) < 0)
          && (state.isEmpty() || job.state() == state.get())
          && job.spec().name().toLowerCase(Locale.ROOT).contains(needle);
      if (matches && out.size() < limit) {
        out.add(job);
      }
    }
    return out;
  }
}
