package io.baton.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

  @ParameterizedTest(name = "attempt {0}, draw {1} -> {2} ms")
  @CsvSource({
      "1, 0.5, 1000",
      "2, 0.5, 2000",
      "3, 0.5, 4000",
      "5, 0.5, 16000",
      "6, 0.5, 30000",
      "60, 0.5, 30000",
      "1, 0.0, 800",
      "1, 0.999999, 1200",
      "6, 0.999999, 30000",
      "6, 0.0, 24000",
      "0, 0.5, 1000",
  })
  void delayGrowsExponentiallyWithJitterAndCap(int attempt, double draw, long expectedMillis) {
    assertEquals(expectedMillis, backoff.delay(attempt, draw).toMillis());
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.0));
  }
}
