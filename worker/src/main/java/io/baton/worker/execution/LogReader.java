package io.baton.worker.execution;

import io.baton.wire.LogChunk;
import io.baton.wire.ToWorker;
import io.baton.wire.WireLimits;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads a slice of a log file. Stateless; blocking file I/O on the caller's thread (small reads). */
public final class LogReader {
  private LogReader() {}

  /** A slice of a file: the bytes read, the offset after them and whether that is the end of the file. */
  public record Slice(byte[] data, long nextOffset, boolean eof) {}

  /**
   * The answer to {@code f} from {@code file}: at most {@code maxBytes} and the wire limit, whatever the request
   * claims. With no file, found only when the worker {@code knows} the attempt (e.g. a handler that wrote
   * nothing).
   */
  public static LogChunk chunk(Path file, ToWorker.FetchLog f, int maxBytes, boolean knows) throws IOException {
    int max = Math.max(0, Math.min(f.maxBytes(), Math.min(maxBytes, WireLimits.MAX_LOG_CHUNK_BYTES)));
    Optional<Slice> slice = read(file, f.offset(), max);
    return slice.map(s -> new LogChunk(f.key(), true, s.data(), s.nextOffset(), s.eof()))
        .orElseGet(() -> new LogChunk(f.key(), knows, new byte[0], 0, true));
  }

  /** Up to {@code maxBytes} from {@code offset}; empty when the file does not exist. */
  public static Optional<Slice> read(Path file, long offset, int maxBytes) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long size = raf.length();
      long from = Math.max(0, Math.min(offset, size));
      int n = (int) Math.max(0, Math.min((long) Math.max(0, maxBytes), size - from));
      byte[] data = new byte[n];
      raf.seek(from);
      raf.readFully(data);
      long next = from + n;
      return Optional.of(new Slice(data, next, next >= size));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }
}
