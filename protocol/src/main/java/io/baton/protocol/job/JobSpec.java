package io.baton.protocol.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A validated job spec: a name, labels and a DAG of tasks (see SPEC.md, "Job model"). */
public record JobSpec(String name, Map<String, String> labels, List<TaskSpec> tasks) {
  public JobSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    tasks = List.copyOf(tasks);
  }

  public Optional<TaskSpec> task(String taskId) {
    return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
  }
}
