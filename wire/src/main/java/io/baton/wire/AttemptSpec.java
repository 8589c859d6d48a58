package io.baton.wire;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.job.TaskSpec;
import java.util.Map;

/**
 * An attempt the leader asks a worker to run. {@code inputs} are the results of the task's dependencies, keyed
 * {@code <taskId>/<shard>} (a task run once is shard 0), at most {@link WireLimits#MAX_INPUT_BYTES} in all (UTF-8).
 */
public record AttemptSpec(AttemptKey key, TaskSpec task, Map<String, String> inputs) {
  public AttemptSpec {
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }

  /** An attempt without inputs. */
  public AttemptSpec(AttemptKey key, TaskSpec task) {
    this(key, task, Map.of());
  }

  /** The UTF-8 size of the inputs' values. */
  public long inputBytes() {
    long n = 0;
    for (String v : inputs.values()) {
      n += WireLimits.utf8Length(v);
    }
    return n;
  }
}
