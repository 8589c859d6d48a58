package io.baton.scheduler;

import io.baton.testkit.TestTiers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The *Test tier of this module does not sleep (see STYLE.md, "Tests, in tiers"). */
class TestTiersGuardTest {
  @Test
  void unitTestsDoNotSleep() {
    TestTiers.assertNoSleepsInUnitTests(Path.of(""));
  }
}
