package io.baton.scheduler.model;

import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The read model's index of retained jobs: the latest {@link JobRecord} of every job, answering the REST queries
 * (newest first, paging with {@code before}, state filter, name search) without scanning every job.
 *
 * <p>Job ids sort by submission time, so "newest first" is descending id order. Three indexes, all sorted by id:
 * <ul>
 *   <li>{@code byId}: id -> record (get and the unfiltered listing);
 *   <li>{@code byState}: one id set per {@link JobState}, moved when {@link #put} changes a job's state;
 *   <li>{@code byGram}: every 3-char substring ("gram") of a job's lower-cased spec name -> the ids of the jobs whose
 *       name has it. A name query of 3 or more chars walks only the smallest of its grams' posting sets (and of the
 *       state's set when a state is given), descending from {@code before}, and checks each candidate's name and
 *       state on its record. Shorter queries walk the state's set or every id, descending, until {@code limit}.
 * </ul>
 * Names are lower-cased with {@link Locale#ROOT} and grams are taken over UTF-16 chars, as {@link String#contains}
 * compares, so every gram of a query is a gram of every name that contains it (also for names outside ASCII).
 *
 * <p>Costs: {@link #get} O(log n); {@link #put} and {@link #remove} O(g log n) for a name of g grams; a listing
 * O(log n) per candidate walked. A name query walks its rarest gram's posting set until {@code limit} matches, so a
 * query whose grams are all common but which matches few jobs still walks the whole of the rarest set, and a query
 * of 1 or 2 chars that matches few jobs walks every job (or every job in the state).
 *
 * <p>Memory: the records are the ones given to {@link #put}, not copies, and the index shares their id strings. On
 * top of the records, an entry costs a tree node in {@code byId} and in its state's set (about 40 bytes each with
 * compressed oops) and one tree node per distinct gram of its name (a 20-char name has up to 18): roughly
 * {@code 80 + 40 * grams} bytes, about 0.8 KB for a 20-char name. Gram keys and posting sets are shared by all
 * jobs with that gram; an emptied posting set is dropped. Measured once: 364 bytes a job on top of the records at
 * 100,000 jobs named like {@code etl-123} and {@code ml-train-123} (36 MB).
 *
 * <p>Not thread-safe: one actor owns it and calls it from its own messages only.
 */
public final class JobIndex {
  static final int GRAM = 3;

  private final NavigableMap<String, JobRecord> byId = new TreeMap<>();
  private final Map<JobState, NavigableSet<String>> byState = new EnumMap<>(JobState.class);
  private final Map<String, NavigableSet<String>> byGram = new HashMap<>();
  /** The reruns of each job that has some ({@link JobRecord#rerunOf}), by id (oldest first). */
  private final Map<String, NavigableSet<String>> reruns = new HashMap<>();

  public JobIndex() {
    for (JobState state : JobState.values()) {
      byState.put(state, new TreeSet<>());
    }
  }

  /** Inserts a job or replaces its record: a state change moves it between state sets; its name stays indexed. */
  public void put(JobRecord job) {
    Objects.requireNonNull(job.id(), "job id");
    Objects.requireNonNull(job.state(), "job state");
    String name = Objects.requireNonNull(job.spec().name(), "job name");
    JobRecord previous = byId.put(job.id(), job);
    if (previous == null) {
      byState.get(job.state()).add(job.id());
      addGrams(job.id(), name);
      if (job.rerunOf() != null) {
        reruns.computeIfAbsent(job.rerunOf(), r -> new TreeSet<>()).add(job.id());
      }
      return;
    }
    String id = previous.id();
    if (previous.state() != job.state()) {
      byState.get(previous.state()).remove(id);
      byState.get(job.state()).add(id);
    }
    // a job's name does not change; should a caller break that, reindex rather than serve stale grams
    if (!previous.spec().name().equals(name)) {
      removeGrams(id, previous.spec().name());
      addGrams(id, name);
    }
  }

  /** Forgets a job in every index; false when it was not there. */
  public boolean remove(String jobId) {
    JobRecord previous = byId.remove(jobId);
    if (previous == null) {
      return false;
    }
    byState.get(previous.state()).remove(jobId);
    removeGrams(jobId, previous.spec().name());
    if (previous.rerunOf() != null) {
      NavigableSet<String> of = reruns.get(previous.rerunOf());
      if (of != null && of.remove(jobId) && of.isEmpty()) {
        reruns.remove(previous.rerunOf());
      }
    }
    return true;
  }

  /** The ids of the jobs indexed that rerun {@code jobId}, oldest first. */
  public List<String> reruns(String jobId) {
    NavigableSet<String> of = reruns.get(jobId);
    return of == null ? List.of() : List.copyOf(of);
  }

  public Optional<JobRecord> get(String jobId) {
    return Optional.ofNullable(byId.get(jobId));
  }

  public int size() {
    return byId.size();
  }

  /**
   * Jobs newest first (ids sort by submission time: descending id order), only ids strictly below {@code before}
   * when given, only in {@code state} when given, only those whose spec name contains {@code nameContains} ignoring
   * case (trimmed; blank = no filter; lowercase with {@link Locale#ROOT}), at most {@code limit}.
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  public List<JobRecord> list(
      Optional<JobState> state, Optional<String> nameContains, Optional<String> before, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    String needle = nameContains.map(n -> n.trim().toLowerCase(Locale.ROOT)).orElse("");
    List<JobRecord> out = new ArrayList<>(Math.min(limit, 256));
    if (limit == 0) {
      return out;
    }
    NavigableSet<String> candidates = candidates(state, needle);
    Iterator<String> ids = before.isPresent()
        ? candidates.headSet(before.get(), false).descendingIterator()
        : candidates.descendingIterator();
    while (ids.hasNext() && out.size() < limit) {
      JobRecord job = byId.get(ids.next());
      if (state.isPresent() && job.state() != state.get()) {
        continue;
      }
      if (!needle.isEmpty() && !job.spec().name().toLowerCase(Locale.ROOT).contains(needle)) {
        continue;
      }
      out.add(job);
    }
    return out;
  }

  /** The smallest id set that holds every match: the state's set or the query's rarest gram's posting set. */
  private NavigableSet<String> candidates(Optional<JobState> state, String needle) {
    NavigableSet<String> best = state.isPresent() ? byState.get(state.get()) : byId.navigableKeySet();
    if (needle.length() < GRAM) {
      return best;
    }
    for (String gram : grams(needle)) {
      NavigableSet<String> posting = byGram.get(gram);
      if (posting == null) {
        // a gram no name has: nothing matches
        return Collections.emptyNavigableSet();
      }
      if (posting.size() < best.size()) {
        best = posting;
      }
    }
    return best;
  }

  private void addGrams(String id, String name) {
    for (String gram : grams(name.toLowerCase(Locale.ROOT))) {
      byGram.computeIfAbsent(gram, g -> new TreeSet<>()).add(id);
    }
  }

  private void removeGrams(String id, String name) {
    for (String gram : grams(name.toLowerCase(Locale.ROOT))) {
      NavigableSet<String> posting = byGram.get(gram);
      if (posting != null && posting.remove(id) && posting.isEmpty()) {
        byGram.remove(gram);
      }
    }
  }

  /** The distinct 3-char substrings of an already lower-cased text; none when it is shorter. */
  static Set<String> grams(String lower) {
    Set<String> grams = new LinkedHashSet<>();
    for (int i = 0; i + GRAM <= lower.length(); i++) {
      grams.add(lower.substring(i, i + GRAM));
    }
    return grams;
  }

  /** Distinct grams indexed; for tests that check removal leaves nothing behind. */
  int gramCount() {
    return byGram.size();
  }
}
