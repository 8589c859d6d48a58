package io.baton.protocol.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fire times of one cron expression in one time zone, computed by cron-utils on local (wall-clock) date-times
 * and then placed on the time line by Baton's DST rule:
 * <ul>
 *   <li>a local time that does not exist because clocks spring forward (Europe/Berlin 2026-03-29 02:30) fires once,
 *       at the first instant after the gap (the transition itself, 03:00 local): Vixie cron's rule. All local times
 *       of one gap fall on that same instant, and it fires once (together with a match at the gap's end, if any);</li>
 *   <li>a local time that happens twice because clocks fall back (Europe/Berlin 2026-10-25 02:30) fires once, at its
 *       first occurrence (the earlier offset); the second pass through the repeated hour fires nothing, also for
 *       crons that fire every minute or second.</li>
 * </ul>
 * cron-utils alone would skip the nonexistent time altogether (to the next day), so the zone is applied here, not in
 * cron-utils: it only ever sees local times, in UTC, where no day has a gap or an overlap. Fire times are whole
 * seconds. Unix crons follow Vixie's day rule: when both day-of-month and day-of-week are restricted, either matches.
 *
 * <p>Thread-safe, and a pure function of its cron, syntax and zone: {@link #of} memoizes parsed crons (parsing costs
 * 0.2 to 0.5 ms) and {@link #nextAfter} its last two answers (a step costs 15 to 70 us), so callers may ask for a
 * spec's times on every tick.
 */
public final class CronTimes {
  public static final int MAX_CRON_LENGTH = 200;
  private static final int CACHE_LIMIT = 20_000;
  private static final int MAX_DAYS_RETRIED = 400;
  private static final Map<Key, CronTimes> CACHE = new ConcurrentHashMap<>();
  private static final LongAdder PARSED = new LongAdder();
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

  private record Key(String cron, CronSyntax syntax, ZoneId zone) {}

  private final String cron;
  private final CronSyntax syntax;
  private final ZoneId zone;
  private final ExecutionTime execution;
  private volatile Step newest;
  private volatile Step previous;

  private record Step(Instant from, Optional<Instant> next) {}

  private CronTimes(String cron, CronSyntax syntax, ZoneId zone, ExecutionTime execution) {
    this.cron = cron;
    this.syntax = syntax;
    this.zone = zone;
    this.execution = execution;
  }

  /** The times of a valid spec's cron in its zone; throws {@link IllegalArgumentException} for an invalid one. */
  public static CronTimes of(ScheduleSpec spec) {
    return of(spec.cron(), spec.syntax(), ZoneId.of(spec.timezone()));
  }

  /** Throws {@link IllegalArgumentException} with {@link #problem}'s message when {@code cron} does not parse. */
  public static CronTimes of(String cron, CronSyntax syntax, ZoneId zone) {
    Key key = new Key(Objects.requireNonNull(cron), Objects.requireNonNull(syntax), Objects.requireNonNull(zone));
    CronTimes known = CACHE.get(key);
    if (known != null) {
      return known;
    }
    CronTimes parsed = new CronTimes(cron, syntax, zone, parse(cron, syntax));
    PARSED.increment();
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    CACHE.put(key, parsed);
    return parsed;
  }

  /**
   * How many times {@link #of} has parsed a cron in this JVM (asked for one it did not know yet): a leader parses
   * its schedules' crons when it loads them, and tests check that firing parses none.
   */
  public static long parsedCount() {
    return PARSED.sum();
  }

  /** Why {@code cron} is not a valid cron of {@code syntax}, in words for its author; empty when it is valid. */
  public static Optional<String> problem(String cron, CronSyntax syntax) {
    try {
      parse(cron, syntax);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static ExecutionTime parse(String cron, CronSyntax syntax) {
    if (cron.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    if (cron.length() > MAX_CRON_LENGTH) {
      throw new IllegalArgumentException("must be at most " + MAX_CRON_LENGTH + " characters, not " + cron.length());
    }
    String[] fields = cron.trim().split("\\s+");
    if (syntax == CronSyntax.UNIX && fields.length != 5) {
      throw new IllegalArgumentException("has " + fields.length + " fields; a Unix cron has 5: minute hour day-of-month"
          + " month day-of-week" + (fields.length == 6 || fields.length == 7
              ? " (for one with seconds, set \"syntax\": \"quartz\")" : ""));
    }
    if (syntax == CronSyntax.QUARTZ && (fields.length < 6 || fields.length > 7)) {
      throw new IllegalArgumentException("has " + fields.length + " fields; a Quartz cron has 6 or 7: second minute"
          + " hour day-of-month month day-of-week [year]");
    }
    try {
      Cron parsed = (syntax == CronSyntax.UNIX ? UNIX : QUARTZ).parse(cron.trim());
      parsed.validate();
      return ExecutionTime.forCron(parsed);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(readable(cron, syntax, e.getMessage()));
    }
  }

  /** cron-utils' message without its boilerplate, and with the Quartz '?' rule said plainly. */
  private static String readable(String cron, CronSyntax syntax, String message) {
    String m = message == null ? "" : message;
    if (m.contains("Both, a day-of-week AND a day-of-month")) {
      return "a Quartz cron needs '?' in day-of-month or day-of-week (e.g. '0 0 12 * * ?' or '0 0 12 ? * MON')";
    }
    m = m.replace("Failed to parse cron expression.", "").trim();
    if (m.startsWith("Invalid cron expression:")) {
      int dot = m.indexOf(". ");
      m = dot < 0 ? "" : m.substring(dot + 2);
    }
    m = m.replace("Invalid chars in expression! Expression:", "invalid characters in").replace("Invalid chars:", ":")
        .replace("Invalid range!", "invalid range").replace("!", "").trim();
    if (!m.isEmpty()) {
      m = m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }
    String shown = cron.length() <= 80 ? cron : cron.substring(0, 77) + "...";
    return "'" + shown + "' is not a valid " + syntax.jsonName() + " cron" + (m.isEmpty() ? "" : ": " + m);
  }

  public String cron() {
    return cron;
  }

  public CronSyntax syntax() {
    return syntax;
  }

  public ZoneId zone() {
    return zone;
  }

  /**
   * The first fire time strictly after {@code t}; empty when the cron matches no later time (e.g. its year ended).
   * The last two answers are remembered: many schedules share one cron and zone, and ask the same question
   * (the next time after their common last fire) in the same second.
   */
  public Optional<Instant> nextAfter(Instant t) {
    Step a = newest;
    if (a != null && a.from().equals(t)) {
      return a.next();
    }
    Step b = previous;
    if (b != null && b.from().equals(t)) {
      return b.next();
    }
    Optional<Instant> next = computeNextAfter(t);
    // racy on purpose: every Step is a right answer; a lost one only costs a recomputation
    previous = a;
    newest = new Step(t, next);
    return next;
  }

  private Optional<Instant> computeNextAfter(Instant t) {
    LocalDateTime from = LocalDateTime.ofInstant(t, zone).truncatedTo(ChronoUnit.SECONDS);
    ZoneOffsetTransition repeated = zone.getRules().getTransition(from);
    if (repeated != null && repeated.isOverlap() && zone.getRules().getOffset(t).equals(repeated.getOffsetAfter())) {
      // t is in the second pass through a repeated hour: its local times all fired in the first pass
      from = repeated.getDateTimeBefore().minusSeconds(1);
    }
    Optional<LocalDateTime> local = nextLocal(from);
    while (local.isPresent()) {
      Instant at = instant(local.get());
      if (at.isAfter(t)) {
        return Optional.of(at);
      }
      local = nextLocal(local.get());
    }
    return Optional.empty();
  }

  /**
   * The next local date-time strictly after {@code local} that the cron matches, ignoring the zone. cron-utils
   * throws on some day rules in short months (Quartz {@code 31W} in February: "Invalid date 'FEBRUARY 31'"); then
   * the search goes on from the next day, for at most {@value #MAX_DAYS_RETRIED} days, and finds nothing after that.
   */
  public Optional<LocalDateTime> nextLocal(LocalDateTime local) {
    LocalDateTime from = local;
    for (int day = 1; ; day++) {
      try {
        return execution.nextExecution(from.atZone(ZoneOffset.UTC)).map(z -> z.toLocalDateTime());
      } catch (RuntimeException e) {
        if (day > MAX_DAYS_RETRIED) {
          return Optional.empty();
        }
        // the first second of that day is a candidate too: search strictly after the second before it
        from = local.toLocalDate().plusDays(day).atStartOfDay().minusSeconds(1);
      }
    }
  }

  /** Where a matched local time falls on the time line under the DST rule above. */
  public Instant instant(LocalDateTime local) {
    List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
    if (offsets.isEmpty()) {
      return zone.getRules().getTransition(local).getInstant();
    }
    Instant earliest = local.toInstant(offsets.get(0));
    for (ZoneOffset o : offsets) {
      Instant i = local.toInstant(o);
      earliest = i.isBefore(earliest) ? i : earliest;
    }
    return earliest;
  }

  @Override
  public String toString() {
    return "CronTimes[" + syntax.jsonName() + " '" + cron + "' in " + zone + "]";
  }
}
