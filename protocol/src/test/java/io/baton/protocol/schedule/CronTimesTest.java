package io.baton.protocol.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fire times by syntax, zone and DST day; the expected instants are worked out by hand in the comments. */
class CronTimesTest {

  private static List<Instant> fires(String cron, CronSyntax syntax, String zone, String after, int n) {
    CronTimes times = CronTimes.of(cron, syntax, ZoneId.of(zone));
    List<Instant> out = new ArrayList<>();
    Instant t = Instant.parse(after);
    for (int i = 0; i < n; i++) {
      t = times.nextAfter(t).orElseThrow();
      out.add(t);
    }
    return out;
  }

  private static List<Instant> at(String... instants) {
    return Stream.of(instants).map(Instant::parse).toList();
  }

  static Stream<Arguments> table() {
    CronSyntax u = CronSyntax.UNIX;
    CronSyntax q = CronSyntax.QUARTZ;
    return Stream.of(
        // plain UTC, strictly after, sub-second start
        Arguments.of("* * * * *", u, "UTC", "2026-01-01T00:00:00.500Z", at("2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z")),
        Arguments.of("*/15 * * * *", u, "UTC", "2026-01-01T00:15:00Z", at("2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z")),
        // Unix: day-of-month OR day-of-week (Vixie); 0 and 7 are Sunday. 2026-02-01 is a Sunday, 02-02 a Monday
        Arguments.of("0 0 1 * 1", u, "UTC", "2026-01-31T12:00:00Z", at("2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z")),
        Arguments.of("0 0 * * 7", u, "UTC", "2026-01-01T00:00:00Z", at("2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z")),
        Arguments.of("0 0 * * 0", u, "UTC", "2026-01-01T00:00:00Z", at("2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z")),
        // Quartz: seconds, '?', nth weekday, year
        Arguments.of("*/20 * * * * ?", q, "UTC", "2026-01-01T00:00:10Z", at("2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z")),
        Arguments.of("0 0 12 ? * MON#2", q, "UTC", "2026-01-01T00:00:00Z", at("2026-01-12T12:00:00Z", "2026-02-09T12:00:00Z")),
        Arguments.of("30 15 10 1 1 ? 2027", q, "UTC", "2026-06-01T00:00:00Z", at("2027-01-01T10:15:30Z")),
        // a zone without DST: Asia/Kolkata is UTC+05:30
        Arguments.of("0 9 * * *", u, "Asia/Kolkata", "2026-01-01T00:00:00Z", at("2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z")),

        // Europe/Berlin 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00Z; 02:00-02:59 local do not exist
        // 02:30 fires once at the first instant after the gap (03:00 CEST = 01:00Z), then 02:30 CEST the next day
        Arguments.of("30 2 * * *", u, "Europe/Berlin", "2026-03-28T12:00:00Z", at("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z")),
        // every 15 minutes: 01:45 CET, then 02:00..02:45 and 03:00 all fall on 01:00Z and fire once, then 03:15 CEST
        Arguments.of("*/15 * * * *", u, "Europe/Berlin", "2026-03-29T00:40:00Z", at("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z")),
        // 03:00 itself is unaffected
        Arguments.of("0 3 * * *", u, "Europe/Berlin", "2026-03-28T12:00:00Z", at("2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z")),
        Arguments.of("0 30 2 * * ?", q, "Europe/Berlin", "2026-03-28T12:00:00Z", at("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z")),
        // Europe/Berlin 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00Z; 02:00-02:59 local happen twice
        // 02:30 fires once, in the first pass (02:30 CEST = 00:30Z); the next day at 02:30 CET = 01:30Z
        Arguments.of("30 2 * * *", u, "Europe/Berlin", "2026-10-24T12:00:00Z", at("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")),
        // every 30 minutes: 02:00 and 02:30 CEST fire, the second pass (01:00Z, 01:30Z) does not, then 03:00 CET
        Arguments.of("*/30 * * * *", u, "Europe/Berlin", "2026-10-24T23:40:00Z", at("2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z")),
        // asked from inside the second pass (02:10 CET), the next fire is 03:00 CET
        Arguments.of("*/30 * * * *", u, "Europe/Berlin", "2026-10-25T01:10:00Z", at("2026-10-25T02:00:00Z")),
        Arguments.of("0 */30 * * * ?", q, "Europe/Berlin", "2026-10-25T00:59:59Z", at("2026-10-25T02:00:00Z")),

        // America/New_York 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z; 02:30 fires at 03:00 EDT
        Arguments.of("30 2 * * *", u, "America/New_York", "2026-03-07T12:00:00Z", at("2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z")),
        // America/New_York 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:30 fires once, as EDT (05:30Z)
        Arguments.of("30 1 * * *", u, "America/New_York", "2026-10-31T12:00:00Z", at("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z")),

        // Australia/Lord_Howe 2026-04-05: 02:00 (+11) becomes 01:30 (+10:30) at 15:00Z the day before;
        // 01:45 happens twice and fires once, as +11 (14:45Z); the next day as +10:30 (15:15Z)
        Arguments.of("45 1 * * *", u, "Australia/Lord_Howe", "2026-04-04T00:00:00Z", at("2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z")),
        // Australia/Lord_Howe 2026-10-04: 02:00 (+10:30) becomes 02:30 (+11) at 15:30Z the day before;
        // 02:15 does not exist and fires at 02:30 (+11) = 15:30Z; the next day 02:15 (+11) = 15:15Z
        Arguments.of("15 2 * * *", u, "Australia/Lord_Howe", "2026-10-03T00:00:00Z", at("2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z")));
  }

  @ParameterizedTest(name = "{0} ({1}) in {2} after {3}")
  @MethodSource("table")
  void nextFires(String cron, CronSyntax syntax, String zone, String after, List<Instant> expected) {
    assertEquals(expected, fires(cron, syntax, zone, after, expected.size()));
  }

  @Test
  void aDayRuleThatCronUtilsCannotComputeInShortMonthsSkipsThoseMonths() {
    // cron-utils throws "Invalid date 'FEBRUARY 31'" for 31W; CronTimes goes on in March (31W: nearest weekday)
    assertEquals(at("2026-01-30T00:00:00Z", "2026-03-31T00:00:00Z"), fires("0 0 0 31W * ?", CronSyntax.QUARTZ, "UTC", "2026-01-01T00:00:00Z", 2));
    assertEquals(Optional.empty(), CronTimes.of("0 0 0 31W 2 ?", CronSyntax.QUARTZ, ZoneId.of("UTC")).nextAfter(Instant.EPOCH));
  }

  @Test
  void rememberedAnswersDoNotDependOnTheOrderOfQuestions() {
    CronTimes times = CronTimes.of("*/7 * * * *", CronSyntax.UNIX, ZoneId.of("Europe/Berlin"));
    List<Instant> questions = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      questions.add(Instant.parse("2026-10-24T23:00:00Z").plusSeconds(137L * i));
    }
    List<Optional<Instant>> forward = questions.stream().map(times::nextAfter).toList();
    List<Optional<Instant>> again = new ArrayList<>();
    for (int i = questions.size() - 1; i >= 0; i--) {
      times.nextAfter(questions.get((i * 7) % questions.size()));
      again.add(0, times.nextAfter(questions.get(i)));
    }
    assertEquals(forward, again);
    assertEquals(Optional.of(Instant.parse("2026-10-24T23:07:00Z")), forward.get(0));
  }

  @Test
  void aCronWhoseYearsArePastHasNoNextFire() {
    CronTimes times = CronTimes.of("0 0 0 1 1 ? 2026", CronSyntax.QUARTZ, ZoneId.of("UTC"));
    assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:00Z")), times.nextAfter(Instant.parse("2025-12-31T00:00:00Z")));
    assertEquals(Optional.empty(), times.nextAfter(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void everyMinuteAcrossBothBerlinTransitionsFiresEachInstantOnceAndInOrder() {
    // spring: 23 local hours -> 60*23 + the gap's single instant is already 03:00; fall: 25 hours, one not fired
    List<Instant> spring = fires("* * * * *", CronSyntax.UNIX, "Europe/Berlin", "2026-03-28T23:00:00Z", 24 * 60);
    List<Instant> fall = fires("* * * * *", CronSyntax.UNIX, "Europe/Berlin", "2026-10-24T22:00:00Z", 24 * 60);
    for (List<Instant> seq : List.of(spring, fall)) {
      for (int i = 1; i < seq.size(); i++) {
        assertTrue(seq.get(i).isAfter(seq.get(i - 1)), "not increasing at " + seq.get(i));
      }
    }
    // spring: every minute of the day in UTC fires, nothing is skipped on the time line
    assertEquals(Instant.parse("2026-03-29T23:00:00Z"), spring.get(spring.size() - 1));
    // fall: 00:00Z..00:59Z fire (first pass), 01:00Z..01:59Z do not (second pass), 02:00Z.. fire
    assertTrue(fall.contains(Instant.parse("2026-10-25T00:59:00Z")));
    assertTrue(fall.stream().noneMatch(i -> !i.isBefore(Instant.parse("2026-10-25T01:00:00Z"))
        && i.isBefore(Instant.parse("2026-10-25T02:00:00Z"))));
    assertTrue(fall.contains(Instant.parse("2026-10-25T02:00:00Z")));
  }

  static Stream<Arguments> problems() {
    return Stream.of(
        Arguments.of("", CronSyntax.UNIX, "must not be empty"),
        Arguments.of("   ", CronSyntax.QUARTZ, "must not be empty"),
        Arguments.of("* * *", CronSyntax.UNIX, "has 3 fields; a Unix cron has 5: minute hour day-of-month month day-of-week"),
        Arguments.of("0 0 * * * *", CronSyntax.UNIX, "has 6 fields; a Unix cron has 5: minute hour day-of-month month"
            + " day-of-week (for one with seconds, set \"syntax\": \"quartz\")"),
        Arguments.of("* * * * *", CronSyntax.QUARTZ, "has 5 fields; a Quartz cron has 6 or 7: second minute hour"
            + " day-of-month month day-of-week [year]"),
        Arguments.of("61 * * * *", CronSyntax.UNIX, "'61 * * * *' is not a valid unix cron: value 61 not in range [0, 59]"),
        Arguments.of("5-1 * * * *", CronSyntax.UNIX, "'5-1 * * * *' is not a valid unix cron: invalid range [5,1]"),
        Arguments.of("*/0 * * * *", CronSyntax.UNIX, "'*/0 * * * *' is not a valid unix cron: period 0 not in range [0, 59]"),
        Arguments.of("0 0 0 * * *", CronSyntax.QUARTZ,
            "a Quartz cron needs '?' in day-of-month or day-of-week (e.g. '0 0 12 * * ?' or '0 0 12 ? * MON')"),
        Arguments.of("0 0 0 ? * * 2101", CronSyntax.QUARTZ,
            "'0 0 0 ? * * 2101' is not a valid quartz cron: value 2101 not in range [1970, 2099]"),
        Arguments.of("x".repeat(201), CronSyntax.UNIX, "must be at most 200 characters, not 201"));
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("problems")
  void invalidCronsAreExplained(String cron, CronSyntax syntax, String message) {
    assertEquals(Optional.of(message), CronTimes.problem(cron, syntax));
  }

  @Test
  void invalidCharactersNameTheField() {
    String m = CronTimes.problem("a b c d e", CronSyntax.UNIX).orElseThrow();
    assertTrue(m.startsWith("'a b c d e' is not a valid unix cron: invalid characters"), m);
  }

  @Test
  void validCronsHaveNoProblem() {
    assertEquals(Optional.empty(), CronTimes.problem("*/5 * * * *", CronSyntax.UNIX));
    assertEquals(Optional.empty(), CronTimes.problem("*/5 * * * * ?", CronSyntax.QUARTZ));
    assertEquals(Optional.empty(), CronTimes.problem("0 0 12 ? * MON-FRI 2030", CronSyntax.QUARTZ));
  }
}
