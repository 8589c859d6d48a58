package io.baton.scheduler.model;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.wire.AttemptReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds jobs from a compact DAG text for tests: {@code "a; b<-a; c<-a,b; d:2"} (":n" = retries). */
final class Jobs {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private Jobs() {}

  static JobRecord job(String dag) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (String part : dag.split(";")) {
      String p = part.trim();
      List<String> deps = List.of();
      if (p.contains("<-")) {
        deps = Arrays.stream(p.substring(p.indexOf("<-") + 2).split(",")).map(String::trim).toList();
        p = p.substring(0, p.indexOf("<-")).trim();
      }
      int retries = 0;
      if (p.contains(":")) {
        retries = Integer.parseInt(p.substring(p.indexOf(':') + 1));
        p = p.substring(0, p.indexOf(':'));
      }
      tasks.add(TaskSpec.handler(p, "noop", null, deps).withRetries(retries));
    }
    return JobLogic.start(JobRecord.submitted("j1", new JobSpec("test", null, tasks), null, T0), T0);
  }

  static AttemptKey key(String task, int attempt) {
    return new AttemptKey("j1", task, attempt);
  }

  static AttemptReport report(String task, int attempt, AttemptState state, Integer exit) {
    return new AttemptReport(key(task, attempt), state, exit, T0, state.isTerminal() ? T0 : null, null);
  }
}
