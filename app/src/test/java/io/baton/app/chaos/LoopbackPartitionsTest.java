package io.baton.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoopbackPartitionsTest {
  private static final String SS = String.join("\n",
      "LISTEN 0      128               0.0.0.0:2024  0.0.0.0:*",
      "LISTEN 0      100    [::ffff:127.0.0.1]:44111       *:* users:((\"java\",pid=15999,fd=27))",
      "LISTEN 0      100    [::ffff:127.0.0.1]:8080       *:* users:((\"java\",pid=23664,fd=32))",
      "LISTEN 0      50     [::ffff:127.0.0.1]:44549       *:* users:((\"java\",pid=23664,fd=24))",
      "LISTEN 0      4096               [::]:2181          [::]:* users:((\"java\",pid=7,fd=60))");

  @Test
  void findsThePortsOfOneProcessInSsOutput() {
    assertEquals(List.of(8080, 44549), LoopbackPartitions.listeningPorts(SS, 23664));
    assertEquals(List.of(44111), LoopbackPartitions.listeningPorts(SS, 15999));
    assertEquals(List.of(2181), LoopbackPartitions.listeningPorts(SS, 7));
    assertEquals(List.of(), LoopbackPartitions.listeningPorts(SS, 1599));
  }
}
