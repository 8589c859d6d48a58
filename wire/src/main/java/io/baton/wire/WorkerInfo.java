package io.baton.wire;

import java.util.Map;

/** What a worker tells the leader about itself when it registers. */
public record WorkerInfo(String workerId, String host, double cpus, long memoryMb, Map<String, String> labels) {
  public WorkerInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public long milliCpus() {
    return Math.round(cpus * 1000);
  }
}
