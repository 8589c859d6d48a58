package io.baton.protocol.schedule;

/**
 * One broken schedule rule: where ({@code path}, e.g. {@code cron} or {@code job.tasks[0].id}) and what to fix.
 */
public record ScheduleViolation(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
