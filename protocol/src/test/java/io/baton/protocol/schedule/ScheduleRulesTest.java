package io.baton.protocol.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleRulesTest {
  private static final JobSpec JOB = new JobSpec("nightly", Map.of(), List.of(TaskSpec.command("a", List.of("/bin/true"), List.of())));
  private static final ScheduleSpec VALID = ScheduleSpec.of("nightly-etl", "0 2 * * *", JOB).withTimezone("Europe/Berlin");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static List<String> violations(ScheduleSpec spec) {
    return ScheduleRules.validate(spec).stream().map(ScheduleViolation::toString).toList();
  }

  @Test
  void aValidScheduleHasNoViolations() {
    assertEquals(List.of(), violations(VALID));
    assertEquals(List.of(), violations(VALID.withSyntax(CronSyntax.QUARTZ).withTimezone("UTC")
        .withBounds(T0, T0.plusSeconds(1)).withMisfire(Misfire.FIRE_ALL).withOverlap(Overlap.QUEUE)
        .withCron("*/5 * * * * ?")));
  }

  @Test
  void absentSyntaxZoneAndPoliciesTakeTheDefaults() {
    ScheduleSpec s = ScheduleSpec.of("n", "* * * * *", JOB);
    assertEquals(CronSyntax.UNIX, s.syntax());
    assertEquals("UTC", s.timezone());
    assertEquals(Misfire.FIRE_ONCE, s.misfire());
    assertEquals(Overlap.ALLOW, s.overlap());
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of(VALID.withName(null), "name: is required"),
        Arguments.of(VALID.withName(""), "name: must not be empty"),
        Arguments.of(VALID.withName("a/b"), "name: 'a/b' is not a valid schedule name: use 1 to 100 of A-Z a-z 0-9 _ . - (not '.' or '..')"),
        Arguments.of(VALID.withName(".."), "name: '..' is not a valid schedule name: use 1 to 100 of A-Z a-z 0-9 _ . - (not '.' or '..')"),
        Arguments.of(VALID.withName("x".repeat(101)), "name: '" + "x".repeat(77) + "...' is not a valid schedule name: use 1 to 100 of A-Z a-z 0-9 _ . - (not '.' or '..')"),
        Arguments.of(VALID.withCron(null), "cron: is required"),
        Arguments.of(VALID.withCron("0 0 * * * ?"), "cron: has 6 fields; a Unix cron has 5: minute hour day-of-month month day-of-week (for one with seconds, set \"syntax\": \"quartz\")"),
        Arguments.of(VALID.withCron("0 0 30 2 *"), "cron: '0 0 30 2 *' never fires (no date matches it, e.g. February 30)"),
        Arguments.of(VALID.withTimezone("Mars/Olympus"), "timezone: 'Mars/Olympus' is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)"),
        Arguments.of(VALID.withTimezone("+02:00"), "timezone: '+02:00' is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)"),
        Arguments.of(VALID.withBounds(T0, T0), "endAt: must be after startAt (2026-01-01T00:00:00Z), not 2026-01-01T00:00:00Z"),
        Arguments.of(VALID.withJob(null), "job: is required"),
        Arguments.of(VALID.withJob(new JobSpec(" ", Map.of(), JOB.tasks())), "job.name: must not be empty"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("broken")
  void eachRule(ScheduleSpec spec, String violation) {
    assertEquals(List.of(violation), violations(spec));
  }

  @Test
  void everyViolationAtOnceInDocumentOrder() {
    JobSpec badJob = new JobSpec("j", Map.of(), List.of(TaskSpec.command("a b", List.of(), List.of("zz"))));
    ScheduleSpec spec = new ScheduleSpec("no/slash", "0 0 0 * * *", CronSyntax.QUARTZ, "Europe/Nowhere",
        T0.plusSeconds(60), T0, Misfire.SKIP, Overlap.SKIP, badJob);
    assertEquals(List.of(
        "name: 'no/slash' is not a valid schedule name: use 1 to 100 of A-Z a-z 0-9 _ . - (not '.' or '..')",
        "cron: a Quartz cron needs '?' in day-of-month or day-of-week (e.g. '0 0 12 * * ?' or '0 0 12 ? * MON')",
        "timezone: 'Europe/Nowhere' is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)",
        "endAt: must be after startAt (2026-01-01T00:01:00Z), not 2026-01-01T00:00:00Z",
        "job.tasks[0].id: 'a b' is not a valid task id: use 1 to 64 of A-Z a-z 0-9 _ . -",
        "job.tasks[0]: needs either command (an argv array) or handler (a handler name)",
        "job.tasks[0].dependsOn[0]: unknown task 'zz'"), violations(spec));
  }

  @Test
  void jsonNamesOfThePolicies() {
    assertEquals(List.of("skip", "fire-once", "fire-all"), Stream.of(Misfire.values()).map(Misfire::jsonName).toList());
    assertEquals(List.of("allow", "skip", "queue", "cancel-previous"), Stream.of(Overlap.values()).map(Overlap::jsonName).toList());
    assertEquals(List.of("unix", "quartz"), Stream.of(CronSyntax.values()).map(CronSyntax::jsonName).toList());
    assertEquals(Overlap.CANCEL_PREVIOUS, Overlap.fromJson("cancel-previous").orElseThrow());
    assertEquals(Misfire.FIRE_ONCE, Misfire.fromJson("fire-once").orElseThrow());
    assertEquals(CronSyntax.QUARTZ, CronSyntax.fromJson("quartz").orElseThrow());
    assertEquals(java.util.Optional.empty(), Misfire.fromJson("FIRE_ONCE"));
  }
}
