package io.baton.scheduler.model;

import io.baton.protocol.schedule.ScheduleSpec;
import java.time.Instant;
import java.util.Objects;

/**
 * What is known of one schedule, all of it durable: its spec, whether it is paused, {@code lastFire} (the scheduled
 * instant of the newest recorded fire, null before the first), {@code createdAt}, and {@code resumedAt} (the last
 * resume, null if never paused). Fires happen after {@code lastFire} and at or after the latest of
 * {@code createdAt}, {@code startAt} and {@code resumedAt}: a resume means "from now on", and fires missed while
 * paused are not caught up. A new leader needs nothing else to continue ({@link ScheduleLogic}).
 */
public record ScheduleState(ScheduleSpec spec, boolean paused, Instant lastFire, Instant createdAt, Instant resumedAt) {
  public ScheduleState {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A schedule created at {@code now}: it fires from {@code now} (or its {@code startAt}) on. */
  public static ScheduleState created(ScheduleSpec spec, Instant now) {
    return new ScheduleState(spec, false, null, now, null);
  }

  public String name() {
    return spec.name();
  }

  /** The spec replaced ({@code PUT}); what has fired stays fired. */
  public ScheduleState withSpec(ScheduleSpec newSpec) {
    return new ScheduleState(newSpec, paused, lastFire, createdAt, resumedAt);
  }

  /** Paused: nothing fires, also what was due and not yet fired. Pausing a paused schedule changes nothing. */
  public ScheduleState pause() {
    return paused ? this : new ScheduleState(spec, true, lastFire, createdAt, resumedAt);
  }

  /** Resumed at {@code now}: fires from {@code now} on; those missed while paused are not caught up. */
  public ScheduleState resume(Instant now) {
    return paused ? new ScheduleState(spec, false, lastFire, createdAt, now) : this;
  }

  /** A fire at {@code scheduledAt} was recorded durably; {@code lastFire} only moves forward. */
  public ScheduleState recorded(Instant scheduledAt) {
    return lastFire != null && !scheduledAt.isAfter(lastFire)
        ? this : new ScheduleState(spec, paused, scheduledAt, createdAt, resumedAt);
  }

  /**
   * The earliest instant a fire may have: the latest of {@code createdAt}, {@code startAt} and {@code resumedAt}
   * (inclusive).
   */
  public Instant floor() {
    Instant f = createdAt;
    if (spec.startAt() != null && spec.startAt().isAfter(f)) {
      f = spec.startAt();
    }
    if (resumedAt != null && resumedAt.isAfter(f)) {
      f = resumedAt;
    }
    return f;
  }
}
