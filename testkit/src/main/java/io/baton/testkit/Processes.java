package io.baton.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the {@code *IT} and {@code *E2E} tiers ask about real OS processes. */
public final class Processes {
  private Processes() {}

  /** Waits (see {@link Eventually}) for the pid a process wrote to {@code file}, a line ending in a newline. */
  public static long readPid(Path file) throws IOException {
    Eventually.eventually("pid file " + file, () -> {
      try {
        return Files.exists(file) && Files.readString(file).endsWith("\n");
      } catch (IOException e) {
        return false;
      }
    });
    return Long.parseLong(Files.readString(file).trim());
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
