package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dataDir;

  @Test
  void writesReplacesLoadsAndDeletes() throws Exception {
    AttemptPaths paths = new AttemptPaths(dataDir);
    RunRecords store = new RunRecords(paths);
    assertEquals(List.of(), store.load().records(), "no directory yet");

    AttemptKey a = new AttemptKey("j", "a", 1);
    AttemptKey b = new AttemptKey("j", "b", 1);
    RunRecord running = RunRecord.running(a, T0, Optional.of(ProcessHandle.current()));
    store.write(running);
    store.write(RunRecord.running(b, T0, Optional.empty()));
    assertEquals(List.of(running, RunRecord.running(b, T0, Optional.empty())), store.load().records());

    RunRecord ended = RunRecord.ended(new AttemptReport(a, AttemptState.SUCCEEDED, 0, T0, T0.plusSeconds(1), null));
    store.write(ended);
    assertEquals(ended, store.load().records().get(0));
    try (var files = Files.list(paths.runRecordsDir())) {
      assertEquals(2, files.count(), "replaced in place, no temporary file left");
    }

    store.delete(a);
    store.delete(a);
    assertEquals(List.of(b), store.load().records().stream().map(RunRecord::key).toList());
  }

  @Test
  void halfWrittenFilesAreDroppedAndForeignOnesReportedNotTouched() throws Exception {
    AttemptPaths paths = new AttemptPaths(dataDir);
    RunRecords store = new RunRecords(paths);
    AttemptKey a = new AttemptKey("j", "a", 1);
    store.write(RunRecord.running(a, T0, Optional.empty()));
    Path temp = paths.runRecordsDir().resolve(paths.runRecord(a).getFileName() + ".tmp");
    Files.writeString(temp, "{\"format\":1,\"jobI");
    Path garbage = paths.runRecordsDir().resolve("garbage.json");
    Files.writeString(garbage, "}{");

    RunRecords.Loaded loaded = store.load();
    assertEquals(List.of(a), loaded.records().stream().map(RunRecord::key).toList());
    assertEquals(List.of(garbage), loaded.unreadable().stream().map(RunRecords.Unreadable::file).toList());
    assertFalse(Files.exists(temp));
    assertTrue(Files.exists(garbage));
  }

  @Test
  void keysThatLookAlikeAsFileNamesGetTheirOwnFiles() throws Exception {
    AttemptPaths paths = new AttemptPaths(dataDir);
    AttemptKey slash = new AttemptKey("a/b", "t", 1);
    AttemptKey underscore = new AttemptKey("a_b", "t", 1);
    AttemptKey dotted = new AttemptKey("a", "b.t", 1);
    AttemptKey dotted2 = new AttemptKey("a.b", "t", 1);
    assertNotEquals(paths.runRecord(slash), paths.runRecord(underscore));
    assertNotEquals(paths.runRecord(dotted), paths.runRecord(dotted2));
    AttemptKey evil = new AttemptKey("../..", "x".repeat(400), 7);
    Path file = paths.runRecord(evil);
    assertEquals(paths.runRecordsDir(), file.getParent());
    assertTrue(file.getFileName().toString().length() < 200, file.toString());

    RunRecords store = new RunRecords(paths);
    for (AttemptKey k : List.of(slash, underscore, dotted, dotted2, evil)) {
      store.write(RunRecord.running(k, T0, Optional.empty()));
    }
    assertEquals(5, store.load().records().size());
  }
}
