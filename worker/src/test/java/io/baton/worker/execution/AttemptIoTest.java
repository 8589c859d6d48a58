package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.wire.WireLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttemptIoTest {
  @TempDir Path dir;

  @Test
  void inputsAreOneFilePerDependencyUnitWithAnIndexInTaskAndShardOrder() throws Exception {
    Path inputs = dir.resolve("inputs");
    AttemptIo.writeInputs(inputs, Map.of("sum/10", "10", "sum/2", "2", "split/0", "[1,2]"));
    assertEquals("2", Files.readString(inputs.resolve("sum/2")));
    assertEquals("[1,2]", Files.readString(inputs.resolve("split/0")));
    JsonNode index = new ObjectMapper().readTree(inputs.resolve(AttemptIo.INDEX_FILE).toFile()).path("inputs");
    assertEquals(3, index.size());
    assertEquals("split/0", index.get(0).path("file").asText());
    assertEquals("sum/2", index.get(1).path("file").asText());
    assertEquals(10, index.get(2).path("shard").asInt());
    assertEquals(2, index.get(2).path("bytes").asInt());
  }

  @Test
  void noInputsStillMakeAnEmptyIndex() throws Exception {
    AttemptIo.writeInputs(dir.resolve("none"), Map.of());
    assertEquals("{\"inputs\":[]}", Files.readString(dir.resolve("none").resolve(AttemptIo.INDEX_FILE)));
  }

  @Test
  void aResultIsUtf8TextUpToTheCap() throws Exception {
    Path file = dir.resolve("result");
    assertEquals(new AttemptIo.Result(null, null), AttemptIo.readResult(file), "none left");
    Files.writeString(file, "{\"sum\": 42} é");
    assertEquals(new AttemptIo.Result("{\"sum\": 42} é", null), AttemptIo.readResult(file));
    Files.writeString(file, "x".repeat(WireLimits.MAX_RESULT_BYTES));
    assertEquals(WireLimits.MAX_RESULT_BYTES, AttemptIo.readResult(file).text().length());
  }

  @Test
  void aResultOverTheCapOrNotUtf8FailsWithAClearMessage() throws Exception {
    Path file = dir.resolve("result");
    Files.writeString(file, "x".repeat(WireLimits.MAX_RESULT_BYTES + 1));
    AttemptIo.Result big = AttemptIo.readResult(file);
    assertNull(big.text());
    assertEquals("result of 65537 bytes is over the cap of 65536 bytes ($BATON_RESULT): keep results small, pass "
        + "bulk data by reference", big.error());
    Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
    assertEquals("result ($BATON_RESULT) is not UTF-8 text", AttemptIo.readResult(file).error());
    Files.write(file, "ok".getBytes(StandardCharsets.UTF_8));
    assertNull(AttemptIo.readResult(file).error());
  }
}
