package io.baton.protocol.schedule;

import io.baton.protocol.job.JobSpec;
import java.time.Instant;

/**
 * A schedule as its owner wrote it (see SPEC.md, "Job model"): a {@code cron} in its {@code syntax}, read in the IANA
 * {@code timezone}, fires between the optional {@code startAt} and {@code endAt} (both inclusive); each fire submits
 * {@code job}. {@code misfire} and {@code overlap} say what happens to late fires and to fires while the previous
 * job still runs. Absent {@code syntax}, {@code timezone}, {@code misfire} and {@code overlap} take the defaults
 * below. Not validated by construction: {@link ScheduleRules#validate(ScheduleSpec)} says what is wrong.
 */
public record ScheduleSpec(
    String name,
    String cron,
    CronSyntax syntax,
    String timezone,
    Instant startAt,
    Instant endAt,
    Misfire misfire,
    Overlap overlap,
    JobSpec job) {

  public static final CronSyntax DEFAULT_SYNTAX = CronSyntax.UNIX;
  public static final String DEFAULT_TIMEZONE = "UTC";
  public static final Misfire DEFAULT_MISFIRE = Misfire.FIRE_ONCE;
  public static final Overlap DEFAULT_OVERLAP = Overlap.ALLOW;

  public ScheduleSpec {
    syntax = syntax == null ? DEFAULT_SYNTAX : syntax;
    timezone = timezone == null ? DEFAULT_TIMEZONE : timezone;
    misfire = misfire == null ? DEFAULT_MISFIRE : misfire;
    overlap = overlap == null ? DEFAULT_OVERLAP : overlap;
  }

  /** A schedule with the defaults: Unix syntax, UTC, no bounds, misfire fire-once, overlap allow. */
  public static ScheduleSpec of(String name, String cron, JobSpec job) {
    return new ScheduleSpec(name, cron, null, null, null, null, null, null, job);
  }

  public ScheduleSpec withName(String n) {
    return new ScheduleSpec(n, cron, syntax, timezone, startAt, endAt, misfire, overlap, job);
  }

  public ScheduleSpec withCron(String c) {
    return new ScheduleSpec(name, c, syntax, timezone, startAt, endAt, misfire, overlap, job);
  }

  public ScheduleSpec withJob(JobSpec j) {
    return new ScheduleSpec(name, cron, syntax, timezone, startAt, endAt, misfire, overlap, j);
  }

  public ScheduleSpec withSyntax(CronSyntax s) {
    return new ScheduleSpec(name, cron, s, timezone, startAt, endAt, misfire, overlap, job);
  }

  public ScheduleSpec withTimezone(String zone) {
    return new ScheduleSpec(name, cron, syntax, zone, startAt, endAt, misfire, overlap, job);
  }

  public ScheduleSpec withBounds(Instant start, Instant end) {
    return new ScheduleSpec(name, cron, syntax, timezone, start, end, misfire, overlap, job);
  }

  public ScheduleSpec withMisfire(Misfire m) {
    return new ScheduleSpec(name, cron, syntax, timezone, startAt, endAt, m, overlap, job);
  }

  public ScheduleSpec withOverlap(Overlap o) {
    return new ScheduleSpec(name, cron, syntax, timezone, startAt, endAt, misfire, o, job);
  }
}
