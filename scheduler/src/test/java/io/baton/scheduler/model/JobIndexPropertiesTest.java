package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.JobFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * submissions, state changes, attempts placed on workers (new ones, and now and then an attempt moved to another
 * worker) and removals, with names and queries from a small alphabet (so that grams collide and short, long, absent
 * and mixed-case queries all occur), labels and workers from small sets; after every step every kind of query must
 * agree, and once every job is removed no gram, worker or label is left indexed.
 */
class JobIndexPropertiesTest {
  private static final String ALPHABET = "abAB-é\u00c9";
  private static final JobState[] STATES = JobState.values();
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:00:01Z");
  private static final String[] WORKERS = {"w1", "w2", "w3"};
  private static final String[] LABEL_KEYS = {"team", "env", "k=x"};
  private static final String[] LABEL_VALUES = {"a", "b", "=c"};

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
      if (op < 3 || known == null && op < 8) {
        JobRecord job = job(id, name(random), labels(random), STATES[random.nextInt(STATES.length)]);
        index.put(job);
        model.put(id, job);
      } else if (op < 5) {
        JobRecord changed = known.withState(STATES[random.nextInt(STATES.length)], T1);
        index.put(changed);
        model.put(id, changed);
      } else if (op < 8) {
        JobRecord placed = place(known, random);
        index.put(placed);
        model.put(id, placed);
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
        Optional<String> worker = random.nextInt(3) == 0
            ? Optional.empty() : Optional.of(random.nextInt(10) == 0 ? "w9" : WORKERS[random.nextInt(WORKERS.length)]);
        Map<String, String> labels = random.nextBoolean() ? Map.of() : labels(random);
        JobFilter filter = new JobFilter(state, name, worker, labels);
        assertEquals(naive(model, filter, before, limit), index.list(filter, before, limit),
            "list(" + filter + ", " + before + ", " + limit + ")");
      }
    }
    for (String id : List.copyOf(model.keySet())) {
      index.remove(id);
    }
    assertEquals(0, index.size());
    assertEquals(0, index.gramCount(), "posting sets left behind");
    assertEquals(0, index.workerCount(), "worker sets left behind");
    assertEquals(0, index.labelCount(), "label sets left behind");
  }

  private static JobRecord job(String id, String name, Map<String, String> labels, JobState state) {
    JobSpec spec = new JobSpec(name, labels, List.of(TaskSpec.handler("a", "noop", null, List.of()),
        TaskSpec.handler("b", "noop", null, List.of())));
    JobRecord job = JobRecord.submitted(id, spec, null, T0);
    return state == JobState.PENDING ? job : job.withState(state, T1);
  }

  /** A new attempt of one of the job's tasks on a worker; now and then its latest attempt moved to another one. */
  private static JobRecord place(JobRecord job, Random random) {
    TaskRecord task = job.tasks().get(random.nextInt(job.tasks().size()));
    String worker = WORKERS[random.nextInt(WORKERS.length)];
    int attempt = task.attempts().isEmpty() || random.nextInt(4) != 0
        ? task.attempts().size() + 1 : task.attempts().size();
    return job.withTask(task.withAttempt(AttemptRecord.scheduled(attempt, worker)));
  }

  /** 0 to 2 labels from small sets of keys and values (a key or value may hold '='). */
  private static Map<String, String> labels(Random random) {
    Map<String, String> labels = new HashMap<>();
    for (int i = random.nextInt(3); i > 0; i--) {
      labels.put(LABEL_KEYS[random.nextInt(LABEL_KEYS.length)], LABEL_VALUES[random.nextInt(LABEL_VALUES.length)]);
    }
    return labels;
  }

  private static List<JobRecord> naive(NavigableMap<String, JobRecord> model, JobFilter filter,
      Optional<String> before, int limit) {
    List<JobRecord> out = new ArrayList<>();
    for (JobRecord job : naive(model, filter.state(), filter.name(), before, Integer.MAX_VALUE)) {
      boolean labelled = filter.labels().entrySet().stream()
          .allMatch(l -> l.getValue().equals(job.spec().labels().get(l.getKey())));
      boolean ranThere = filter.worker().isEmpty() || job.tasks().stream()
          .flatMap(t -> t.attempts().stream()).anyMatch(a -> filter.worker().get().equals(a.workerId()));
      if (labelled && ranThere && out.size() < limit) {
        out.add(job);
      }
    }
    return out;
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
