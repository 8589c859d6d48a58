package io.baton.protocol.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * A schedule as persisted: its spec, whether it is paused, when it was created, and when it was last resumed (null
 * if never). Its fires are recorded apart, one per fire, in the transaction that creates the fire's job. Immutable.
 */
public record ScheduleRecord(ScheduleSpec spec, boolean paused, Instant createdAt, Instant resumedAt) {
  public ScheduleRecord {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  public String name() {
    return spec.name();
  }
}
