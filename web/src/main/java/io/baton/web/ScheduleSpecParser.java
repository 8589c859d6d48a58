package io.baton.web;

import static io.baton.web.JobSpecParser.isAbsent;
import static io.baton.web.JobSpecParser.kind;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.JobSpecRules;
import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleRules;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.protocol.schedule.ScheduleViolation;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns the JSON body of {@code POST /schedules} or {@code PUT /schedules/{name}} into a {@link ScheduleSpec}, or
 * reports every violation at once, in the order of {@link #FIELDS} (unknown fields first). The JSON side (strict
 * syntax, unknown fields, types, policy names, ISO-8601 instants) is checked here, the nested {@code job} by
 * {@link JobSpecParser} (its violations under {@code job.}); the domain rules (name, cron, zone, bounds) are
 * {@link ScheduleRules#validate}. Absent {@code syntax}, {@code timezone}, {@code misfire} and {@code overlap} (or
 * {@code null}) take {@link ScheduleSpec}'s defaults. Pure and stateless; any thread.
 */
public final class ScheduleSpecParser {
  public static final List<String> FIELDS =
      List.of("name", "cron", "syntax", "timezone", "startAt", "endAt", "misfire", "overlap", "job");
  private static final Set<String> ALLOWED = Set.copyOf(FIELDS);

  /** The outcome of {@link #parse}. */
  public sealed interface Result {
    record Valid(ScheduleSpec spec) implements Result {}

    /** The body is not JSON; {@code detail} says where. */
    record Malformed(String detail) implements Result {}

    /** Well-formed JSON that is not a valid schedule; every violation found. */
    record Invalid(List<Violation> violations) implements Result {}
  }

  private ScheduleSpecParser() {}

  /** A schedule that must name itself ({@code POST}, a file for the CLI). */
  public static Result parse(byte[] body) {
    return parse(body, Optional.empty());
  }

  /**
   * A schedule for {@code PUT /schedules/{pathName}}: its {@code name} may be absent (then it is {@code pathName})
   * and must otherwise equal it.
   */
  public static Result parse(byte[] body, Optional<String> pathName) {
    if (body.length == 0) {
      return new Result.Malformed("the request body is empty; expected a JSON schedule");
    }
    JsonNode root;
    try {
      root = JobSpecParser.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return new Result.Malformed(JobSpecParser.describe(e));
    } catch (IOException e) {
      return new Result.Malformed("unreadable JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return new Result.Malformed("the request body is empty; expected a JSON schedule");
    }
    return check(root, pathName);
  }

  private static Result check(JsonNode root, Optional<String> pathName) {
    if (!root.isObject()) {
      return new Result.Invalid(List.of(new Violation("", "a schedule must be a JSON object, not " + kind(root))));
    }
    List<Violation> found = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!ALLOWED.contains(f)) {
        found.add(new Violation(JobSpecRules.abbreviate(f), "unknown field; allowed: " + String.join(", ", FIELDS)));
      }
    }
    String name = text(root, "name", found);
    if (name != null && pathName.isPresent() && !name.equals(pathName.get())) {
      found.add(new Violation("name", "'" + JobSpecRules.abbreviate(name) + "' differs from the name in the path ('"
          + JobSpecRules.abbreviate(pathName.get()) + "'); leave it out or make them equal"));
    }
    if (name == null && pathName.isPresent() && isAbsent(root.get("name"))) {
      name = pathName.get();
    }
    String cron = text(root, "cron", found);
    CronSyntax syntax = policy(root, "syntax", "a cron syntax", CronSyntax::fromJson, CronSyntax.values(), CronSyntax::jsonName, found);
    String timezone = text(root, "timezone", found);
    Instant startAt = instant(root, "startAt", found);
    Instant endAt = instant(root, "endAt", found);
    Misfire misfire = policy(root, "misfire", "a misfire policy", Misfire::fromJson, Misfire.values(), Misfire::jsonName, found);
    Overlap overlap = policy(root, "overlap", "an overlap policy", Overlap::fromJson, Overlap.values(), Overlap::jsonName, found);
    JobSpec job = null;
    JsonNode jobNode = root.get("job");
    if (!isAbsent(jobNode)) {
      JobSpecParser.Result parsed = JobSpecParser.check(jobNode, "job");
      if (parsed instanceof JobSpecParser.Result.Valid valid) {
        job = valid.spec();
      } else if (parsed instanceof JobSpecParser.Result.Invalid invalid) {
        found.addAll(invalid.violations());
      }
    }
    // fields already found broken as JSON are not judged again by the domain rules
    Set<String> broken = found.stream().map(v -> field(v.path())).collect(Collectors.toCollection(HashSet::new));
    if (broken.contains("syntax")) {
      broken.add("cron"); // which syntax the cron was meant in is unknown
    }
    if (broken.contains("startAt")) {
      broken.add("endAt");
    }
    ScheduleSpec spec = new ScheduleSpec(name, cron, syntax, timezone, startAt, endAt, misfire, overlap, job);
    for (ScheduleViolation v : ScheduleRules.validate(spec)) {
      if (!broken.contains(field(v.path()))) {
        found.add(new Violation(v.path(), v.message()));
      }
    }
    if (found.isEmpty()) {
      return new Result.Valid(spec);
    }
    List<Violation> ordered = new ArrayList<>(found);
    ordered.sort(Comparator.comparingInt(v -> FIELDS.indexOf(field(v.path())))); // stable: unknown fields first
    return new Result.Invalid(List.copyOf(ordered));
  }

  /** The top-level field a violation's path is under: {@code job} for {@code job.tasks[0].id}. */
  private static String field(String path) {
    int end = path.length();
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '.' || path.charAt(i) == '[') {
        end = i;
        break;
      }
    }
    return path.substring(0, end);
  }

  private static String text(JsonNode root, String field, List<Violation> found) {
    JsonNode node = root.get(field);
    if (isAbsent(node)) {
      return null;
    }
    if (!node.isTextual()) {
      found.add(new Violation(field, "must be a string, not " + kind(node)));
      return null;
    }
    return node.textValue();
  }

  private static Instant instant(JsonNode root, String field, List<Violation> found) {
    String text = text(root, field, found);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      found.add(new Violation(field, "'" + JobSpecRules.abbreviate(text) + "' is not an ISO-8601 date-time with an "
          + "offset (e.g. 2026-06-01T00:00:00Z or 2026-06-01T02:00:00+02:00)"));
      return null;
    }
  }

  private static <E> E policy(JsonNode root, String field, String what, Function<String, Optional<E>> fromJson,
      E[] values, Function<E, String> jsonName, List<Violation> found) {
    String text = text(root, field, found);
    if (text == null) {
      return null;
    }
    Optional<E> value = fromJson.apply(text);
    if (value.isEmpty()) {
      found.add(new Violation(field, "'" + JobSpecRules.abbreviate(text) + "' is not " + what + "; use one of "
          + Arrays.stream(values).map(jsonName).collect(Collectors.joining(", "))));
    }
    return value.orElse(null);
  }
}
