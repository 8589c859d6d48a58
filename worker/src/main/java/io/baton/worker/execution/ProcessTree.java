package io.baton.worker.execution;

import java.util.List;

/** Kills a process with everything it spawned. Stateless; callable from any thread; does not wait. */
public final class ProcessTree {
  private ProcessTree() {}

  /** Destroys (forcibly) every live descendant of {@code root}, then {@code root} itself. */
  public static void kill(ProcessHandle root) {
    List<ProcessHandle> descendants = root.descendants().toList();
    for (ProcessHandle p : descendants) {
      p.destroyForcibly();
    }
    root.destroyForcibly();
    // anything forked between the snapshot and the root's death
    root.descendants().forEach(ProcessHandle::destroyForcibly);
  }
}
