package io.baton.protocol.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated job spec: a name, labels, a DAG of tasks and the webhooks to alert (see SPEC.md, "Job model"; README,
 * "Alerts").
 */
public record JobSpec(String name, Map<String, String> labels, List<TaskSpec> tasks, List<Webhook> webhooks) {
  public JobSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    tasks = List.copyOf(tasks);
    webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
  }

  /** A spec that alerts nobody. */
  public JobSpec(String name, Map<String, String> labels, List<TaskSpec> tasks) {
    this(name, labels, tasks, List.of());
  }

  public Optional<TaskSpec> task(String taskId) {
    return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
  }
}
