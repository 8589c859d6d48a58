package io.baton.protocol.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One task of a job spec, already validated. Exactly one of {@code command} (non-empty argv) and
 * {@code handler} is set; the other is empty/null. {@code argsJson} is the handler's {@code args} object
 * as compact JSON ({@code "{}"} when absent). {@code timeoutSeconds} 0 means no timeout. {@code secretEnv} is
 * added to the environment like {@code env}, but its values are never shown: {@link #toString()} and every REST
 * rendering print its keys only.
 *
 * <p>{@code shards} N &gt; 0 runs the task as N shards (units of its own state, one attempt each at a time, each
 * with {@code BATON_SHARD_INDEX} and {@code BATON_SHARD_COUNT}); 0 runs it once. {@code broadcast} runs it once
 * on every matching worker; {@code fanOutFrom} names the dependency whose JSON array result decides the number of
 * shards at run time. At most one of the three is set (see {@link JobSpecRules}).
 */
public record TaskSpec(
    String id,
    List<String> command,
    String handler,
    String argsJson,
    Map<String, String> env,
    double cpus,
    long memoryMb,
    int retries,
    int timeoutSeconds,
    Map<String, String> constraints,
    List<String> dependsOn,
    Map<String, String> secretEnv,
    int shards,
    boolean broadcast,
    String fanOutFrom) {

  public static final double DEFAULT_CPUS = 1;
  public static final long DEFAULT_MEMORY_MB = 128;
  /** What {@link #toString()} prints in place of a {@code secretEnv} value. */
  public static final String REDACTED = "***";

  public TaskSpec {
    command = command == null ? List.of() : List.copyOf(command);
    argsJson = argsJson == null ? "{}" : argsJson;
    env = env == null ? Map.of() : Map.copyOf(env);
    constraints = constraints == null ? Map.of() : Map.copyOf(constraints);
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
  }

  /** A task run once (no shards, no broadcast, no fan-out). */
  public TaskSpec(String id, List<String> command, String handler, String argsJson, Map<String, String> env,
      double cpus, long memoryMb, int retries, int timeoutSeconds, Map<String, String> constraints,
      List<String> dependsOn, Map<String, String> secretEnv) {
    this(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn,
        secretEnv, 0, false, null);
  }

  /** A task without {@code secretEnv}. */
  public TaskSpec(String id, List<String> command, String handler, String argsJson, Map<String, String> env,
      double cpus, long memoryMb, int retries, int timeoutSeconds, Map<String, String> constraints,
      List<String> dependsOn) {
    this(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn, null);
  }

  /** {@code env} with {@code secretEnv} on top: what the attempt's process gets. */
  public Map<String, String> fullEnv() {
    if (secretEnv.isEmpty()) {
      return env;
    }
    Map<String, String> all = new HashMap<>(env);
    all.putAll(secretEnv);
    return Map.copyOf(all);
  }

  /** {@code secretEnv} with every value replaced by {@value #REDACTED}, sorted by key. */
  public Map<String, String> redactedSecretEnv() {
    Map<String, String> shown = new TreeMap<>();
    secretEnv.keySet().forEach(k -> shown.put(k, REDACTED));
    return shown;
  }

  /** Like the record's own, but {@code secretEnv} values are redacted: this string may reach a log. */
  @Override
  public String toString() {
    return "TaskSpec[id=" + id + ", command=" + command + ", handler=" + handler + ", argsJson=" + argsJson
        + ", env=" + env + ", cpus=" + cpus + ", memoryMb=" + memoryMb + ", retries=" + retries
        + ", timeoutSeconds=" + timeoutSeconds + ", constraints=" + constraints + ", dependsOn=" + dependsOn
        + ", secretEnv=" + redactedSecretEnv() + ", shards=" + shards + ", broadcast=" + broadcast
        + ", fanOutFrom=" + fanOutFrom + "]";
  }

  public boolean isHandler() {
    return handler != null;
  }

  /** Attempts allowed in all: the first one plus {@code retries}. */
  public int maxAttempts() {
    return retries + 1;
  }

  /** CPU demand in thousandths of a core, the unit placement counts in. */
  public long milliCpus() {
    return Math.round(cpus * 1000);
  }

  /** A task running an OS command, with every other field at its default. */
  public static TaskSpec command(String id, List<String> argv, List<String> dependsOn) {
    return new TaskSpec(id, argv, null, null, null, DEFAULT_CPUS, DEFAULT_MEMORY_MB, 0, 0, null, dependsOn);
  }

  /** A task running a Java handler, with every other field at its default. */
  public static TaskSpec handler(String id, String handler, String argsJson, List<String> dependsOn) {
    return new TaskSpec(id, null, handler, argsJson, null, DEFAULT_CPUS, DEFAULT_MEMORY_MB, 0, 0, null, dependsOn);
  }

  /** This task with {@code extra} added to its env (an extra variable replaces one of the same name). */
  public TaskSpec withEnv(Map<String, String> extra) {
    Map<String, String> merged = new java.util.LinkedHashMap<>(env);
    merged.putAll(extra);
    return new TaskSpec(id, command, handler, argsJson, merged, cpus, memoryMb, retries, timeoutSeconds, constraints,
        dependsOn, secretEnv, shards, broadcast, fanOutFrom);
  }

  public TaskSpec withRetries(int newRetries) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, newRetries, timeoutSeconds, constraints, dependsOn, secretEnv, shards, broadcast, fanOutFrom);
  }

  public TaskSpec withTimeoutSeconds(int seconds) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, seconds, constraints, dependsOn, secretEnv, shards, broadcast, fanOutFrom);
  }

  public TaskSpec withResources(double newCpus, long newMemoryMb) {
    return new TaskSpec(id, command, handler, argsJson, env, newCpus, newMemoryMb, retries, timeoutSeconds, constraints, dependsOn, secretEnv, shards, broadcast, fanOutFrom);
  }

  public TaskSpec withSecretEnv(Map<String, String> newSecretEnv) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn, newSecretEnv, shards, broadcast, fanOutFrom);
  }

  public TaskSpec withConstraints(Map<String, String> newConstraints) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, newConstraints, dependsOn, secretEnv, shards, broadcast, fanOutFrom);
  }

  /** This task as {@code count} shards (0: run once). */
  public TaskSpec withShards(int count) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn, secretEnv, count, broadcast, fanOutFrom);
  }

  public TaskSpec withBroadcast(boolean on) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn, secretEnv, shards, on, fanOutFrom);
  }

  public TaskSpec withFanOutFrom(String from) {
    return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeoutSeconds, constraints, dependsOn, secretEnv, shards, broadcast, from);
  }

  /** Whether the task runs as {@link #shards} units rather than once. */
  public boolean sharded() {
    return shards > 0;
  }
}
