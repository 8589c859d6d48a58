package io.baton.app;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of a worker's resources and identity, shared by {@code worker} and {@code standalone}. */
final class WorkerOptions {
  @Option(names = "--cpus", description = "cpus offered (baton.worker.cpus; default: this machine's cores)")
  Double cpus;

  @Option(names = "--memory-mb", description = "memory offered (baton.worker.memory-mb; default: this machine's memory)")
  Long memoryMb;

  @Option(names = "--labels", description = "labels k=v,k=v matched by task constraints (baton.worker.labels)")
  String labels;

  /** The settings these flags set, as HOCON keys. */
  Map<String, Object> settings() {
    Map<String, Object> m = new HashMap<>();
    if (cpus != null) {
      m.put("baton.worker.cpus", cpus);
    }
    if (memoryMb != null) {
      m.put("baton.worker.memory-mb", memoryMb);
    }
    if (labels != null) {
      m.put("baton.worker.labels", labels);
    }
    return m;
  }
}
