package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's run records on disk, one file per attempt under {@link AttemptPaths#runRecordsDir()}. A record is
 * written to a temporary file and moved over the old one atomically, so a reader sees the old record or the new
 * one, never a torn one. Files are not fsynced: records survive the worker's death (kill -9), not necessarily a
 * power cut, after which the recorded processes are gone anyway.
 *
 * <p>Not thread-safe; owned by the worker actor (every call is blocking file I/O on the caller's thread).
 */
public final class RunRecords {
  static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".tmp";

  private final AttemptPaths paths;

  public RunRecords(AttemptPaths paths) {
    this.paths = paths;
  }

  /** Writes (or replaces) the record of {@code record.key()}. */
  public void write(RunRecord record) throws IOException {
    Path target = paths.runRecord(record.key());
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    Files.writeString(temp, record.encode(), StandardCharsets.UTF_8);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes the record of {@code key}; nothing happens when there is none. */
  public void delete(AttemptKey key) throws IOException {
    Files.deleteIfExists(paths.runRecord(key));
  }

  /** The records found, and the files that could not be read as records. */
  public record Loaded(List<RunRecord> records, List<Unreadable> unreadable) {}

  public record Unreadable(Path file, String error) {}

  /**
   * Reads every record, in file name order. Temporary files left by a write that died half way are deleted;
   * files that do not decode are returned as unreadable and left in place.
   */
  public Loaded load() throws IOException {
    Path dir = paths.runRecordsDir();
    List<RunRecord> records = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return new Loaded(records, unreadable);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(files::add);
    }
    files.sort(null);
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith(TEMP_SUFFIX)) {
        Files.deleteIfExists(file);
      } else if (name.endsWith(SUFFIX)) {
        try {
          records.add(RunRecord.decode(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
          unreadable.add(new Unreadable(file, e.getMessage()));
        }
      }
    }
    return new Loaded(records, unreadable);
  }
}
