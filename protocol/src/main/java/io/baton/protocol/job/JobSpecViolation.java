package io.baton.protocol.job;

/** One broken job-spec rule: where ({@code path}, e.g. {@code tasks[1].dependsOn[0]}) and what to fix. */
public record JobSpecViolation(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
