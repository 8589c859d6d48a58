package io.baton.scheduler.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places resource requests on workers. Pure: takes the workers' free capacity and the requests in
 * arrival order, returns where each placed request goes. A request fits a worker when the worker is alive,
 * has the free milli-cpus and memory, and every constraint equals the worker's label of that name. Among the
 * fitting workers it picks the one with the most free cpu, then most free memory, then the smallest id
 * (spreading load). Requests that fit nowhere stay unplaced and do not block later ones. {@code requests} is
 * read lazily and no further once no worker has capacity left.
 */
public final class Placement {
  private Placement() {}

  public record Worker(String id, boolean alive, long freeMilliCpus, long freeMemoryMb, Map<String, String> labels) {}

  public record Request<K>(K key, long milliCpus, long memoryMb, Map<String, String> constraints) {}

  public record Assignment<K>(K key, String workerId) {}

  public static boolean matches(Map<String, String> constraints, Map<String, String> labels) {
    for (Map.Entry<String, String> c : constraints.entrySet()) {
      if (!c.getValue().equals(labels.get(c.getKey()))) {
        return false;
      }
    }
    return true;
  }

  public static <K> List<Assignment<K>> place(List<Worker> workers, Iterable<Request<K>> requests) {
    Map<String, long[]> free = new HashMap<>();
    for (Worker w : workers) {
      if (w.alive()) {
        free.put(w.id(), new long[] {w.freeMilliCpus(), w.freeMemoryMb()});
      }
    }
    List<Assignment<K>> out = new ArrayList<>();
    for (Request<K> r : requests) {
      if (free.isEmpty()) {
        break;
      }
      Worker best = null;
      long[] bestFree = null;
      for (Worker w : workers) {
        long[] f = free.get(w.id());
        if (f == null || f[0] < r.milliCpus() || f[1] < r.memoryMb() || !matches(r.constraints(), w.labels())) {
          continue;
        }
        if (best == null || better(w, f, best, bestFree)) {
          best = w;
          bestFree = f;
        }
      }
      if (best != null) {
        bestFree[0] -= r.milliCpus();
        bestFree[1] -= r.memoryMb();
        out.add(new Assignment<>(r.key(), best.id()));
        if (bestFree[0] <= 0 || bestFree[1] <= 0) {
          free.remove(best.id());
        }
      }
    }
    return out;
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
