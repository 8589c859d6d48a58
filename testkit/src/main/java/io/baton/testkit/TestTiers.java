package io.baton.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the {@code *Test} tier honest: a module's guard test calls {@link #assertNoSleepsInUnitTests} so that no
 * {@code src/test/java/**}{@code /*Test.java} source sleeps. A test that has to wait for real time belongs in the
 * {@code *IT} or {@code *E2E} tier (and waits with {@link Eventually}); one on actors runs on {@code ManualTime}.
 */
public final class TestTiers {
  private static final Pattern SLEEP = Pattern.compile("Thread\\s*\\.\\s*sleep\\s*\\(");

  private TestTiers() {}

  /**
   * Fails naming every {@code *Test.java} under {@code moduleDir/src/test/java} that contains {@code Thread.sleep(}.
   * Surefire runs tests in the module's directory, so a guard passes {@code Path.of("")}. Fails too when there is
   * no test source at all there (a guard looking in the wrong place cannot fail otherwise).
   */
  public static void assertNoSleepsInUnitTests(Path moduleDir) {
    Path root = moduleDir.resolve("src/test/java");
    if (!Files.isDirectory(root)) {
      throw new AssertionError("no test sources at " + root.toAbsolutePath());
    }
    List<Path> unitTests;
    try (Stream<Path> files = Files.walk(root)) {
      unitTests = files.filter(p -> p.getFileName().toString().endsWith("Test.java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (unitTests.isEmpty()) {
      throw new AssertionError("no *Test.java under " + root.toAbsolutePath());
    }
    List<Path> sleeping = unitTests.stream().filter(TestTiers::sleeps).map(root::relativize).toList();
    if (!sleeping.isEmpty()) {
      throw new AssertionError("*Test sources must not sleep (use ManualTime, or make it an *IT that waits with"
          + " Eventually): " + sleeping);
    }
  }

  static boolean sleeps(Path source) {
    try {
      return SLEEP.matcher(Files.readString(source)).find();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
