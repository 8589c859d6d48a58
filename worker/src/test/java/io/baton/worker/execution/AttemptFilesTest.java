package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttemptFilesTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  @TempDir
  Path dataDir;

  private AttemptPaths paths() {
    return new AttemptPaths(dataDir);
  }

  /** A job's log of {@code bytes} bytes and a work directory with one file, all last changed {@code ago} before NOW. */
  private void job(String jobId, int bytes, Duration ago) throws IOException {
    AttemptKey key = new AttemptKey(jobId, "t", 1);
    FileTime at = FileTime.from(NOW.minus(ago));
    Path log = paths().logFile(key);
    Files.createDirectories(log.getParent());
    Files.write(log, new byte[bytes]);
    Path out = paths().workDir(key).resolve("out.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "x");
    for (Path p : List.of(log, out, out.getParent(), log.getParent(), out.getParent().getParent(),
        log.getParent().getParent(), out.getParent().getParent().getParent())) {
      Files.setLastModifiedTime(p, at);
    }
  }

  private boolean kept(String jobId) {
    return Files.exists(dataDir.resolve("logs").resolve(AttemptPaths.safe(jobId)))
        || Files.exists(dataDir.resolve("work").resolve(AttemptPaths.safe(jobId)));
  }

  @Test
  void forgetDeletesTheLogsAndWorkOfDeletedJobsButNotOfJobsStillKept() throws IOException {
    job("j1", 10, Duration.ZERO);
    job("j2", 10, Duration.ZERO);
    job("j/3", 10, Duration.ZERO);
    Path outside = Files.createDirectories(dataDir.resolve("outside"));
    Files.createSymbolicLink(paths().workDir(new AttemptKey("j1", "t", 1)).resolve("link"), outside);

    int deleted = new AttemptFiles(paths()).forget(List.of("j1", "j/3", "j2", "never-here"), AttemptFiles.onDisk(List.of("j2")));

    assertEquals(2, deleted);
    assertFalse(kept("j1"));
    assertFalse(kept("j/3"), "ids are mapped to their on-disk names");
    assertTrue(kept("j2"), "a job with an attempt still running or unacknowledged keeps its files");
    assertTrue(Files.isDirectory(outside), "a symbolic link is deleted, not what it points to");
  }

  @Test
  void aSweepDeletesWhatIsTooOldThenTheOldestBeyondTheCap() throws IOException {
    job("old", 100, Duration.ofDays(4));
    job("older-kept", 100, Duration.ofDays(10));
    job("a", 1000, Duration.ofHours(3));
    job("b", 1000, Duration.ofHours(2));
    job("c", 1000, Duration.ofHours(1));

    AttemptFiles.Swept swept = new AttemptFiles(paths())
        .sweep(NOW, Duration.ofDays(3), 2200, Set.of("older-kept"));

    assertFalse(kept("old"), "older than the age limit");
    assertTrue(kept("older-kept"), "never a kept job, however old");
    assertFalse(kept("a"), "the oldest beyond the byte cap");
    assertTrue(kept("b"));
    assertTrue(kept("c"));
    assertEquals(2, swept.jobsDeleted());
    assertEquals(101 + 1001, swept.bytesDeleted(), "each job: its log and a 1-byte file");
    assertEquals(101 + 2 * 1001, swept.bytesKept());
  }

  @Test
  void aSweepOfAnEmptyDataDirDoesNothing() {
    assertEquals(new AttemptFiles.Swept(0, 0, 0),
        new AttemptFiles(paths()).sweep(NOW, Duration.ofDays(3), 0, Set.of()));
  }
}
