package io.baton.protocol.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AlertCodecTest {
  /** Format 1 of {@link #sample()}; a change of the bytes is a format change (bump the version, keep a reader). */
  private static final String GOLDEN_V1 = "01000d6a6f62312e4641494c45442e30001268747470733a2f2f682e6578616d706c652f00036f70730000000b7b226576656e74223a317d";

  private static Alert sample() {
    return new Alert("job1.FAILED.0", "https://h.example/", "ops", "{\"event\":1}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writesAndReadsTheGoldenBytes() {
    assertEquals(GOLDEN_V1, HexFormat.of().formatHex(AlertCodec.encode(sample())));
    assertEquals(sample(), AlertCodec.decode(HexFormat.of().parseHex(GOLDEN_V1)));
  }

  @Test
  void refusesWhatItCannotRead() {
    byte[] good = AlertCodec.encode(sample());
    assertThrows(IllegalArgumentException.class, () -> AlertCodec.decode(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> AlertCodec.decode(Arrays.copyOf(good, good.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> AlertCodec.decode(Arrays.copyOf(good, good.length + 1)));
    byte[] other = good.clone();
    other[0] = 2;
    assertThrows(IllegalArgumentException.class, () -> AlertCodec.decode(other));
  }

  @Test
  void boundsItsFields() {
    assertThrows(IllegalArgumentException.class, () -> new Alert("a/b", "https://h/", "ops", new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Alert("..", "https://h/", "ops", new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new Alert("a", "https://h/", "ops", new byte[Alert.MAX_BODY_BYTES + 1]));
  }
}
