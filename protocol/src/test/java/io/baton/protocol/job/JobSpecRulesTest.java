package io.baton.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecRulesTest {
  private static final TaskSpec A = TaskSpec.command("a", List.of("/bin/true"), List.of());
  private static final TaskSpec B = TaskSpec.handler("b", "noop", null, List.of("a"));

  private static JobSpec job(TaskSpec... tasks) {
    return new JobSpec("n", Map.of(), List.of(tasks));
  }

  private static JobSpec first(UnaryOperator<TaskSpec> change) {
    return job(change.apply(A), B);
  }

  static Stream<Arguments> brokenSpecs() {
    TaskSpec c = TaskSpec.command("c", List.of("x"), List.of("b"));
    return Stream.of(
        Arguments.of(new JobSpec(null, Map.of(), List.of(A)), "name", "is required"),
        Arguments.of(new JobSpec(" ", Map.of(), List.of(A)), "name", "must not be empty"),
        Arguments.of(new JobSpec("x".repeat(201), Map.of(), List.of(A)), "name", "must be at most 200 characters, not 201"),
        Arguments.of(new JobSpec("n", Map.of("", "v"), List.of(A)), "labels", "keys must not be empty"),
        Arguments.of(job(), "tasks", "must contain at least one task"),
        Arguments.of(job(TaskSpec.command(null, List.of("x"), List.of())), "tasks[0].id", "is required"),
        Arguments.of(job(TaskSpec.command("a b", List.of("x"), List.of())), "tasks[0].id", "not a valid task id"),
        Arguments.of(job(A, A), "tasks[1].id", "duplicate task id 'a' (also used by tasks[0])"),
        Arguments.of(job(new TaskSpec("a", List.of("x"), "noop", null, null, 1, 128, 0, 0, null, null)),
            "tasks[0]", "has both command and handler"),
        Arguments.of(job(TaskSpec.command("a", List.of(), List.of())), "tasks[0]", "needs either command"),
        Arguments.of(job(TaskSpec.command("a", List.of(" "), List.of())), "tasks[0].command[0]", "the program must not be empty"),
        Arguments.of(job(TaskSpec.command("a", List.of("x", "a\0b"), List.of())), "tasks[0].command[1]", "NUL"),
        Arguments.of(job(new TaskSpec("a", List.of("x"), null, "{\"k\":1}", null, 1, 128, 0, 0, null, null)),
            "tasks[0].args", "only allowed with handler"),
        Arguments.of(job(TaskSpec.handler("a", "", null, List.of())), "tasks[0].handler", "must not be empty"),
        Arguments.of(job(new TaskSpec("a", List.of("x"), null, null, Map.of("A=B", "1"), 1, 128, 0, 0, null, null)),
            "tasks[0].env.A=B", "must not contain '='"),
        Arguments.of(first(t -> t.withResources(0, 128)), "tasks[0].cpus", "must be > 0 and <= 1024, not 0"),
        Arguments.of(first(t -> t.withResources(1024.5, 128)), "tasks[0].cpus", "must be > 0 and <= 1024, not 1024.5"),
        Arguments.of(first(t -> t.withResources(Double.NaN, 128)), "tasks[0].cpus", "must be > 0 and <= 1024"),
        Arguments.of(first(t -> t.withResources(0.0001, 128)), "tasks[0].cpus", "must be at least 0.001"),
        Arguments.of(first(t -> t.withResources(1, 0)), "tasks[0].memoryMb", "must be between 1 and 4194304, not 0"),
        Arguments.of(first(t -> t.withResources(1, 4194305)), "tasks[0].memoryMb", "between 1 and 4194304"),
        Arguments.of(first(t -> t.withRetries(101)), "tasks[0].retries", "must be between 0 and 100, not 101"),
        Arguments.of(first(t -> t.withRetries(-1)), "tasks[0].retries", "between 0 and 100"),
        Arguments.of(first(t -> t.withTimeoutSeconds(2592001)), "tasks[0].timeoutSeconds", "between 0 and 2592000"),
        Arguments.of(first(t -> t.withConstraints(Map.of("", "a"))), "tasks[0].constraints", "keys must not be empty"),
        Arguments.of(job(TaskSpec.command("a", List.of("x"), List.of("a"))), "tasks[0].dependsOn[0]",
            "task 'a' cannot depend on itself"),
        Arguments.of(job(TaskSpec.command("a", List.of("x"), List.of("ghost"))), "tasks[0].dependsOn[0]",
            "unknown task 'ghost'"),
        Arguments.of(job(A, TaskSpec.command("b", List.of("x"), List.of("a", "a"))), "tasks[1].dependsOn[1]",
            "duplicate dependency 'a'"),
        Arguments.of(job(TaskSpec.command("a", List.of("x"), List.of("c")), B, c), "tasks[0].dependsOn",
            "dependency cycle: a -> c -> b -> a"),
        Arguments.of(first(t -> t.withShards(-1)), "tasks[0].shards", "must be between 1 and 10000, not -1"),
        Arguments.of(first(t -> t.withShards(10_001)), "tasks[0].shards", "must be between 1 and 10000, not 10001"),
        Arguments.of(first(t -> t.withShards(4).withBroadcast(true)), "tasks[0].shards", "cannot be combined with broadcast"),
        Arguments.of(first(t -> t.withBroadcast(true)), "tasks[0].broadcast", "not supported by this build yet"),
        Arguments.of(job(A, TaskSpec.command("b", List.of("x"), List.of()).withFanOutFrom("a")), "tasks[1].fanOut.from",
            "'a' is not a dependency of this task"),
        Arguments.of(job(A, TaskSpec.command("b", List.of("x"), List.of("a")).withFanOutFrom("a").withShards(2)),
            "tasks[1].fanOut", "cannot be combined with shards or broadcast"),
        Arguments.of(job(A.withShards(10_000), B.withShards(10_000), TaskSpec.command("z", List.of("x"), List.of())), "tasks",
            "must hold at most 20000 units (tasks run once plus shards), not 20001"));
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("brokenSpecs")
  void namesTheFieldAndWhatIsWrong(JobSpec spec, String path, String message) {
    List<JobSpecViolation> violations = JobSpecRules.check(spec);
    assertTrue(violations.stream().anyMatch(v -> v.path().equals(path) && v.message().contains(message)),
        () -> "expected " + path + ": " + message + " in " + violations);
  }

  @Test
  void aValidSpecHasNoViolations() {
    assertEquals(List.of(), JobSpecRules.check(job(A, B)));
    TaskSpec edge = new TaskSpec("e", List.of("x"), null, null, Map.of("K", "v"), 0.001, 4194304, 100, 2592000,
        Map.of("zone", "a"), List.of("a", "b"));
    assertEquals(List.of(), JobSpecRules.check(job(A, B, edge)));
  }

  @Test
  void shardsInRangeAreValid() {
    assertEquals(List.of(), JobSpecRules.check(job(A.withShards(1), B.withShards(10_000))));
  }

  @Test
  void everyParallelismProblemAtOnce() {
    TaskSpec bad = TaskSpec.command("b", List.of("x"), List.of()).withFanOutFrom("ghost").withShards(10_001);
    List<String> paths = JobSpecRules.check(job(A, bad)).stream().map(JobSpecViolation::path).toList();
    assertEquals(List.of("tasks[1].shards", "tasks[1].fanOut", "tasks[1].fanOut.from", "tasks[1].fanOut"), paths);
  }

  @Test
  void everyViolationAtOnceInDocumentOrder() {
    List<JobSpecViolation> v = JobSpecRules.check(new JobSpec("", Map.of(), List.of(
        TaskSpec.command("a", List.of(), List.of()).withResources(0, 128),
        TaskSpec.handler("a", "noop", null, List.of("zzz")))));
    assertEquals(List.of("name", "tasks[1].id", "tasks[0]", "tasks[0].cpus", "tasks[1].dependsOn[0]"),
        v.stream().map(JobSpecViolation::path).collect(Collectors.toList()), v::toString);
  }

  @Test
  void tooManyTasksStopsThere() {
    List<TaskSpec> tasks = new ArrayList<>();
    IntStream.rangeClosed(0, JobSpecRules.MAX_TASKS).forEach(i -> tasks.add(TaskSpec.handler("t" + i, "noop", null, List.of())));
    assertEquals(List.of(new JobSpecViolation("tasks", "must contain at most 10000 tasks, not 10001")),
        JobSpecRules.check(new JobSpec("n", Map.of(), tasks)));
  }

  @Test
  void aLongCycleIsOneViolationFoundWithoutRecursion() {
    int n = 5000;
    List<TaskSpec> ring = IntStream.range(0, n)
        .mapToObj(i -> TaskSpec.handler("t" + i, "noop", null, List.of("t" + ((i + 1) % n)))).toList();
    List<JobSpecViolation> v = JobSpecRules.check(new JobSpec("ring", Map.of(), ring));
    assertEquals(1, v.size(), v::toString);
    assertTrue(v.get(0).message().startsWith("dependency cycle: t0 -> t1 -> t2"));
    assertTrue(v.get(0).message().endsWith("t4999 -> t0"));
  }
}
