package io.baton.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code GET /api/v1/jobs} lists: a state, a name search (case-insensitive substring), a worker (jobs with at
 * least one attempt on it), labels (jobs that carry every one), at most {@code limit} (1 to 1,000; the server's
 * default 100 when empty), newest first, older than the job {@code before}.
 */
public record JobQuery(Optional<String> state, Optional<String> name, OptionalInt limit, Optional<String> before,
    Optional<String> worker, Map<String, String> labels) {
  public JobQuery {
    labels = Map.copyOf(labels);
  }

  /** A query by state, name and paging only. */
  public JobQuery(Optional<String> state, Optional<String> name, OptionalInt limit, Optional<String> before) {
    this(state, name, limit, before, Optional.empty(), Map.of());
  }

  public static JobQuery all() {
    return new JobQuery(Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());
  }

  public JobQuery withState(String s) {
    return new JobQuery(Optional.ofNullable(s), name, limit, before, worker, labels);
  }

  public JobQuery withName(String n) {
    return new JobQuery(state, Optional.ofNullable(n), limit, before, worker, labels);
  }

  public JobQuery withLimit(int n) {
    return new JobQuery(state, name, OptionalInt.of(n), before, worker, labels);
  }

  public JobQuery withBefore(String id) {
    return new JobQuery(state, name, limit, Optional.ofNullable(id), worker, labels);
  }

  /** Only jobs with at least one attempt on worker {@code id} (null: any worker). */
  public JobQuery withWorker(String id) {
    return new JobQuery(state, name, limit, before, Optional.ofNullable(id), labels);
  }

  /** Only jobs that carry label {@code key} with {@code value}, besides the labels already asked for. */
  public JobQuery withLabel(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(labels);
    more.put(key, value);
    return new JobQuery(state, name, limit, before, worker, more);
  }
}
