package io.baton.worker;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for conditions in worker tests: polls with a deadline, never a bare sleep. */
public final class Waits {
  public static final Duration WAIT = Duration.ofSeconds(10);

  private Waits() {}

  public static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  /** The pid a task wrote (a line ending in a newline) to {@code file}. */
  public static long readPid(Path file) throws Exception {
    eventually("pid file " + file, () -> {
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
