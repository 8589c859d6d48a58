package io.baton.ha.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LeaderInfoJsonTest {
  private final LeaderInfo info = new LeaderInfo(new Epoch(7), "0b6f8a3e-1c1d-4f43-9b0e-5a0c1c8f2d11",
      "pekko://baton@10.0.0.5:2552", "http://10.0.0.5:8080");

  @Test
  void writesTheDocumentedJson() {
    assertEquals("{\"epoch\":7,\"sessionId\":\"0b6f8a3e-1c1d-4f43-9b0e-5a0c1c8f2d11\","
            + "\"address\":\"pekko://baton@10.0.0.5:2552\",\"restUrl\":\"http://10.0.0.5:8080\"}",
        new String(LeaderInfoJson.write(info), StandardCharsets.UTF_8));
  }

  @Test
  void roundTrips() {
    assertEquals(info, LeaderInfoJson.read(LeaderInfoJson.write(info)));
  }

  @Test
  void readingIgnoresUnknownFieldsAndOrder() {
    String json = "{ \"restUrl\": \"http://h:1\", \"extra\": {\"x\": [1]}, \"epoch\": 3,"
        + " \"address\": \"pekko://b@h:2\", \"sessionId\": \"s\" }";
    assertEquals(new LeaderInfo(new Epoch(3), "s", "pekko://b@h:2", "http://h:1"),
        LeaderInfoJson.read(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rejectsIncompleteOrMalformedRecords() {
    assertThrows(IllegalArgumentException.class, () -> LeaderInfoJson.read(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> LeaderInfoJson.read("{".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> LeaderInfoJson.read("{\"epoch\":1,\"sessionId\":\"s\",\"address\":\"a\"}".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> LeaderInfoJson.read("{\"epoch\":\"1\",\"sessionId\":\"s\",\"address\":\"a\",\"restUrl\":\"r\"}"
            .getBytes(StandardCharsets.UTF_8)));
  }
}
