package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RunRecordTest {
  private static final AttemptKey K = new AttemptKey("job-1", "extract", 2);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant P0 = Instant.parse("2026-01-01T00:00:00.120Z");

  private static final String GOLDEN_RUNNING = "{\"format\":1,\"jobId\":\"job-1\",\"taskId\":\"extract\",\"attempt\":2,"
      + "\"pid\":4242,\"processStart\":\"2026-01-01T00:00:00.120Z\",\"state\":\"RUNNING\",\"exitCode\":null,"
      + "\"startedAt\":\"2026-01-01T00:00:00Z\",\"finishedAt\":null,\"message\":null}";

  @Test
  void goldenFormatOfARunningCommand() throws IOException {
    RunRecord r = new RunRecord(new AttemptReport(K, AttemptState.RUNNING, null, T0, null, null), 4242L, P0);
    assertEquals(GOLDEN_RUNNING, r.encode());
    assertEquals(r, RunRecord.decode(GOLDEN_RUNNING));
    assertTrue(r.isRunning());
  }

  @Test
  void roundTripsHandlersAndEndedAttempts() throws IOException {
    RunRecord handler = RunRecord.running(K, T0, Optional.empty());
    assertNull(handler.pid());
    assertNull(handler.processStart());
    assertEquals(handler, RunRecord.decode(handler.encode()));

    RunRecord ended = RunRecord.ended(new AttemptReport(K, AttemptState.FAILED, 3, T0, T0.plusSeconds(5), "exit \"3\"\n"));
    assertEquals(ended, RunRecord.decode(ended.encode()));
    assertEquals(3, RunRecord.decode(ended.encode()).report().exitCode());
    assertThrows(IllegalArgumentException.class,
        () -> RunRecord.ended(new AttemptReport(K, AttemptState.RUNNING, null, T0, null, null)));
  }

  @Test
  void recordsTheIdentityOfALiveProcess() throws IOException {
    ProcessHandle self = ProcessHandle.current();
    RunRecord r = RunRecord.running(K, T0, Optional.of(self));
    assertEquals(self.pid(), r.pid());
    assertEquals(self.info().startInstant().orElseThrow(), r.processStart());
    assertTrue(RunRecord.decode(r.encode()).isSameProcess(self.info().startInstant()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[]", "42",
      "{\"format\":2,\"jobId\":\"j\",\"taskId\":\"t\",\"attempt\":1,\"state\":\"RUNNING\"}",
      "{\"jobId\":\"j\",\"taskId\":\"t\",\"attempt\":1,\"state\":\"RUNNING\"}",
      "{\"format\":1,\"taskId\":\"t\",\"attempt\":1,\"state\":\"RUNNING\"}",
      "{\"format\":1,\"jobId\":\"j\",\"taskId\":\"t\",\"attempt\":1,\"state\":\"BOGUS\"}",
      "{\"format\":1,\"jobId\":\"j\",\"taskId\":\"t\",\"attempt\":1,\"state\":\"RUNNING\",\"startedAt\":\"yesterday\"}"})
  void rejectsWhatItDidNotWrite(String text) {
    assertThrows(IOException.class, () -> RunRecord.decode(text));
  }

  static Stream<Arguments> sameProcess() {
    Instant other = P0.plusMillis(10);
    return Stream.of(
        // recorded pid, recorded start, live start, same?
        Arguments.of(4242L, P0, Optional.of(P0), true),
        Arguments.of(4242L, P0, Optional.of(other), false),      // pid reused
        Arguments.of(4242L, P0, Optional.empty(), false),        // no such process, or start unknown
        Arguments.of(4242L, null, Optional.of(P0), false),       // start was not known when recorded
        Arguments.of(null, null, Optional.of(P0), false),        // a handler has no process
        Arguments.of(null, P0, Optional.of(P0), false));
  }

  @ParameterizedTest
  @MethodSource("sameProcess")
  void killsOnlyTheRecordedProcess(Long pid, Instant recordedStart, Optional<Instant> liveStart, boolean same) {
    RunRecord r = new RunRecord(new AttemptReport(K, AttemptState.RUNNING, null, T0, null, null), pid, recordedStart);
    assertEquals(same, r.isSameProcess(liveStart));
  }
}
