package io.baton.worker.execution;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The task handlers a worker knows, by name. Immutable and thread-safe once built. */
public final class TaskHandlers {
  private final Map<String, TaskHandler> byName;

  private TaskHandlers(Map<String, TaskHandler> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** Every handler on the class path of {@code loader} (ServiceLoader); a later duplicate name is ignored. */
  public static TaskHandlers load(ClassLoader loader) {
    Map<String, TaskHandler> found = new LinkedHashMap<>();
    for (TaskHandler h : ServiceLoader.load(TaskHandler.class, loader)) {
      found.putIfAbsent(h.name(), h);
    }
    return new TaskHandlers(found);
  }

  public static TaskHandlers load() {
    return load(TaskHandlers.class.getClassLoader());
  }

  /** Exactly these handlers (for tests and embedding). */
  public static TaskHandlers of(Collection<? extends TaskHandler> handlers) {
    Map<String, TaskHandler> found = new LinkedHashMap<>();
    for (TaskHandler h : handlers) {
      found.putIfAbsent(h.name(), h);
    }
    return new TaskHandlers(found);
  }

  public static TaskHandlers of(TaskHandler... handlers) {
    return of(List.of(handlers));
  }

  public Optional<TaskHandler> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public java.util.Set<String> names() {
    return byName.keySet();
  }
}
