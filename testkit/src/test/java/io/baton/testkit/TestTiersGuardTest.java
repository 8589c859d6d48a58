package io.baton.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The *Test tier of this module does not sleep (see STYLE.md, "Tests, in tiers"). */
class TestTiersGuardTest {
  /** The call the guard looks for, spelled so that this source does not contain it. */
  private static final String SLEEP = "Thread." + "sleep(";

  @Test
  void unitTestsDoNotSleep() {
    TestTiers.assertNoSleepsInUnitTests(Path.of(""));
  }

  @Test
  void theGuardFindsASleepingUnitTestAndLeavesTheOtherTiersAlone(@TempDir Path module) throws Exception {
    Path sources = Files.createDirectories(module.resolve("src/test/java/x"));
    Files.writeString(sources.resolve("QuietTest.java"), "class QuietTest {}");
    Files.writeString(sources.resolve("WaitingIT.java"), "class WaitingIT { void f() { " + SLEEP + "5); } }");
    TestTiers.assertNoSleepsInUnitTests(module);

    Files.writeString(sources.resolve("NappingTest.java"), "class NappingTest { void f() { " + SLEEP.replace(".", " .") + "5); } }");
    AssertionError e = assertThrows(AssertionError.class, () -> TestTiers.assertNoSleepsInUnitTests(module));
    assertTrue(e.getMessage().contains("NappingTest.java"), e.getMessage());
  }

  @Test
  void aGuardLookingInTheWrongPlaceFails(@TempDir Path empty) {
    assertThrows(AssertionError.class, () -> TestTiers.assertNoSleepsInUnitTests(empty));
  }
}
