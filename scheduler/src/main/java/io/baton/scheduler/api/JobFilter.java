package io.baton.scheduler.api;

import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which jobs a listing keeps; every part given must match. {@code state}: the job's state. {@code name}: a
 * substring of the job's name, ignoring case (trimmed and lower-cased here with {@link Locale#ROOT}; blank = no
 * filter). {@code worker}: a worker id that ran at least one attempt of the job (any attempt that names it, whatever
 * its state). {@code labels}: each key has this value among the job's labels. Immutable.
 */
public record JobFilter(Optional<JobState> state, Optional<String> name, Optional<String> worker,
    Map<String, String> labels) {
  private static final JobFilter ALL = new JobFilter(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());

  public JobFilter {
    Objects.requireNonNull(state, "state");
    name = name.map(n -> n.trim().toLowerCase(Locale.ROOT)).filter(n -> !n.isEmpty());
    Objects.requireNonNull(worker, "worker");
    labels = Map.copyOf(labels);
  }

  public static JobFilter all() {
    return ALL;
  }

  public JobFilter withState(JobState s) {
    return new JobFilter(Optional.of(s), name, worker, labels);
  }

  public JobFilter withName(String n) {
    return new JobFilter(state, Optional.of(n), worker, labels);
  }

  public JobFilter withWorker(String w) {
    return new JobFilter(state, name, Optional.of(w), labels);
  }

  public JobFilter withLabels(Map<String, String> l) {
    return new JobFilter(state, name, worker, l);
  }

  public boolean matches(JobRecord job) {
    if (state.isPresent() && job.state() != state.get()) {
      return false;
    }
    if (name.isPresent() && !job.spec().name().toLowerCase(Locale.ROOT).contains(name.get())) {
      return false;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!label.getValue().equals(job.spec().labels().get(label.getKey()))) {
        return false;
      }
    }
    return worker.isEmpty() || ranOn(job, worker.get());
  }

  /** Whether an attempt of {@code job} names {@code workerId}. */
  private static boolean ranOn(JobRecord job, String workerId) {
    for (TaskRecord task : job.tasks()) {
      for (AttemptRecord attempt : task.attempts()) {
        if (workerId.equals(attempt.workerId())) {
          return true;
        }
      }
    }
    return false;
  }
}
