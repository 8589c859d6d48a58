package io.baton.scheduler.api;

import io.baton.protocol.schedule.ScheduleSpec;
import java.time.Instant;
import java.util.List;

/**
 * A schedule as the API shows it: its spec, whether it is paused, when it was created, its next fire times (up to
 * {@link #NEXT_FIRES}; none while paused) and its last recorded fires, newest first (up to {@link #LAST_FIRES}).
 */
public record ScheduleView(ScheduleSpec spec, boolean paused, Instant createdAt, List<Instant> nextFires,
    List<FireView> lastFires) {
  public static final int NEXT_FIRES = 5;
  public static final int LAST_FIRES = 10;

  public ScheduleView {
    nextFires = List.copyOf(nextFires);
    lastFires = List.copyOf(lastFires);
  }

  /**
   * One recorded fire: its id ({@code <name>@<instant>}, also its job's Idempotency-Key), the instant it was due,
   * the job it submitted (null when it was skipped: overlap {@code skip}) and that job's state as last seen
   * ({@code SKIPPED} for a skipped fire; {@code UNKNOWN} when the leader has not seen the job since it took over:
   * deleted by retention, or finished and not read from the history yet).
   */
  public record FireView(String id, Instant scheduledAt, String jobId, String state) {}
}
