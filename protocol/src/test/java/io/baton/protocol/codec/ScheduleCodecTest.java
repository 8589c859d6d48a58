package io.baton.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleRecord;
import io.baton.protocol.schedule.ScheduleSpec;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleCodecTest {
  /** Format 1, as the build before shards wrote it. */
  static final String GOLDEN_V1 = GoldenBytes.SCHEDULE_RECORD_V1;
  /** Format 2, written once by this build; a change of the bytes is a format change (bump the version). */
  static final String GOLDEN_V2 = GoldenBytes.SCHEDULE_RECORD_V2;

  static ScheduleRecord sample() {
    JobSpec job = new JobSpec("nightly", Map.of("team", "data"),
        List.of(TaskSpec.handler("t", "noop", null, List.of())));
    ScheduleSpec spec = new ScheduleSpec("nightly", "0 2 * * *", CronSyntax.UNIX, "Europe/Berlin",
        Instant.parse("2026-01-01T00:00:00Z"), null, Misfire.FIRE_ALL, Overlap.SKIP, job);
    return new ScheduleRecord(spec, true, Instant.parse("2026-11-28T10:00:00Z"), Instant.parse("2026-11-28T11:00:00Z"));
  }

  @Test
  void roundTrips() {
    assertEquals(sample(), ScheduleCodec.decode(ScheduleCodec.encode(sample())));
    ScheduleRecord bare = new ScheduleRecord(ScheduleSpec.of("s", "*/5 * * * *", sample().spec().job()), false,
        Instant.EPOCH, null);
    assertEquals(bare, ScheduleCodec.decode(ScheduleCodec.encode(bare)));
  }

  @Test
  void writesTheGoldenBytesOfFormat2AndReadsThem() {
    assertArrayEquals(HexFormat.of().parseHex(GOLDEN_V2), ScheduleCodec.encode(sample()),
        "format 2 changed: " + HexFormat.of().formatHex(ScheduleCodec.encode(sample())));
    assertEquals(sample(), ScheduleCodec.decode(HexFormat.of().parseHex(GOLDEN_V2)));
  }

  @Test
  void readsFormat1() {
    assertEquals(sample(), ScheduleCodec.decode(HexFormat.of().parseHex(GOLDEN_V1)));
  }

  @Test
  void refusesWhatItCannotRead() {
    assertThrows(IllegalArgumentException.class, () -> ScheduleCodec.decode(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> ScheduleCodec.decode(new byte[] {9, 1, 2}));
    assertThrows(IllegalArgumentException.class, () -> ScheduleCodec.decode(new byte[] {1, 1, 2}));
    byte[] good = ScheduleCodec.encode(sample());
    assertThrows(IllegalArgumentException.class,
        () -> ScheduleCodec.decode(java.util.Arrays.copyOf(good, good.length / 2)));
  }
}
