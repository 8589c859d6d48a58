package io.baton.web;

/** One problem with a request: where ({@code path}, e.g. {@code tasks[1].dependsOn[0]}) and what is wrong. */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
