package io.baton.testkit;

import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Job records for tests. */
public final class TestingJobs {
  private TestingJobs() {}

  public static JobRecord job(String id, String name) {
    TaskSpec task = new TaskSpec("t1", List.of("/bin/echo", name), null, null, Map.of("K", "V"), 1, 128, 0, 0,
        Map.of(), List.of());
    JobSpec spec = new JobSpec(name, Map.of("team", "data"), List.of(task));
    return JobRecord.submitted(id, spec, null, Instant.parse("2026-01-01T00:00:00Z"));
  }

  public static JobRecord running(String id, String name) {
    return job(id, name).withState(JobState.RUNNING, Instant.parse("2026-01-01T00:00:01Z"));
  }
}
