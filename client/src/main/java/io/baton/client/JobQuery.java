package io.baton.client;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code GET /api/v1/jobs} lists: a state, a name search (case-insensitive substring), at most {@code limit}
 * (1 to 1,000; the server's default 100 when empty), newest first, older than the job {@code before}.
 */
public record JobQuery(Optional<String> state, Optional<String> name, OptionalInt limit, Optional<String> before) {
  public static JobQuery all() {
    return new JobQuery(Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty());
  }

  public JobQuery withState(String s) {
    return new JobQuery(Optional.ofNullable(s), name, limit, before);
  }

  public JobQuery withName(String n) {
    return new JobQuery(state, Optional.ofNullable(n), limit, before);
  }

  public JobQuery withLimit(int n) {
    return new JobQuery(state, name, OptionalInt.of(n), before);
  }

  public JobQuery withBefore(String id) {
    return new JobQuery(state, name, limit, Optional.ofNullable(id));
  }
}
