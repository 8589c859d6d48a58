package io.baton.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** secretEnv values reach the process environment and nothing else that prints a task. */
class TaskSpecSecretsTest {
  private static final TaskSpec TASK = TaskSpec.command("a", List.of("/bin/true"), List.of())
      .withSecretEnv(Map.of("TOKEN", "s3cr3t-value"));

  @Test
  void toStringOfEveryRecordHoldingATaskRedactsSecretValues() {
    JobSpec spec = new JobSpec("n", Map.of(), List.of(TASK));
    JobRecord job = JobRecord.submitted("j1", spec, null, Instant.parse("2026-01-01T00:00:00Z"));
    for (String shown : List.of(TASK.toString(), spec.toString(), job.toString())) {
      assertFalse(shown.contains("s3cr3t-value"), shown);
      assertTrue(shown.contains("secretEnv={TOKEN=***}"), shown);
    }
  }

  @Test
  void fullEnvPutsSecretsOnTopOfEnv() {
    TaskSpec task = new TaskSpec("a", List.of("/bin/true"), null, null, Map.of("A", "1"), 1, 1, 0, 0, null, null,
        Map.of("B", "2"));
    assertEquals(Map.of("A", "1", "B", "2"), task.fullEnv());
    assertEquals(Map.of("B", "***"), task.redactedSecretEnv());
  }

  @Test
  void theRulesRejectANameInBothMapsWithoutQuotingTheValue() {
    TaskSpec both = new TaskSpec("a", List.of("/bin/true"), null, null, Map.of("K", "plain"), 1, 1, 0, 0, null, null,
        Map.of("K", "s3cr3t-value", "X=Y", "s3cr3t-value"));
    List<JobSpecViolation> violations = JobSpecRules.check(new JobSpec("n", Map.of(), List.of(both)));
    assertEquals(2, violations.size(), violations.toString());
    assertTrue(violations.stream().anyMatch(v -> v.path().equals("tasks[0].secretEnv.K")), violations.toString());
    assertFalse(violations.toString().contains("s3cr3t-value"), violations.toString());
  }
}
