package io.baton.protocol.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The domain rules of a job spec (see SPEC.md, "Job model"): sizes, task ids, resource ceilings and the
 * {@code dependsOn} DAG. {@link #check(JobSpec)} returns every violation of a whole spec at once, in document
 * order; the per-field rules are public so that a parser which reads a spec field by field (the REST and CLI one,
 * {@code io.baton.web.JobSpecParser}) reports them in the same words at the same place. Pure and stateless.
 */
public final class JobSpecRules {
  public static final int MAX_TASKS = 10_000;
  public static final int MAX_NAME_LENGTH = 200;
  public static final int MAX_HANDLER_LENGTH = 200;
  public static final double MAX_CPUS = 1024;
  public static final long MAX_MEMORY_MB = 4L * 1024 * 1024;
  public static final int MAX_RETRIES = 100;
  public static final int MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;
  /** Shards of one task, and units (tasks run once plus shards) of one job. */
  public static final int MAX_SHARDS = 10_000;
  public static final int MAX_UNITS = 20_000;
  public static final IntegerRange SHARDS = new IntegerRange(1, MAX_SHARDS);
  public static final String SHARDS_WITH_BROADCAST =
      "cannot be combined with broadcast: a broadcast task runs once per matching worker";
  public static final String FAN_OUT_WITH_SHARDS =
      "cannot be combined with shards or broadcast: fanOut decides the number of shards at run time";
  public static final String NOT_YET = "is not supported by this build yet";
  public static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  public static final int MAX_WEBHOOKS = 8;
  public static final int MAX_URL_LENGTH = 2048;
  /** A {@link Webhook#secret()} names a cluster setting {@code baton.alerts.secrets.<name>}. */
  public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  public static final IntegerRange RUNNING_LONGER_THAN_SECONDS = new IntegerRange(1, MAX_TIMEOUT_SECONDS);

  public static final IntegerRange MEMORY_MB = new IntegerRange(1, MAX_MEMORY_MB);
  public static final IntegerRange RETRIES = new IntegerRange(0, MAX_RETRIES);
  public static final IntegerRange TIMEOUT_SECONDS = new IntegerRange(0, MAX_TIMEOUT_SECONDS);

  public static final String REQUIRED = "is required";
  public static final String BOTH_COMMAND_AND_HANDLER = "has both command and handler; give exactly one";
  public static final String NEITHER_COMMAND_NOR_HANDLER =
      "needs either command (an argv array) or handler (a handler name)";
  public static final String EMPTY_COMMAND = "must not be empty: give the program and its arguments";
  public static final String ARGS_WITHOUT_HANDLER = "is only allowed with handler, not with command";

  /** An inclusive range of a whole-number field. */
  public record IntegerRange(long min, long max) {
    public Optional<String> check(long value) {
      return value < min || value > max ? Optional.of(outOfRange(Long.toString(value))) : Optional.empty();
    }

    /** The complaint about a value, {@code shown} as written, that is outside the range (or too big to read). */
    public String outOfRange(String shown) {
      return "must be between " + min + " and " + max + ", not " + abbreviate(shown);
    }
  }

  private JobSpecRules() {}

  /** Every violation of {@code spec}, in document order; empty when it is valid. */
  public static List<JobSpecViolation> check(JobSpec spec) {
    List<JobSpecViolation> out = new ArrayList<>();
    if (spec.name() == null) {
      out.add(new JobSpecViolation("name", REQUIRED));
    } else {
      text(spec.name(), MAX_NAME_LENGTH).ifPresent(m -> out.add(new JobSpecViolation("name", m)));
    }
    mapKeys(out, "labels", spec.labels());
    List<TaskSpec> tasks = spec.tasks();
    Optional<String> count = taskCount(tasks.size());
    if (count.isPresent()) {
      out.add(new JobSpecViolation("tasks", count.get()));
      return out;
    }
    // ids first, so that dependsOn is checked against every task regardless of order
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      String id = tasks.get(i).id();
      String path = "tasks[" + i + "].id";
      Optional<String> bad = id == null ? Optional.of(REQUIRED) : taskId(id);
      if (bad.isPresent()) {
        out.add(new JobSpecViolation(path, bad.get()));
        continue;
      }
      Integer first = firstIndex.putIfAbsent(id, i);
      if (first != null) {
        out.add(new JobSpecViolation(path, duplicateId(id, first)));
      }
    }
    Map<String, List<String>> graph = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      task(out, tasks.get(i), i, firstIndex, graph);
    }
    out.addAll(cycles(graph, firstIndex));
    out.addAll(webhooks(spec.webhooks()));
    long units = tasks.stream().mapToLong(t -> t.sharded() ? t.shards() : 1).sum();
    if (units > MAX_UNITS) {
      out.add(new JobSpecViolation("tasks", "must hold at most " + MAX_UNITS
          + " units (tasks run once plus shards), not " + units));
    }
    return out;
  }

  /**
   * A task's {@code shards}, {@code broadcast} and {@code fanOut}: shards in range, at most one of the three, and a
   * fanOut from one of the task's dependencies.
   */
  public static List<JobSpecViolation> parallelism(String path, TaskSpec t) {
    return parallelism(path, t.shards(), t.broadcast(), t.fanOutFrom(), t.dependsOn());
  }

  /** {@link #parallelism(String, TaskSpec)} of the fields as read (shards 0: not given). */
  public static List<JobSpecViolation> parallelism(String path, int shards, boolean broadcast, String fanOutFrom,
      List<String> dependsOn) {
    TaskSpec t = new TaskSpec(null, null, null, null, null, 1, 1, 0, 0, null, dependsOn, null, shards, broadcast,
        fanOutFrom);
    List<JobSpecViolation> out = new ArrayList<>();
    if (t.shards() != 0) {
      SHARDS.check(t.shards()).ifPresent(m -> out.add(new JobSpecViolation(path + ".shards", m)));
      if (t.broadcast()) {
        out.add(new JobSpecViolation(path + ".shards", SHARDS_WITH_BROADCAST));
      }
    }
    if (t.broadcast()) {
      out.add(new JobSpecViolation(path + ".broadcast", NOT_YET));
    }
    if (t.fanOutFrom() != null) {
      if (t.shards() != 0 || t.broadcast()) {
        out.add(new JobSpecViolation(path + ".fanOut", FAN_OUT_WITH_SHARDS));
      }
      if (!t.dependsOn().contains(t.fanOutFrom())) {
        out.add(new JobSpecViolation(path + ".fanOut.from", "'" + abbreviate(t.fanOutFrom())
            + "' is not a dependency of this task: fanOut.from must name one of its dependsOn"));
      }
      out.add(new JobSpecViolation(path + ".fanOut", NOT_YET));
    }
    return out;
  }

  /** Every violation of a job's {@code notify} list, at {@code notify[i].<field>}. */
  public static List<JobSpecViolation> webhooks(List<Webhook> webhooks) {
    List<JobSpecViolation> out = new ArrayList<>();
    if (webhooks.size() > MAX_WEBHOOKS) {
      out.add(new JobSpecViolation("notify", "has " + webhooks.size() + " webhooks; at most " + MAX_WEBHOOKS));
      return out;
    }
    for (int i = 0; i < webhooks.size(); i++) {
      Webhook n = webhooks.get(i);
      String path = "notify[" + i + "]";
      (n.url() == null ? Optional.of(REQUIRED) : webhookUrl(n.url()))
          .ifPresent(m -> out.add(new JobSpecViolation(path + ".url", m)));
      (n.secret() == null ? Optional.of(REQUIRED) : secretName(n.secret()))
          .ifPresent(m -> out.add(new JobSpecViolation(path + ".secret", m)));
      if (n.on().isEmpty()) {
        out.add(new JobSpecViolation(path + ".on", "must name at least one of " + List.of(AlertEvent.values())));
      } else if (Set.copyOf(n.on()).size() != n.on().size()) {
        out.add(new JobSpecViolation(path + ".on", "names an event twice"));
      }
      if (n.wants(AlertEvent.RUNNING_LONG)) {
        RUNNING_LONGER_THAN_SECONDS.check(n.runningLongerThanSeconds())
            .ifPresent(m -> out.add(new JobSpecViolation(path + ".runningLongerThanSeconds", m)));
      } else if (n.runningLongerThanSeconds() != 0) {
        out.add(new JobSpecViolation(path + ".runningLongerThanSeconds", "is only allowed with RUNNING_LONG in on"));
      }
    }
    return out;
  }

  /**
   * What is wrong with a webhook URL: it must be an absolute http or https URL with a host, at most
   * {@value #MAX_URL_LENGTH} characters, without user info (credentials in a URL end up in logs) or a fragment.
   */
  public static Optional<String> webhookUrl(String url) {
    if (url.length() > MAX_URL_LENGTH) {
      return Optional.of("is " + url.length() + " characters long; at most " + MAX_URL_LENGTH);
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      return Optional.of("is not a URL: " + abbreviate(e.getMessage()));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("must be an http or https URL, not '" + abbreviate(url) + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("has no host");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("must not carry credentials (user info); the alert is signed instead");
    }
    if (uri.getRawFragment() != null) {
      return Optional.of("must not have a fragment");
    }
    return Optional.empty();
  }

  public static Optional<String> secretName(String name) {
    return SECRET_NAME.matcher(name).matches() ? Optional.empty()
        : Optional.of("must name a secret: 1 to 64 of A-Z a-z 0-9 _ -, not '" + abbreviate(name) + "'");
  }

  private static void task(List<JobSpecViolation> out, TaskSpec t, int index, Map<String, Integer> ids,
      Map<String, List<String>> graph) {
    String path = "tasks[" + index + "]";
    boolean hasCommand = !t.command().isEmpty();
    if (hasCommand && t.handler() != null) {
      out.add(new JobSpecViolation(path, BOTH_COMMAND_AND_HANDLER));
    } else if (!hasCommand && t.handler() == null) {
      out.add(new JobSpecViolation(path, NEITHER_COMMAND_NOR_HANDLER));
    } else if (hasCommand) {
      for (int i = 0; i < t.command().size(); i++) {
        String p = path + ".command[" + i + "]";
        argument(i, t.command().get(i)).ifPresent(m -> out.add(new JobSpecViolation(p, m)));
      }
      if (!"{}".equals(t.argsJson())) {
        out.add(new JobSpecViolation(path + ".args", ARGS_WITHOUT_HANDLER));
      }
    } else {
      text(t.handler(), MAX_HANDLER_LENGTH).ifPresent(m -> out.add(new JobSpecViolation(path + ".handler", m)));
    }
    mapKeys(out, path + ".env", t.env());
    out.addAll(env(path + ".env", t.env()));
    mapKeys(out, path + ".secretEnv", t.secretEnv());
    out.addAll(secretEnv(path + ".secretEnv", t.secretEnv(), t.env()));
    cpus(t.cpus(), show(t.cpus())).ifPresent(m -> out.add(new JobSpecViolation(path + ".cpus", m)));
    MEMORY_MB.check(t.memoryMb()).ifPresent(m -> out.add(new JobSpecViolation(path + ".memoryMb", m)));
    RETRIES.check(t.retries()).ifPresent(m -> out.add(new JobSpecViolation(path + ".retries", m)));
    TIMEOUT_SECONDS.check(t.timeoutSeconds()).ifPresent(m -> out.add(new JobSpecViolation(path + ".timeoutSeconds", m)));
    mapKeys(out, path + ".constraints", t.constraints());
    out.addAll(parallelism(path, t));
    List<String> deps = new ArrayList<>();
    for (int i = 0; i < t.dependsOn().size(); i++) {
      String dep = t.dependsOn().get(i);
      Optional<String> bad = dep == null ? Optional.of("must be a task id string, not null")
          : dependency(dep, t.id(), ids.keySet(), deps);
      if (bad.isPresent()) {
        out.add(new JobSpecViolation(path + ".dependsOn[" + i + "]", bad.get()));
      } else {
        deps.add(dep);
      }
    }
    if (t.id() != null && Integer.valueOf(index).equals(ids.get(t.id()))) {
      graph.put(t.id(), deps);
    }
  }

  private static void mapKeys(List<JobSpecViolation> out, String path, Map<String, String> map) {
    for (String key : map.keySet()) {
      mapKey(key).ifPresent(m -> out.add(new JobSpecViolation(path, m)));
    }
  }

  /** A required text field (the job's name, a handler's name): not blank, at most {@code maxLength} chars. */
  public static Optional<String> text(String value, int maxLength) {
    if (value.isBlank()) {
      return Optional.of("must not be empty");
    }
    if (value.length() > maxLength) {
      return Optional.of("must be at most " + maxLength + " characters, not " + value.length());
    }
    return Optional.empty();
  }

  /** A key of {@code labels}, {@code env} or {@code constraints}. */
  public static Optional<String> mapKey(String key) {
    return key.isEmpty() ? Optional.of("keys must not be empty") : Optional.empty();
  }

  public static Optional<String> taskCount(int count) {
    if (count == 0) {
      return Optional.of("must contain at least one task");
    }
    if (count > MAX_TASKS) {
      return Optional.of("must contain at most " + MAX_TASKS + " tasks, not " + count);
    }
    return Optional.empty();
  }

  public static Optional<String> taskId(String id) {
    if (id.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (!TASK_ID.matcher(id).matches()) {
      return Optional.of("'" + abbreviate(id) + "' is not a valid task id: use 1 to 64 of A-Z a-z 0-9 _ . -");
    }
    return Optional.empty();
  }

  public static String duplicateId(String id, int firstIndex) {
    return "duplicate task id '" + id + "' (also used by tasks[" + firstIndex + "])";
  }

  /** Element {@code index} of a command's argv. */
  public static Optional<String> argument(int index, String arg) {
    if (index == 0 && arg.isBlank()) {
      return Optional.of("the program must not be empty");
    }
    if (arg.indexOf('\0') >= 0) {
      return Optional.of("must not contain NUL characters");
    }
    return Optional.empty();
  }

  /** A task's environment: names without '=' or NUL, values without NUL; paths are {@code <path>.<name>}. */
  public static List<JobSpecViolation> env(String path, Map<String, String> env) {
    List<JobSpecViolation> out = new ArrayList<>();
    for (var e : env.entrySet()) {
      if (e.getKey().indexOf('=') >= 0 || e.getKey().indexOf('\0') >= 0) {
        out.add(new JobSpecViolation(path + "." + e.getKey(), "an environment variable name must not contain '=' or NUL"));
      }
      if (e.getValue().indexOf('\0') >= 0) {
        out.add(new JobSpecViolation(path + "." + e.getKey(), "must not contain NUL characters"));
      }
    }
    return out;
  }

  /**
   * A task's {@code secretEnv}: the rules of {@link #env}, plus no name that {@code env} also sets. Messages never
   * quote a value.
   */
  public static List<JobSpecViolation> secretEnv(String path, Map<String, String> secretEnv, Map<String, String> env) {
    List<JobSpecViolation> out = env(path, secretEnv);
    for (String name : secretEnv.keySet()) {
      if (env.containsKey(name)) {
        out.add(new JobSpecViolation(path + "." + name, "is also set in env; a name goes in env or secretEnv, not both"));
      }
    }
    return out;
  }

  /** A task's cpus, {@code shown} as the user wrote it. */
  public static Optional<String> cpus(double cpus, String shown) {
    if (!Double.isFinite(cpus) || cpus <= 0 || cpus > MAX_CPUS) {
      return Optional.of("must be > 0 and <= " + (int) MAX_CPUS + ", not " + shown);
    }
    if (Math.round(cpus * 1000) < 1) {
      return Optional.of("must be at least 0.001, not " + shown);
    }
    return Optional.empty();
  }

  /** One entry of task {@code self}'s dependsOn, given the valid task ids and the dependencies accepted before it. */
  public static Optional<String> dependency(String dep, String self, Set<String> ids, Collection<String> earlier) {
    if (dep.equals(self)) {
      return Optional.of("task '" + self + "' cannot depend on itself");
    }
    if (!ids.contains(dep)) {
      return Optional.of("unknown task '" + abbreviate(dep) + "'");
    }
    if (earlier.contains(dep)) {
      return Optional.of("duplicate dependency '" + dep + "'");
    }
    return Optional.empty();
  }

  /**
   * One violation per back edge of the dependency graph (task id to the ids it depends on), at the
   * {@code dependsOn} of the task the cycle returns to. Iterative DFS: a spec may hold 10,000 tasks in a chain.
   */
  public static List<JobSpecViolation> cycles(Map<String, List<String>> graph, Map<String, Integer> index) {
    List<JobSpecViolation> out = new ArrayList<>();
    Map<String, Integer> color = new HashMap<>(); // absent = unvisited, 1 = on stack, 2 = done
    for (String start : graph.keySet()) {
      if (color.containsKey(start)) {
        continue;
      }
      List<String> stack = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      stack.add(start);
      next.add(0);
      color.put(start, 1);
      while (!stack.isEmpty()) {
        int top = stack.size() - 1;
        String node = stack.get(top);
        List<String> edges = graph.getOrDefault(node, List.of());
        int i = next.get(top);
        if (i >= edges.size()) {
          color.put(node, 2);
          stack.remove(top);
          next.remove(top);
          continue;
        }
        next.set(top, i + 1);
        String dep = edges.get(i);
        if (!graph.containsKey(dep)) {
          continue;
        }
        Integer c = color.get(dep);
        if (c == null) {
          color.put(dep, 1);
          stack.add(dep);
          next.add(0);
        } else if (c == 1) {
          List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(dep), stack.size()));
          cycle.add(dep);
          out.add(new JobSpecViolation("tasks[" + index.get(dep) + "].dependsOn",
              "dependency cycle: " + String.join(" -> ", cycle)));
        }
      }
    }
    return out;
  }

  public static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static String show(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
