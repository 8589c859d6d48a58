package io.baton.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UnitsTest {
  private static final JobSpec SPEC = new JobSpec("seed", Map.of(), List.of(
      TaskSpec.command("split", List.of("x"), List.of()),
      TaskSpec.command("sum", List.of("x"), List.of("split")).withShards(3),
      TaskSpec.command("reduce", List.of("x"), List.of("sum"))));

  @Test
  void aShardedTaskHasOneUnitPerShardInOrder() {
    assertEquals(List.of("split", "sum#0", "sum#1", "sum#2", "reduce"), Units.of(SPEC));
    assertEquals(5, Units.count(SPEC));
    JobRecord job = JobRecord.submitted("j1", SPEC, null, Instant.EPOCH);
    assertEquals(Units.of(SPEC), job.tasks().stream().map(TaskRecord::taskId).toList());
    assertEquals(List.of("sum#0", "sum#1", "sum#2"), job.unitsOf("sum").stream().map(TaskRecord::taskId).toList());
  }

  @Test
  void namesParseBack() {
    assertEquals("sum", Units.taskOf("sum#12"));
    assertEquals(12, Units.shardOf("sum#12"));
    assertEquals("split", Units.taskOf("split"));
    assertEquals(-1, Units.shardOf("split"));
  }

  @Test
  void recordsThatAreNotTheUnitsAreNamed() {
    JobRecord job = JobRecord.submitted("j1", SPEC, null, Instant.EPOCH);
    assertEquals(Optional.empty(), Units.mismatch(SPEC, job.tasks()));
    assertTrue(Units.mismatch(SPEC, job.tasks().subList(0, 4)).orElseThrow().contains("4 task records for 5 units"));
    List<TaskRecord> swapped = List.of(job.tasks().get(0), job.tasks().get(2), job.tasks().get(1), job.tasks().get(3),
        job.tasks().get(4));
    assertEquals(Optional.of("task record 1 is not unit 'sum#0'"), Units.mismatch(SPEC, swapped));
  }
}
