package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScheduleSpecParserTest {
  static final String JOB = "{'name': 'tick', 'tasks': [{'id': 'a', 'command': ['/bin/echo', 'hi']}]}";

  private static ScheduleSpecParser.Result parse(String json) {
    return ScheduleSpecParser.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  private static ScheduleSpecParser.Result parse(String json, String pathName) {
    return ScheduleSpecParser.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), Optional.of(pathName));
  }

  private static ScheduleSpec valid(ScheduleSpecParser.Result r) {
    return assertInstanceOf(ScheduleSpecParser.Result.Valid.class, r, r::toString).spec();
  }

  private static List<Violation> invalid(ScheduleSpecParser.Result r) {
    return assertInstanceOf(ScheduleSpecParser.Result.Invalid.class, r, r::toString).violations();
  }

  private static List<String> paths(List<Violation> violations) {
    return violations.stream().map(Violation::path).toList();
  }

  @Test
  void absentOptionalFieldsTakeTheDefaults() {
    ScheduleSpec spec = valid(parse("{'name': 'every-minute', 'cron': '* * * * *', 'job': " + JOB + "}"));
    assertEquals("every-minute", spec.name());
    assertEquals("* * * * *", spec.cron());
    assertEquals(CronSyntax.UNIX, spec.syntax());
    assertEquals("UTC", spec.timezone());
    assertEquals(Misfire.FIRE_ONCE, spec.misfire());
    assertEquals(Overlap.ALLOW, spec.overlap());
    assertNull(spec.startAt());
    assertNull(spec.endAt());
    assertEquals("tick", spec.job().name());
    assertEquals(List.of("/bin/echo", "hi"), spec.job().tasks().get(0).command());
  }

  @Test
  void everyFieldIsRead() {
    ScheduleSpec spec = valid(parse("{'name': 's', 'cron': '*/5 * * * * ?', 'syntax': 'quartz',"
        + " 'timezone': 'Europe/Berlin', 'startAt': '2026-06-01T02:00:00+02:00', 'endAt': '2026-07-01T00:00:00Z',"
        + " 'misfire': 'fire-all', 'overlap': 'cancel-previous', 'job': " + JOB + "}"));
    assertEquals(CronSyntax.QUARTZ, spec.syntax());
    assertEquals("Europe/Berlin", spec.timezone());
    assertEquals(Instant.parse("2026-06-01T00:00:00Z"), spec.startAt());
    assertEquals(Instant.parse("2026-07-01T00:00:00Z"), spec.endAt());
    assertEquals(Misfire.FIRE_ALL, spec.misfire());
    assertEquals(Overlap.CANCEL_PREVIOUS, spec.overlap());
  }

  @Test
  void explicitNullsCountAsAbsent() {
    ScheduleSpec spec = valid(parse("{'name': 's', 'cron': '0 * * * *', 'syntax': null, 'timezone': null,"
        + " 'misfire': null, 'overlap': null, 'startAt': null, 'job': " + JOB + "}"));
    assertEquals(CronSyntax.UNIX, spec.syntax());
    assertEquals("UTC", spec.timezone());
  }

  @Test
  void everyViolationAtOnceInFieldOrder() {
    List<Violation> v = invalid(parse("{'job': {'name': 'j', 'tasks': [{'id': 'a', 'command': []}]},"
        + " 'overlap': 'never', 'misfire': 'later', 'timezone': 'Mars/Olympus', 'cron': '61 * * * *',"
        + " 'name': 'bad name', 'colour': 'red'}"));
    assertEquals(List.of("colour", "name", "cron", "timezone", "misfire", "overlap", "job.tasks[0].command"), paths(v),
        v::toString);
    assertTrue(v.get(0).message().startsWith("unknown field; allowed: name, cron, syntax, timezone"), v::toString);
    assertTrue(v.get(1).message().contains("not a valid schedule name"), v::toString);
    assertTrue(v.get(2).message().contains("not a valid unix cron"), v::toString);
    assertTrue(v.get(3).message().contains("not a known IANA time zone"), v::toString);
    assertEquals("'later' is not a misfire policy; use one of skip, fire-once, fire-all", v.get(4).message());
    assertEquals("'never' is not an overlap policy; use one of allow, skip, queue, cancel-previous",
        v.get(5).message());
    assertTrue(v.get(6).message().contains("must not be empty"), v::toString);
  }

  @Test
  void requiredFieldsAreNamed() {
    List<Violation> v = invalid(parse("{}"));
    assertEquals(List.of("name", "cron", "job"), paths(v), v::toString);
  }

  @Test
  void wrongTypesAreReportedOnceEach() {
    List<Violation> v = invalid(parse("{'name': 5, 'cron': ['*'], 'timezone': true, 'startAt': 0, 'job': []}"));
    assertEquals(List.of("name", "cron", "timezone", "startAt", "job"), paths(v), v::toString);
    assertEquals("must be a string, not a number", v.get(0).message());
    assertEquals("a job spec must be a JSON object, not an array", v.get(4).message());
  }

  @Test
  void jobViolationsComeUnderJob() {
    List<Violation> v = invalid(parse("{'name': 's', 'cron': '* * * * *', 'job': {'tasks': [{'id': 'a',"
        + " 'command': ['x'], 'dependsOn': ['b']}, {'id': 'a', 'handler': 'noop', 'shape': 1}]}}"));
    assertEquals(List.of("job.name", "job.tasks[1].id", "job.tasks[0].dependsOn[0]", "job.tasks[1].shape"),
        paths(v), v::toString);
  }

  @Test
  void aQuartzCronNeedsQuartzSyntax() {
    List<Violation> v = invalid(parse("{'name': 's', 'cron': '*/5 * * * * ?', 'job': " + JOB + "}"));
    assertEquals(List.of("cron"), paths(v));
    assertTrue(v.get(0).message().contains("set \"syntax\": \"quartz\""), v::toString);
  }

  @Test
  void anUnknownSyntaxIsReportedAndTheCronNotJudgedUnderAGuess() {
    List<Violation> v = invalid(parse("{'name': 's', 'cron': '*/5 * * * * ?', 'syntax': 'vixie', 'job': " + JOB + "}"));
    assertEquals(List.of("syntax"), paths(v), v::toString);
    assertEquals("'vixie' is not a cron syntax; use one of unix, quartz", v.get(0).message());
  }

  @Test
  void instantsAreIso8601WithAnOffsetAndEndAtFollowsStartAt() {
    List<Violation> bad = invalid(parse("{'name': 's', 'cron': '* * * * *', 'startAt': '2026-06-01 10:00',"
        + " 'job': " + JOB + "}"));
    assertEquals(List.of("startAt"), paths(bad), bad::toString);
    assertTrue(bad.get(0).message().contains("not an ISO-8601 date-time"), bad::toString);
    List<Violation> order = invalid(parse("{'name': 's', 'cron': '* * * * *', 'startAt': '2026-06-01T00:00:00Z',"
        + " 'endAt': '2026-05-01T00:00:00Z', 'job': " + JOB + "}"));
    assertEquals(List.of("endAt"), paths(order), order::toString);
    assertTrue(order.get(0).message().startsWith("must be after startAt"), order::toString);
  }

  @Test
  void aCronThatNeverFiresIsRefused() {
    List<Violation> v = invalid(parse("{'name': 's', 'cron': '0 0 30 2 *', 'job': " + JOB + "}"));
    assertEquals(List.of("cron"), paths(v), v::toString);
    assertTrue(v.get(0).message().contains("never fires"), v::toString);
  }

  @Test
  void putTakesTheNameFromThePathAndRefusesAnother() {
    assertEquals("nightly", valid(parse("{'cron': '0 2 * * *', 'job': " + JOB + "}", "nightly")).name());
    assertEquals("nightly", valid(parse("{'name': 'nightly', 'cron': '0 2 * * *', 'job': " + JOB + "}", "nightly"))
        .name());
    List<Violation> v = invalid(parse("{'name': 'daily', 'cron': '0 2 * * *', 'job': " + JOB + "}", "nightly"));
    assertEquals(List.of("name"), paths(v), v::toString);
    assertTrue(v.get(0).message().contains("differs from the name in the path ('nightly')"), v::toString);
    List<Violation> badPath = invalid(parse("{'cron': '0 2 * * *', 'job': " + JOB + "}", "a b"));
    assertEquals(List.of("name"), paths(badPath), badPath::toString);
  }

  /** The README points at these files; they must stay valid. */
  @Test
  void theDocsExamplesAreValid() throws Exception {
    ScheduleSpec minute = valid(ScheduleSpecParser.parse(
        java.nio.file.Files.readAllBytes(java.nio.file.Path.of("../docs/examples/schedule-every-minute.json"))));
    assertEquals(CronSyntax.UNIX, minute.syntax());
    assertTrue(minute.job().tasks().get(0).command().get(2).contains("$BATON_SCHEDULED_TIME"));
    ScheduleSpec second = valid(ScheduleSpecParser.parse(
        java.nio.file.Files.readAllBytes(java.nio.file.Path.of("../docs/examples/schedule-every-second.json"))));
    assertEquals(CronSyntax.QUARTZ, second.syntax());
  }

  @Test
  void malformedBodies() {
    assertInstanceOf(ScheduleSpecParser.Result.Malformed.class, ScheduleSpecParser.parse(new byte[0]));
    assertInstanceOf(ScheduleSpecParser.Result.Malformed.class, parse("{'name': 's',"));
    assertInstanceOf(ScheduleSpecParser.Result.Malformed.class, parse("{'name': 's', 'name': 't'}"));
    assertEquals(List.of(""), paths(invalid(parse("[1]"))));
  }
}
