package io.baton.worker.execution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kills a process with everything it spawned, and finds processes by their environment. Stateless; callable from
 * any thread; {@link #kill} does not wait, {@link #awaitExit} and {@link #environments} block the caller.
 */
public final class ProcessTree {
  private ProcessTree() {}

  /**
   * Destroys (forcibly) every live descendant of {@code root}, then {@code root} itself. Returns the processes it
   * destroyed, descendants first.
   */
  public static List<ProcessHandle> kill(ProcessHandle root) {
    List<ProcessHandle> killed = new ArrayList<>(root.descendants().toList());
    for (ProcessHandle p : killed) {
      p.destroyForcibly();
    }
    root.destroyForcibly();
    killed.add(root);
    // anything forked between the snapshot and the root's death
    root.descendants().forEach(p -> {
      p.destroyForcibly();
      killed.add(p);
    });
    return killed;
  }

  /** Waits up to {@code max} for every one of {@code processes} to be gone; returns those still alive. */
  public static List<ProcessHandle> awaitExit(List<ProcessHandle> processes, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    List<ProcessHandle> alive = new ArrayList<>(processes);
    while (true) {
      alive.removeIf(p -> !p.isAlive());
      if (alive.isEmpty() || System.nanoTime() - deadline >= 0) {
        return alive;
      }
      Thread.sleep(10);
    }
  }

  /**
   * Every process of this user whose environment sets one or more of {@code names}, with those variables (Linux:
   * {@code /proc/<pid>/environ}; empty elsewhere, and for processes that went away or are not readable). What a
   * process sets in its environment is its own business: this finds what a program did not take care to hide.
   */
  public static Map<ProcessHandle, Map<String, String>> environments(Set<String> names) {
    Map<ProcessHandle, Map<String, String>> found = new HashMap<>();
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return found;
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : pids) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid == self) {
          continue;
        }
        Map<String, String> vars = readEnvironment(dir.resolve("environ"), names);
        if (!vars.isEmpty()) {
          ProcessHandle.of(pid).ifPresent(h -> found.put(h, vars));
        }
      }
    } catch (IOException | RuntimeException e) {
      // /proc not listable here: nothing found
    }
    return found;
  }

  private static Map<String, String> readEnvironment(Path environ, Set<String> names) {
    Map<String, String> vars = new HashMap<>();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(environ);
    } catch (IOException | RuntimeException e) {
      return vars;
    }
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == 0) {
        String entry = new String(bytes, start, i - start, StandardCharsets.UTF_8);
        int eq = entry.indexOf('=');
        if (eq > 0 && names.contains(entry.substring(0, eq))) {
          vars.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        start = i + 1;
      }
    }
    return vars;
  }
}
