package io.baton.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.scheduler.alerts.AlertSettings;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.policy.Retention;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerSettingsTest {
  private static SchedulerSettings withFireAhead(Duration fireAhead) {
    return new SchedulerSettings(Duration.ofSeconds(1), Duration.ofSeconds(8), new Backoff(Duration.ofSeconds(1),
        Duration.ofSeconds(60), 0), Duration.ofSeconds(10), 1000, Retention.DEFAULT,
        SchedulerSettings.DEFAULT_MISFIRE_THRESHOLD, AlertSettings.DEFAULT, fireAhead);
  }

  @Test
  void fireAheadIsFromZeroToAMinuteAndDefaultsToFiveSeconds() {
    assertEquals(Duration.ZERO, withFireAhead(Duration.ZERO).fireAhead());
    assertEquals(Duration.ofMinutes(1), withFireAhead(Duration.ofMinutes(1)).fireAhead());
    assertEquals(Duration.ofSeconds(5), withFireAhead(null).fireAhead());
    IllegalArgumentException tooFar = assertThrows(IllegalArgumentException.class,
        () -> withFireAhead(Duration.ofMinutes(2)));
    assertEquals("baton.schedules.fire-ahead must be from 0s to 60s, not 120000 ms", tooFar.getMessage());
    assertThrows(IllegalArgumentException.class, () -> withFireAhead(Duration.ofSeconds(-1)));
  }
}
