package io.baton.web;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the JSON body of {@code POST /jobs} into a {@link JobSpec}, or reports every violation at once.
 * Strict: unknown fields, wrong types, out-of-range resources, unknown/self/cyclic dependencies and duplicate
 * task ids are all errors. An explicit {@code null} counts as absent. Pure and stateless; safe to call from
 * any thread.
 */
public final class JobSpecParser {
  public static final int MAX_TASKS = 10_000;
  public static final int MAX_NAME_LENGTH = 200;
  public static final double MAX_CPUS = 1024;
  public static final long MAX_MEMORY_MB = 4L * 1024 * 1024;
  public static final int MAX_RETRIES = 100;
  public static final int MAX_TIMEOUT_SECONDS = 30 * 24 * 3600;
  /** JSON nesting allowed in a body; a job spec needs 4 levels, handler {@code args} get the rest. */
  public static final int MAX_NESTING_DEPTH = 200;
  /** Violations reported in one answer; the rest are counted. */
  public static final int MAX_VIOLATIONS = 1000;

  static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Set<String> JOB_FIELDS = Set.of("name", "labels", "tasks");
  private static final List<String> TASK_FIELD_ORDER = List.of(
      "id", "command", "handler", "args", "env", "cpus", "memoryMb", "retries", "timeoutSeconds", "constraints",
      "dependsOn");
  private static final Set<String> TASK_FIELDS = Set.copyOf(TASK_FIELD_ORDER);

  static final ObjectMapper MAPPER = JsonMapper.builder(new JsonFactoryBuilder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** The outcome of {@link #parse}. */
  public sealed interface Result {
    /** A valid spec, defaults filled in. */
    record Valid(JobSpec spec) implements Result {}

    /** The body is not JSON (or too deeply nested, or has duplicate keys); {@code detail} says where. */
    record Malformed(String detail) implements Result {}

    /** Well-formed JSON that is not a valid job spec; every violation found. */
    record Invalid(List<Violation> violations) implements Result {}
  }

  private JobSpecParser() {}

  public static Result parse(byte[] body) {
    if (body.length == 0) {
      return new Result.Malformed("the request body is empty; expected a JSON job spec");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return new Result.Malformed(describe(e));
    } catch (IOException e) {
      return new Result.Malformed("unreadable JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return new Result.Malformed("the request body is empty; expected a JSON job spec");
    }
    return new Checker().check(root);
  }

  private static String describe(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException && String.valueOf(e.getOriginalMessage()).contains("nesting depth")) {
      return "malformed JSON: nesting depth exceeds the maximum allowed (" + MAX_NESTING_DEPTH + " levels)";
    }
    String message = e.getOriginalMessage();
    if (message != null) {
      // Jackson appends "(for Object starting at [Source: ...])" hints that name our internals; keep the sentence.
      int cut = message.indexOf("\n");
      message = cut >= 0 ? message.substring(0, cut) : message;
    }
    var location = e.getLocation();
    String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    return "malformed JSON" + where + ": " + message;
  }

  /** One parse; collects violations. */
  private static final class Checker {
    private final List<Violation> violations = new ArrayList<>();
    private int dropped;

    private void error(String path, String message) {
      if (violations.size() < MAX_VIOLATIONS) {
        violations.add(new Violation(path, message));
      } else {
        dropped++;
      }
    }

    Result check(JsonNode root) {
      if (!root.isObject()) {
        error("", "a job spec must be a JSON object, not " + kind(root));
        return finish(null);
      }
      unknownFields(root, "", JOB_FIELDS, List.of("name", "labels", "tasks"));
      String name = requiredString(root, "name", "name", MAX_NAME_LENGTH);
      Map<String, String> labels = stringMap(root.get("labels"), "labels");
      List<TaskSpec> tasks = tasks(root.get("tasks"));
      return finish(violations.isEmpty() ? new JobSpec(name, labels, tasks) : null);
    }

    private Result finish(JobSpec spec) {
      if (spec != null) {
        return new Result.Valid(spec);
      }
      List<Violation> all = new ArrayList<>(violations);
      if (dropped > 0) {
        all.add(new Violation("", dropped + " more violations not shown"));
      }
      return new Result.Invalid(List.copyOf(all));
    }

    private List<TaskSpec> tasks(JsonNode node) {
      if (isAbsent(node)) {
        error("tasks", "is required: a job needs at least one task");
        return List.of();
      }
      if (!node.isArray()) {
        error("tasks", "must be an array of tasks, not " + kind(node));
        return List.of();
      }
      if (node.isEmpty()) {
        error("tasks", "must contain at least one task");
        return List.of();
      }
      if (node.size() > MAX_TASKS) {
        error("tasks", "must contain at most " + MAX_TASKS + " tasks, not " + node.size());
        return List.of();
      }
      List<TaskSpec> tasks = new ArrayList<>(node.size());
      Map<String, Integer> firstIndex = new HashMap<>();
      List<JsonNode> elements = new ArrayList<>();
      node.forEach(elements::add);
      // ids first, so that dependsOn can be checked against every task regardless of order
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < elements.size(); i++) {
        JsonNode t = elements.get(i);
        String id = null;
        if (t.isObject()) {
          id = taskId(t.get("id"), "tasks[" + i + "].id");
          if (id != null) {
            Integer first = firstIndex.putIfAbsent(id, i);
            if (first != null) {
              error("tasks[" + i + "].id", "duplicate task id '" + id + "' (also used by tasks[" + first + "])");
            }
          }
        }
        ids.add(id);
      }
      Map<String, List<String>> graph = new LinkedHashMap<>();
      for (int i = 0; i < elements.size(); i++) {
        TaskSpec task = task(elements.get(i), i, ids.get(i), firstIndex, graph);
        if (task != null) {
          tasks.add(task);
        }
      }
      reportCycles(graph, firstIndex);
      return tasks;
    }

    /** The text of a required string field, or null after recording why there is none. */
    private String requiredText(JsonNode node, String path) {
      if (isAbsent(node)) {
        error(path, "is required");
        return null;
      }
      if (!node.isTextual()) {
        error(path, "must be a string, not " + kind(node));
        return null;
      }
      return node.textValue();
    }

    private String taskId(JsonNode node, String path) {
      String id = requiredText(node, path);
      if (id == null) {
        return null;
      }
      if (id.isEmpty()) {
        error(path, "must not be empty");
        return null;
      }
      if (!TASK_ID.matcher(id).matches()) {
        error(path, "'" + abbreviate(id) + "' is not a valid task id: use 1 to 64 of A-Z a-z 0-9 _ . -");
        return null;
      }
      return id;
    }

    private TaskSpec task(
        JsonNode t, int index, String id, Map<String, Integer> ids, Map<String, List<String>> graph) {
      String path = "tasks[" + index + "]";
      if (!t.isObject()) {
        error(path, "a task must be a JSON object, not " + kind(t));
        return null;
      }
      int errorsBefore = violations.size() + dropped;
      unknownFields(t, path + ".", TASK_FIELDS, TASK_FIELD_ORDER);

      JsonNode commandNode = t.get("command");
      JsonNode handlerNode = t.get("handler");
      JsonNode argsNode = t.get("args");
      List<String> command = null;
      String handler = null;
      String argsJson = null;
      if (!isAbsent(commandNode) && !isAbsent(handlerNode)) {
        error(path, "has both command and handler; give exactly one");
      } else if (isAbsent(commandNode) && isAbsent(handlerNode)) {
        error(path, "needs either command (an argv array) or handler (a handler name)");
      } else if (!isAbsent(commandNode)) {
        command = command(commandNode, path + ".command");
        if (!isAbsent(argsNode)) {
          error(path + ".args", "is only allowed with handler, not with command");
        }
      } else {
        handler = requiredString(t, "handler", path + ".handler", 200);
        if (!isAbsent(argsNode)) {
          if (!argsNode.isObject()) {
            error(path + ".args", "must be a JSON object, not " + kind(argsNode));
          } else {
            argsJson = argsNode.toString();
          }
        }
      }

      Map<String, String> env = stringMap(t.get("env"), path + ".env");
      for (var e : env.entrySet()) {
        if (e.getKey().indexOf('=') >= 0 || e.getKey().indexOf('\0') >= 0) {
          error(path + ".env." + e.getKey(), "an environment variable name must not contain '=' or NUL");
        }
        if (e.getValue().indexOf('\0') >= 0) {
          error(path + ".env." + e.getKey(), "must not contain NUL characters");
        }
      }
      double cpus = cpus(t.get("cpus"), path + ".cpus");
      long memoryMb = integer(t.get("memoryMb"), path + ".memoryMb", 1, MAX_MEMORY_MB, TaskSpec.DEFAULT_MEMORY_MB);
      int retries = (int) integer(t.get("retries"), path + ".retries", 0, MAX_RETRIES, 0);
      int timeout = (int) integer(t.get("timeoutSeconds"), path + ".timeoutSeconds", 0, MAX_TIMEOUT_SECONDS, 0);
      Map<String, String> constraints = stringMap(t.get("constraints"), path + ".constraints");
      List<String> dependsOn = dependsOn(t.get("dependsOn"), path + ".dependsOn", id, ids);
      if (id != null && ids.get(id) == index) {
        graph.put(id, dependsOn);
      }

      if (id == null || violations.size() + dropped > errorsBefore) {
        return null;
      }
      return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeout, constraints, dependsOn);
    }

    private List<String> command(JsonNode node, String path) {
      if (!node.isArray()) {
        error(path, "must be an array of strings (an argv list), not " + kind(node));
        return null;
      }
      if (node.isEmpty()) {
        error(path, "must not be empty: give the program and its arguments");
        return null;
      }
      List<String> argv = new ArrayList<>(node.size());
      for (int i = 0; i < node.size(); i++) {
        JsonNode arg = node.get(i);
        String p = path + "[" + i + "]";
        if (!arg.isTextual()) {
          error(p, "must be a string, not " + kind(arg));
          continue;
        }
        if (i == 0 && arg.textValue().isBlank()) {
          error(p, "the program must not be empty");
        }
        if (arg.textValue().indexOf('\0') >= 0) {
          error(p, "must not contain NUL characters");
        }
        argv.add(arg.textValue());
      }
      return argv;
    }

    private List<String> dependsOn(JsonNode node, String path, String self, Map<String, Integer> ids) {
      if (isAbsent(node)) {
        return List.of();
      }
      if (!node.isArray()) {
        error(path, "must be an array of task ids, not " + kind(node));
        return List.of();
      }
      List<String> deps = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode d = node.get(i);
        String p = path + "[" + i + "]";
        if (!d.isTextual()) {
          error(p, "must be a task id string, not " + kind(d));
        } else if (d.textValue().equals(self)) {
          error(p, "task '" + self + "' cannot depend on itself");
        } else if (!ids.containsKey(d.textValue())) {
          error(p, "unknown task '" + abbreviate(d.textValue()) + "'");
        } else if (deps.contains(d.textValue())) {
          error(p, "duplicate dependency '" + d.textValue() + "'");
        } else {
          deps.add(d.textValue());
        }
      }
      return deps;
    }

    /** Iterative DFS (a spec may hold 10,000 tasks in a chain); one violation per back edge. */
    private void reportCycles(Map<String, List<String>> graph, Map<String, Integer> index) {
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
            error("tasks[" + index.get(dep) + "].dependsOn", "dependency cycle: " + String.join(" -> ", cycle));
          }
        }
      }
    }

    private double cpus(JsonNode node, String path) {
      if (isAbsent(node)) {
        return TaskSpec.DEFAULT_CPUS;
      }
      if (!node.isNumber()) {
        error(path, "must be a number, not " + kind(node));
        return 0;
      }
      double v = node.doubleValue();
      if (!Double.isFinite(v) || v <= 0 || v > MAX_CPUS) {
        error(path, "must be > 0 and <= " + (int) MAX_CPUS + ", not " + node.asText());
      } else if (Math.round(v * 1000) < 1) {
        error(path, "must be at least 0.001, not " + node.asText());
      }
      return v;
    }

    private long integer(JsonNode node, String path, long min, long max, long dflt) {
      if (isAbsent(node)) {
        return dflt;
      }
      if (!node.isNumber()) {
        error(path, "must be an integer, not " + kind(node));
        return dflt;
      }
      if (!node.isIntegralNumber()) {
        error(path, "must be an integer, not " + node.asText());
        return dflt;
      }
      if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
        error(path, "must be between " + min + " and " + max + ", not " + abbreviate(node.asText()));
        return dflt;
      }
      return node.longValue();
    }

    private String requiredString(JsonNode parent, String field, String path, int maxLength) {
      String v = requiredText(parent.get(field), path);
      if (v == null) {
        return null;
      }
      if (v.isBlank()) {
        error(path, "must not be empty");
      } else if (v.length() > maxLength) {
        error(path, "must be at most " + maxLength + " characters, not " + v.length());
      }
      return v;
    }

    private Map<String, String> stringMap(JsonNode node, String path) {
      if (isAbsent(node)) {
        return Map.of();
      }
      if (!node.isObject()) {
        error(path, "must be an object of strings, not " + kind(node));
        return Map.of();
      }
      Map<String, String> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().isEmpty()) {
          error(path, "keys must not be empty");
        } else if (!e.getValue().isTextual()) {
          error(path + "." + e.getKey(), "must be a string, not " + kind(e.getValue()));
        } else {
          map.put(e.getKey(), e.getValue().textValue());
        }
      }
      return map;
    }

    private void unknownFields(JsonNode node, String prefix, Set<String> allowed, List<String> order) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          error(prefix + abbreviate(f), "unknown field; allowed: " + String.join(", ", order));
        }
      }
    }
  }

  private static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> node.getNodeType().name().toLowerCase();
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

}
