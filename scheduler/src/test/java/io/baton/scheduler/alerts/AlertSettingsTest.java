package io.baton.scheduler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.scheduler.policy.Backoff;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The retry policy of alert deliveries: exponential, capped, and bounded in count. */
class AlertSettingsTest {
  private static final AlertSettings SETTINGS = new AlertSettings(Map.of(),
      new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2), 8, Duration.ofSeconds(10), 4,
      Duration.ofSeconds(1), "");

  @ParameterizedTest(name = "after attempt {0} with random {1}: {2} ms")
  @CsvSource({
      "1, 0.5, 1000",
      "2, 0.5, 2000",
      "3, 0.5, 4000",
      "6, 0.5, 32000",
      "7, 0.5, 60000",
      "1, 0.0, 800",
      "1, 0.999999, 1200",
      "7, 0.999999, 60000",
  })
  void delaysDoubleUpToTheCap(int attempt, double random, long millis) {
    assertEquals(Duration.ofMillis(millis), SETTINGS.retryDelay(attempt, random));
  }

  @ParameterizedTest(name = "attempt {0} is the last")
  @CsvSource({"8", "9", "1000"})
  void anAlertIsGivenUpAfterMaxAttempts(int attempt) {
    assertNull(SETTINGS.retryDelay(attempt, 0.5));
  }

  @ParameterizedTest(name = "refused: attempts {0}, concurrency {1}, timeout {2} ms, poll {3} ms")
  @CsvSource({"0, 4, 1000, 1000", "8, 0, 1000, 1000", "8, 4, 0, 1000", "8, 4, 1000, 0"})
  void refusesSettingsWithoutBounds(int attempts, int concurrency, long timeoutMs, long pollMs) {
    assertThrows(IllegalArgumentException.class, () -> new AlertSettings(Map.of(), Backoff.DEFAULT, attempts,
        Duration.ofMillis(timeoutMs), concurrency, Duration.ofMillis(pollMs), ""));
  }

  @org.junit.jupiter.api.Test
  void theLinkBaseDefaultsToTheLeadersRestUrl() {
    assertEquals("http://m1:8080", SETTINGS.withDefaultLinkBase("http://m1:8080").linkBase());
    AlertSettings set = new AlertSettings(Map.of(), Backoff.DEFAULT, 3, Duration.ofSeconds(1), 1, Duration.ofSeconds(1),
        "https://baton.example");
    assertEquals("https://baton.example", set.withDefaultLinkBase("http://m1:8080").linkBase());
  }
}
