package io.baton.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
  private static final long S = 1_000_000_000L;

  @Test
  void logsTheFirstThenOnePerIntervalCountingTheOnesLeftOut() {
    RejectionLog log = new RejectionLog(Duration.ofSeconds(10));
    assertEquals(OptionalLong.of(0), log.admit(5 * S));
    assertEquals(OptionalLong.empty(), log.admit(6 * S));
    assertEquals(OptionalLong.empty(), log.admit(15 * S - 1));
    assertEquals(OptionalLong.of(2), log.admit(15 * S));
    assertEquals(OptionalLong.empty(), log.admit(16 * S));
    assertEquals(OptionalLong.of(1), log.admit(100 * S));
    assertEquals(OptionalLong.of(0), log.admit(200 * S));
  }
}
