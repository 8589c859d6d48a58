package io.baton.protocol.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job's units of state: one {@link TaskRecord} per task run once, one per shard of a sharded task. A shard's
 * record (and its attempts' {@code AttemptKey.taskId}) is named {@code <taskId>#<index>}; task ids cannot hold
 * {@code #} ({@link JobSpecRules#TASK_ID}), so the name is unambiguous. The records follow the spec's order, a
 * task's shards by index. Each shard being its own record, a paged job ({@code JobPages}) rewrites only the page of
 * the shard that changed. Pure and stateless.
 */
public final class Units {
  public static final char SHARD_SEPARATOR = '#';

  private Units() {}

  /** The record name of shard {@code index} of {@code taskId}. */
  public static String shardId(String taskId, int index) {
    return taskId + SHARD_SEPARATOR + index;
  }

  /** The task a unit belongs to: {@code unitId} without its shard index. */
  public static String taskOf(String unitId) {
    int hash = unitId.indexOf(SHARD_SEPARATOR);
    return hash < 0 ? unitId : unitId.substring(0, hash);
  }

  /** The unit's shard index, or -1 when the unit is a task run once. */
  public static int shardOf(String unitId) {
    int hash = unitId.indexOf(SHARD_SEPARATOR);
    if (hash < 0) {
      return -1;
    }
    try {
      return Integer.parseInt(unitId.substring(hash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The unit names of {@code task}, in order. */
  public static List<String> of(TaskSpec task) {
    if (!task.sharded()) {
      return List.of(task.id());
    }
    List<String> out = new ArrayList<>(task.shards());
    for (int i = 0; i < task.shards(); i++) {
      out.add(shardId(task.id(), i));
    }
    return out;
  }

  /** The unit names of the whole spec, in record order. */
  public static List<String> of(JobSpec spec) {
    List<String> out = new ArrayList<>(spec.tasks().size());
    for (TaskSpec t : spec.tasks()) {
      out.addAll(of(t));
    }
    return out;
  }

  /** How many units the spec has. */
  public static int count(JobSpec spec) {
    int n = 0;
    for (TaskSpec t : spec.tasks()) {
      n += t.sharded() ? t.shards() : 1;
    }
    return n;
  }

  /** Why {@code records} are not the units of {@code spec} in order, or empty when they are. */
  public static Optional<String> mismatch(JobSpec spec, List<TaskRecord> records) {
    List<String> units = of(spec);
    if (units.size() != records.size()) {
      return Optional.of(records.size() + " task records for " + units.size() + " units (tasks and shards)");
    }
    for (int i = 0; i < units.size(); i++) {
      if (records.get(i) == null || !records.get(i).taskId().equals(units.get(i))) {
        return Optional.of("task record " + i + " is not unit '" + units.get(i) + "'");
      }
    }
    return Optional.empty();
  }

  /**
   * A task's state from its units' (see {@link TaskRecord#state()}): RUNNING while any unit runs, else SCHEDULED
   * while any is placed, SUCCEEDED when all succeeded, PENDING while any waits, else the state of the first unit
   * that did not succeed.
   */
  public static io.baton.protocol.AttemptState aggregate(List<TaskRecord> units) {
    io.baton.protocol.AttemptState out = null;
    boolean scheduled = false;
    boolean pending = false;
    boolean allSucceeded = true;
    for (TaskRecord u : units) {
      switch (u.state()) {
        case RUNNING -> {
          return io.baton.protocol.AttemptState.RUNNING;
        }
        case SCHEDULED -> scheduled = true;
        case PENDING -> pending = true;
        default -> {
          if (u.state() != io.baton.protocol.AttemptState.SUCCEEDED && out == null) {
            out = u.state();
          }
        }
      }
      allSucceeded &= u.state() == io.baton.protocol.AttemptState.SUCCEEDED;
    }
    if (scheduled) {
      return io.baton.protocol.AttemptState.SCHEDULED;
    }
    if (allSucceeded) {
      return io.baton.protocol.AttemptState.SUCCEEDED;
    }
    return pending ? io.baton.protocol.AttemptState.PENDING : out;
  }
}
