package io.baton.worker.execution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Kills a process with everything it spawned. Stateless; callable from any thread; {@link #kill} does not wait,
 * {@link #awaitExit} blocks the caller.
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
}
