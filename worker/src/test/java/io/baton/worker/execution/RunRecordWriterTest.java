package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordWriterTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dataDir;

  private static RunRecord ended(AttemptKey k, AttemptState state) {
    return RunRecord.ended(new AttemptReport(k, state, null, T0, T0.plusSeconds(1), null));
  }

  @Test
  void everyAttemptEndsUpInItsLatestStateOnceClosed() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    AttemptKey restored = new AttemptKey("old", "t", 1);
    store.write(ended(restored, AttemptState.LOST));
    RunRecordWriter writer = new RunRecordWriter(store, List.of(restored));

    List<AttemptKey> kept = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      AttemptKey k = new AttemptKey("j", "t" + i, 1);
      writer.put(RunRecord.running(k, T0, Optional.empty()));
      writer.put(ended(k, AttemptState.SUCCEEDED));
      if (i % 3 == 0) {
        writer.delete(k);
      } else {
        kept.add(k);
      }
    }
    AttemptKey process = new AttemptKey("j", "process", 1);
    writer.writeNow(RunRecord.running(process, T0, Optional.of(ProcessHandle.current())));
    // read the one file: RunRecords.load() would also delete the writer thread's temporary files in flight
    assertEquals(RunRecord.running(process, T0, Optional.of(ProcessHandle.current())),
        RunRecord.decode(Files.readString(new AttemptPaths(dataDir).runRecord(process))),
        "on disk when writeNow returns");
    writer.delete(restored);
    writer.close();

    List<RunRecord> onDisk = store.load().records();
    List<AttemptKey> expected = new ArrayList<>(kept);
    expected.add(process);
    assertEquals(expected.stream().sorted(RunRecordWriterTest::byName).toList(),
        onDisk.stream().map(RunRecord::key).sorted(RunRecordWriterTest::byName).toList());
    onDisk.stream().filter(r -> !r.key().equals(process))
        .forEach(r -> assertEquals(AttemptState.SUCCEEDED, r.report().state(), r.key().toString()));
  }

  @Test
  void changesAfterAbandonAreDropped() throws Exception {
    RunRecords store = new RunRecords(new AttemptPaths(dataDir));
    RunRecordWriter writer = new RunRecordWriter(store, List.of());
    writer.abandon();
    writer.put(RunRecord.running(new AttemptKey("j", "t", 1), T0, Optional.empty()));
    assertEquals(List.of(), store.load().records());
  }

  private static int byName(AttemptKey a, AttemptKey b) {
    return a.toString().compareTo(b.toString());
  }
}
