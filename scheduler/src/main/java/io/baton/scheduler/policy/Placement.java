package io.baton.scheduler.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places resource requests on workers. Pure: takes the workers' free capacity and a request shape, returns
 * where each placed request goes. A request fits a worker when the worker is alive, has the free milli-cpus and
 * memory, and every constraint equals the worker's label of that name. Among the fitting workers it picks the
 * one with the most free cpu, then most free memory, then the smallest id (spreading load).
 */
public final class Placement {
  private Placement() {}

  public record Worker(String id, boolean alive, long freeMilliCpus, long freeMemoryMb, Map<String, String> labels) {}

  /** What a request asks for; requests of one shape are interchangeable for placement. */
  public record Shape(long milliCpus, long memoryMb, Map<String, String> constraints) {}

  public static boolean matches(Map<String, String> constraints, Map<String, String> labels) {
    for (Map.Entry<String, String> c : constraints.entrySet()) {
      if (!c.getValue().equals(labels.get(c.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Places up to {@code count} requests of one shape; returns the worker of each placed one, in order. Stops at
   * the first that fits nowhere (every later one is the same), so the cost is bounded by what is placed.
   */
  public static List<String> placeUniform(List<Worker> workers, Shape shape, int count) {
    Map<String, long[]> free = freeOf(workers);
    List<String> out = new ArrayList<>();
    while (out.size() < count) {
      String target = pick(workers, free, shape);
      if (target == null) {
        break;
      }
      out.add(target);
    }
    return out;
  }

  private static Map<String, long[]> freeOf(List<Worker> workers) {
    Map<String, long[]> free = new HashMap<>();
    for (Worker w : workers) {
      if (w.alive() && w.freeMilliCpus() > 0 && w.freeMemoryMb() > 0) {
        free.put(w.id(), new long[] {w.freeMilliCpus(), w.freeMemoryMb()});
      }
    }
    return free;
  }

  /** The best fitting worker for one request, with its capacity taken from {@code free}; null if none fits. */
  private static String pick(List<Worker> workers, Map<String, long[]> free, Shape shape) {
    Worker best = null;
    long[] bestFree = null;
    for (Worker w : workers) {
      long[] f = free.get(w.id());
      if (f == null || f[0] < shape.milliCpus() || f[1] < shape.memoryMb() || !matches(shape.constraints(), w.labels())) {
        continue;
      }
      if (best == null || better(w, f, best, bestFree)) {
        best = w;
        bestFree = f;
      }
    }
    if (best == null) {
      return null;
    }
    bestFree[0] -= shape.milliCpus();
    bestFree[1] -= shape.memoryMb();
    if (bestFree[0] <= 0 || bestFree[1] <= 0) {
      free.remove(best.id());
    }
    return best.id();
  }

  private static boolean better(Worker w, long[] f, Worker best, long[] bestFree) {
    if (f[0] != bestFree[0]) {
      return f[0] > bestFree[0];
    }
    if (f[1] != bestFree[1]) {
      return f[1] > bestFree[1];
    }
    return w.id().compareTo(best.id()) < 0;
  }
}
