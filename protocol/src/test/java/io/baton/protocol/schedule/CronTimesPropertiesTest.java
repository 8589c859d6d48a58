package io.baton.protocol.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * CronTimes against a brute force that walks the time line minute by minute: an instant fires when its local time
 * matches and this is that local time's first occurrence, or when it ends a spring-forward gap in which some local
 * time matched. Random minute-level Unix crons, zones started near their 2026 transitions, three days each.
 */
class CronTimesPropertiesTest {
  private static final String[] ZONES = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"};
  private static final Instant[] TRANSITIONS = Stream.of(
      "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z",
      "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z").map(Instant::parse).toArray(Instant[]::new);

  @Property(tries = 150)
  void nextAfterIsTheDstRuleAppliedToCronsLocalTimes(@ForAll long seed) {
    Random r = new Random(seed);
    String cron;
    Predicate<LocalDateTime> matches;
    if (r.nextBoolean()) {
      int k = 1 + r.nextInt(30);
      cron = "*/" + k + " * * * *";
      matches = l -> l.getMinute() % k == 0;
    } else {
      int m = new int[] {0, 15, 30, 45, r.nextInt(60)}[r.nextInt(5)];
      int h = r.nextBoolean() ? r.nextInt(4) : r.nextInt(24);
      cron = m + " " + h + " * * *";
      matches = l -> l.getMinute() == m && l.getHour() == h;
    }
    ZoneId zone = ZoneId.of(ZONES[r.nextInt(ZONES.length)]);
    Instant start = TRANSITIONS[r.nextInt(TRANSITIONS.length)].minus(Duration.ofMinutes(r.nextInt(2 * 24 * 60)));
    Instant end = start.plus(Duration.ofDays(3));

    List<Instant> expected = new ArrayList<>();
    ZoneRules rules = zone.getRules();
    for (Instant i = start.plusSeconds(60); !i.isAfter(end); i = i.plusSeconds(60)) {
      LocalDateTime local = LocalDateTime.ofInstant(i, zone);
      Instant earliest = local.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
      boolean fires = matches.test(local) && earliest.equals(i);
      ZoneOffsetTransition t = rules.previousTransition(i.plusNanos(1));
      if (!fires && t != null && t.isGap() && t.getInstant().equals(i)) {
        for (LocalDateTime l = t.getDateTimeBefore(); l.isBefore(t.getDateTimeAfter()); l = l.plusMinutes(1)) {
          fires |= matches.test(l);
        }
      }
      if (fires) {
        expected.add(i);
      }
    }

    CronTimes times = CronTimes.of(cron, CronSyntax.UNIX, zone);
    List<Instant> actual = new ArrayList<>();
    for (Optional<Instant> next = times.nextAfter(start); next.isPresent() && !next.get().isAfter(end);
        next = times.nextAfter(next.get())) {
      actual.add(next.get());
    }
    assertEquals(expected, actual, cron + " in " + zone + " from " + start);
  }
}
