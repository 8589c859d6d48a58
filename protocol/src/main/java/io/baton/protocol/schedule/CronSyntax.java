package io.baton.protocol.schedule;

import java.util.Arrays;
import java.util.Optional;

/**
 * The cron dialect of a schedule's {@code cron}, JSON {@code "syntax"}. {@link #UNIX} (5 fields: minute hour
 * day-of-month month day-of-week) is the default; {@link #QUARTZ} (6 or 7 fields: seconds first, an optional year
 * last, {@code ?} in day-of-month or day-of-week) must be asked for with {@code "syntax": "quartz"}.
 */
public enum CronSyntax {
  UNIX("unix"),
  QUARTZ("quartz");

  private final String jsonName;

  CronSyntax(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  public static Optional<CronSyntax> fromJson(String name) {
    return Arrays.stream(values()).filter(v -> v.jsonName.equals(name)).findFirst();
  }
}
