package io.baton.worker.execution;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends to a file that is created (with its parent directories) only on the first write, so attempts that
 * write nothing leave no file. Not thread-safe: one writer thread (the handler's), closed once.
 */
final class LazyFileOutputStream extends OutputStream {
  private final Path file;
  private OutputStream out;
  private boolean closed;

  LazyFileOutputStream(Path file) {
    this.file = file;
  }

  private OutputStream out() throws IOException {
    if (closed) {
      throw new IOException("log closed: " + file);
    }
    if (out == null) {
      Files.createDirectories(file.getParent());
      out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return out;
  }

  @Override
  public void write(int b) throws IOException {
    out().write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (len > 0) {
      out().write(b, off, len);
    }
  }

  @Override
  public void flush() throws IOException {
    if (out != null) {
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (out != null) {
      out.close();
    }
  }
}
