package io.baton.scheduler.model;

import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.api.JobFilter;
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
 * (newest first, paging with {@code before}, filters by state, name, worker and labels: {@link JobFilter}) without
 * scanning every job.
 *
 * <p>Job ids sort by submission time, so "newest first" is descending id order. Five indexes, all sorted by id:
 * <ul>
 *   <li>{@code byId}: id -> record (get and the unfiltered listing);
 *   <li>{@code byState}: one id set per {@link JobState}, moved when {@link #put} changes a job's state;
 *   <li>{@code byGram}: every 3-char substring ("gram") of a job's lower-cased spec name -> the ids of the jobs whose
 *       name has it;
 *   <li>{@code byWorker}: a worker id -> the ids of the jobs with at least one attempt on it, added to as
 *       {@link #put} sees new attempts;
 *   <li>{@code byLabel}: a label ({@code key=value}) -> the ids of the jobs that carry it.
 * </ul>
 * A listing walks only the smallest of the id sets that every match is in (the state's set, a name query's rarest
 * gram's posting set when the query has 3 or more chars, the worker's set, each label's set; every id when none is
 * given), descending from {@code before}, and checks each candidate against the whole filter on its record, until
 * {@code limit}.
 * Names are lower-cased with {@link Locale#ROOT} and grams are taken over UTF-16 chars, as {@link String#contains}
 * compares, so every gram of a query is a gram of every name that contains it (also for names outside ASCII).
 *
 * <p>Costs: {@link #get} O(log n); {@link #put} and {@link #remove} O(g log n) for a name of g grams, plus for
 * {@link #put} a reference comparison per task and a look at the attempts of each task whose attempt list changed,
 * and for {@link #remove} a look at every attempt; a listing O(log n) per candidate walked (a worker filter checks
 * the candidate's attempts only when the worker's set is not the one walked). A name query walks its rarest gram's posting set until {@code limit} matches, so a
 * query whose grams are all common but which matches few jobs still walks the whole of the rarest set, and a query
 * of 1 or 2 chars that matches few jobs walks every job (or every job in the state).
 *
 * <p>Memory: the records are the ones given to {@link #put}, not copies, and the index shares their id strings. On
 * top of the records, an entry costs a tree node in {@code byId} and in its state's set (about 40 bytes each with
 * compressed oops) and one tree node per distinct gram of its name (a 20-char name has up to 18): roughly
 * {@code 80 + 40 * grams} bytes, about 0.8 KB for a 20-char name. Gram keys and posting sets are shared by all
 * jobs with that gram; an emptied posting set is dropped. Measured once: 364 bytes a job on top of the records at
 * 100,000 jobs named like {@code etl-123} and {@code ml-train-123} (36 MB). The worker index costs a tree node
 * (about 40 bytes) per distinct worker a job ran on, not per attempt: a job run on one worker adds 40 bytes, a
 * broadcast over 100 workers 4 KB, which its 100 attempt records outweigh. The label index costs a tree node per
 * label of a job, and a map entry with a set per distinct {@code key=value} (about 150 bytes; shared by every job
 * with that label, so a label unique to each job costs that for each). A worker's or a label's set is dropped when
 * {@link #remove} (retention, deletion) takes its last job: nothing is kept for workers that are gone. Measured
 * once (JDK 17, compressed oops, a throwaway probe that put 100,000 jobs and compared the heap after GC): jobs with one
 * attempt each on one of 10 workers and two labels cost 578 bytes a job on top of the records, the same jobs without
 * attempts or labels 452: the worker and label indexes added 126 bytes a job, three tree nodes.
 *
 * <p>Not thread-safe: one actor owns it and calls it from its own messages only.
 */
public final class JobIndex {
  static final int GRAM = 3;

  private final NavigableMap<String, JobRecord> byId = new TreeMap<>();
  private final Map<JobState, NavigableSet<String>> byState = new EnumMap<>(JobState.class);
  private final Map<String, NavigableSet<String>> byGram = new HashMap<>();
  private final Map<String, NavigableSet<String>> byWorker = new HashMap<>();
  private final Map<Label, NavigableSet<String>> byLabel = new HashMap<>();
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
      addLabels(job.id(), job.spec().labels());
      addWorkers(job.id(), job.tasks());
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
    // nor do its labels
    if (!previous.spec().labels().equals(job.spec().labels())) {
      removeLabels(id, previous.spec().labels());
      addLabels(id, job.spec().labels());
    }
    updateWorkers(previous, job);
  }

  /** Forgets a job in every index; false when it was not there. */
  public boolean remove(String jobId) {
    JobRecord previous = byId.remove(jobId);
    if (previous == null) {
      return false;
    }
    byState.get(previous.state()).remove(jobId);
    removeGrams(jobId, previous.spec().name());
    removeLabels(jobId, previous.spec().labels());
    for (String worker : workersOf(previous.tasks())) {
      removeFrom(byWorker, worker, jobId);
    }
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
    return list(new JobFilter(state, nameContains, Optional.empty(), Map.of()), before, limit);
  }

  /**
   * The jobs {@code filter} keeps, newest first (ids sort by submission time: descending id order), only ids
   * strictly below {@code before} when given, at most {@code limit}.
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  public List<JobRecord> list(JobFilter filter, Optional<String> before, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    List<JobRecord> out = new ArrayList<>(Math.min(limit, 256));
    if (limit == 0) {
      return out;
    }
    NavigableSet<String> candidates = candidates(filter);
    // walking the worker's own set: every candidate ran there, no need to look at its attempts again
    JobFilter check = filter.worker().isPresent() && candidates == byWorker.get(filter.worker().get())
        ? new JobFilter(filter.state(), filter.name(), Optional.empty(), filter.labels()) : filter;
    Iterator<String> ids = before.isPresent()
        ? candidates.headSet(before.get(), false).descendingIterator()
        : candidates.descendingIterator();
    while (ids.hasNext() && out.size() < limit) {
      JobRecord job = byId.get(ids.next());
      if (check.matches(job)) {
        out.add(job);
      }
    }
    return out;
  }

  /**
   * The smallest id set that holds every match: of the state's set, the name query's rarest gram's posting set, the
   * worker's set and each label's set; every id when the filter has none of them.
   */
  private NavigableSet<String> candidates(JobFilter filter) {
    NavigableSet<String> best = filter.state().isPresent() ? byState.get(filter.state().get()) : byId.navigableKeySet();
    List<NavigableSet<String>> sets = new ArrayList<>();
    String needle = filter.name().orElse("");
    if (needle.length() >= GRAM) {
      for (String gram : grams(needle)) {
        sets.add(byGram.get(gram));
      }
    }
    filter.worker().ifPresent(w -> sets.add(byWorker.get(w)));
    filter.labels().forEach((k, v) -> sets.add(byLabel.get(new Label(k, v))));
    for (NavigableSet<String> set : sets) {
      if (set == null) {
        // a gram no name has, a worker no job ran on, a label no job carries: nothing matches
        return Collections.emptyNavigableSet();
      }
      if (set.size() < best.size()) {
        best = set;
      }
    }
    return best;
  }

  /** Indexes the workers of the attempts of {@code tasks} under {@code id}. */
  private void addWorkers(String id, List<TaskRecord> tasks) {
    for (String worker : workersOf(tasks)) {
      byWorker.computeIfAbsent(worker, w -> new TreeSet<>()).add(id);
    }
  }

  /**
   * Brings the worker index from {@code previous} to {@code job}: only the tasks whose attempt list is a new one are
   * looked at (a record changed by {@link JobRecord#withTask} shares every other task's list). Attempts are only
   * added in practice; should a record drop the last attempt on a worker, that worker's set loses the job.
   */
  private void updateWorkers(JobRecord previous, JobRecord job) {
    List<TaskRecord> before = previous.tasks();
    List<TaskRecord> after = job.tasks();
    if (before.size() != after.size()) {
      reindexWorkers(previous, job);
      return;
    }
    boolean dropped = false;
    for (int i = 0; i < after.size(); i++) {
      List<AttemptRecord> was = before.get(i).attempts();
      List<AttemptRecord> now = after.get(i).attempts();
      if (was == now) {
        continue;
      }
      for (AttemptRecord a : now) {
        if (a.workerId() != null) {
          byWorker.computeIfAbsent(a.workerId(), w -> new TreeSet<>()).add(job.id());
        }
      }
      for (AttemptRecord a : was) {
        dropped |= a.workerId() != null && now.stream().noneMatch(n -> a.workerId().equals(n.workerId()));
      }
    }
    if (dropped) {
      reindexWorkers(previous, job);
    }
  }

  private void reindexWorkers(JobRecord previous, JobRecord job) {
    Set<String> now = workersOf(job.tasks());
    for (String worker : workersOf(previous.tasks())) {
      if (!now.contains(worker)) {
        removeFrom(byWorker, worker, job.id());
      }
    }
    addWorkers(job.id(), job.tasks());
  }

  private static Set<String> workersOf(List<TaskRecord> tasks) {
    Set<String> workers = new LinkedHashSet<>();
    for (TaskRecord task : tasks) {
      for (AttemptRecord a : task.attempts()) {
        if (a.workerId() != null) {
          workers.add(a.workerId());
        }
      }
    }
    return workers;
  }

  private void addLabels(String id, Map<String, String> labels) {
    labels.forEach((k, v) -> byLabel.computeIfAbsent(new Label(k, v), l -> new TreeSet<>()).add(id));
  }

  private void removeLabels(String id, Map<String, String> labels) {
    labels.forEach((k, v) -> removeFrom(byLabel, new Label(k, v), id));
  }

  private static <K> void removeFrom(Map<K, NavigableSet<String>> index, K key, String id) {
    NavigableSet<String> ids = index.get(key);
    if (ids != null && ids.remove(id) && ids.isEmpty()) {
      index.remove(key);
    }
  }

  /** A label as indexed: a key and its value (a key may itself hold '='). */
  private record Label(String key, String value) {}

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

  /** Workers with at least one job indexed under them; for tests that check removal leaves nothing behind. */
  int workerCount() {
    return byWorker.size();
  }

  /** Distinct labels indexed; for tests that check removal leaves nothing behind. */
  int labelCount() {
    return byLabel.size();
  }
}
