package io.baton.protocol.schedule;

import io.baton.protocol.job.JobSpecRules;
import io.baton.protocol.job.JobSpecViolation;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules of a schedule (see SPEC.md, "Job model" and guarantee 5): a name that is safe as a job name and a
 * ZooKeeper node name, a cron that parses under its syntax and matches some date, a known IANA zone, {@code endAt}
 * after {@code startAt}, and a valid job spec (its violations under {@code job.}). {@link #validate} returns every
 * violation at once, in document order. Pure and stateless.
 */
public final class ScheduleRules {
  public static final int MAX_NAME_LENGTH = 100;
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
  public static final String REQUIRED = JobSpecRules.REQUIRED;

  private ScheduleRules() {}

  /** Every violation of {@code spec}, in document order; empty when it is valid. */
  public static List<ScheduleViolation> validate(ScheduleSpec spec) {
    List<ScheduleViolation> out = new ArrayList<>();
    (spec.name() == null ? Optional.of(REQUIRED) : name(spec.name()))
        .ifPresent(m -> out.add(new ScheduleViolation("name", m)));
    boolean zoneKnown = spec.timezone() != null && timezone(spec.timezone()).isEmpty();
    (spec.cron() == null ? Optional.of(REQUIRED) : cron(spec.cron(), spec.syntax(), zoneKnown ? spec.timezone() : "UTC"))
        .ifPresent(m -> out.add(new ScheduleViolation("cron", m)));
    timezone(spec.timezone()).ifPresent(m -> out.add(new ScheduleViolation("timezone", m)));
    bounds(spec.startAt(), spec.endAt()).ifPresent(m -> out.add(new ScheduleViolation("endAt", m)));
    if (spec.job() == null) {
      out.add(new ScheduleViolation("job", REQUIRED));
    } else {
      for (JobSpecViolation v : JobSpecRules.check(spec.job())) {
        out.add(new ScheduleViolation(v.path().isEmpty() ? "job" : "job." + v.path(), v.message()));
      }
    }
    return out;
  }

  /** A schedule's name: 1 to 100 of A-Z a-z 0-9 . _ -, and not "." or "..", so it can name a znode. */
  public static Optional<String> name(String name) {
    if (name.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (!NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      return Optional.of("'" + JobSpecRules.abbreviate(name) + "' is not a valid schedule name: use 1 to "
          + MAX_NAME_LENGTH + " of A-Z a-z 0-9 _ . - (not '.' or '..')");
    }
    return Optional.empty();
  }

  /** A cron that parses under {@code syntax} and matches at least one time after 1970 in {@code timezone}. */
  public static Optional<String> cron(String cron, CronSyntax syntax, String timezone) {
    Optional<String> problem = CronTimes.problem(cron, syntax);
    if (problem.isPresent()) {
      return problem;
    }
    if (CronTimes.of(cron, syntax, ZoneId.of(timezone)).nextAfter(Instant.EPOCH).isEmpty()) {
      return Optional.of("'" + JobSpecRules.abbreviate(cron) + "' never fires (no date matches it, e.g. February 30)");
    }
    return Optional.empty();
  }

  /** A known IANA time zone id, e.g. Europe/Berlin or UTC; offsets like +02:00 are not zones. */
  public static Optional<String> timezone(String timezone) {
    if (timezone == null) {
      return Optional.of(REQUIRED);
    }
    if (!ZoneId.getAvailableZoneIds().contains(timezone)) {
      return Optional.of("'" + JobSpecRules.abbreviate(timezone) + "' is not a known IANA time zone"
          + " (e.g. UTC, Europe/Berlin, America/New_York)");
    }
    return Optional.empty();
  }

  /** {@code endAt}, when both are given, must be after {@code startAt}. */
  public static Optional<String> bounds(Instant startAt, Instant endAt) {
    if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
      return Optional.of("must be after startAt (" + startAt + "), not " + endAt);
    }
    return Optional.empty();
  }
}
