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
import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.Webhook;
import io.baton.protocol.job.JobSpecRules;
import io.baton.protocol.job.TaskSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the JSON body of {@code POST /jobs} (or a file given to {@code baton validate}) into a {@link JobSpec}, or
 * reports every violation at once. This class owns the JSON side: strict syntax, unknown fields, wrong types,
 * absent required fields (an explicit {@code null} counts as absent). The domain rules (sizes, task ids,
 * resource ceilings, unknown/self/cyclic dependencies, duplicate ids) are {@link JobSpecRules}, applied here
 * field by field as the JSON is read, so that violations come in document order. Pure and stateless; safe to
 * call from any thread.
 */
public final class JobSpecParser {
  public static final int MAX_TASKS = JobSpecRules.MAX_TASKS;
  public static final int MAX_NAME_LENGTH = JobSpecRules.MAX_NAME_LENGTH;
  public static final double MAX_CPUS = JobSpecRules.MAX_CPUS;
  public static final long MAX_MEMORY_MB = JobSpecRules.MAX_MEMORY_MB;
  public static final int MAX_RETRIES = JobSpecRules.MAX_RETRIES;
  public static final int MAX_TIMEOUT_SECONDS = JobSpecRules.MAX_TIMEOUT_SECONDS;
  /** JSON nesting allowed in a body; a job spec needs 4 levels, handler {@code args} get the rest. */
  public static final int MAX_NESTING_DEPTH = 200;
  /** Violations reported in one answer; the rest are counted. */
  public static final int MAX_VIOLATIONS = 1000;

  private static final Set<String> JOB_FIELDS = Set.of("name", "labels", "tasks", "notify");
  private static final List<String> WEBHOOK_FIELD_ORDER = List.of("url", "secret", "on", "runningLongerThanSeconds");
  private static final List<String> TASK_FIELD_ORDER = List.of(
      "id", "command", "handler", "args", "env", "secretEnv", "cpus", "memoryMb", "retries", "timeoutSeconds", "constraints",
      "dependsOn", "shards", "broadcast", "fanOut");
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
    return new Checker("").check(root);
  }

  /**
   * Checks a job spec nested in another document (a schedule's {@code job}): the same rules as {@link #parse},
   * with every violation's path under {@code pathPrefix} ({@code job.tasks[0].command}; the node itself is
   * {@code pathPrefix}). Never {@link Result.Malformed}: the JSON was read by the caller.
   */
  static Result check(JsonNode node, String pathPrefix) {
    return new Checker(pathPrefix).check(node);
  }

  static String describe(JsonProcessingException e) {
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
    private final String prefix;
    private int dropped;
    /** Units (tasks run once plus shards) of the tasks read so far. */
    private long units;

    Checker(String prefix) {
      this.prefix = prefix;
    }

    private void error(String path, String message) {
      if (violations.size() < MAX_VIOLATIONS) {
        violations.add(new Violation(prefix.isEmpty() ? path : path.isEmpty() ? prefix : prefix + "." + path,
            message));
      } else {
        dropped++;
      }
    }

    private void error(String path, Optional<String> broken) {
      broken.ifPresent(message -> error(path, message));
    }

    Result check(JsonNode root) {
      if (!root.isObject()) {
        error("", "a job spec must be a JSON object, not " + kind(root));
        return finish(null);
      }
      unknownFields(root, "", JOB_FIELDS, List.of("name", "labels", "tasks", "notify"));
      String name = requiredString(root, "name", "name", MAX_NAME_LENGTH);
      Map<String, String> labels = stringMap(root.get("labels"), "labels");
      List<TaskSpec> tasks = tasks(root.get("tasks"));
      List<Webhook> webhooks = webhooks(root.get("notify"));
      return finish(violations.isEmpty() ? new JobSpec(name, labels, tasks, webhooks) : null);
    }

    /** {@code notify}: the job's webhooks (README, "Alerts"); shapes here, the rules in {@link JobSpecRules}. */
    private List<Webhook> webhooks(JsonNode node) {
      if (isAbsent(node)) {
        return List.of();
      }
      if (!node.isArray()) {
        error("notify", "must be an array of webhooks, not " + kind(node));
        return List.of();
      }
      if (node.size() > JobSpecRules.MAX_WEBHOOKS) {
        error("notify", "has " + node.size() + " webhooks; at most " + JobSpecRules.MAX_WEBHOOKS);
        return List.of();
      }
      List<Webhook> webhooks = new ArrayList<>();
      int before = violations.size();
      for (int i = 0; i < node.size(); i++) {
        JsonNode w = node.get(i);
        String path = "notify[" + i + "]";
        if (!w.isObject()) {
          error(path, "must be an object, not " + kind(w));
          continue;
        }
        unknownFields(w, path + ".", Set.copyOf(WEBHOOK_FIELD_ORDER), WEBHOOK_FIELD_ORDER);
        String url = requiredText(w.get("url"), path + ".url");
        String secret = requiredText(w.get("secret"), path + ".secret");
        List<AlertEvent> on = null;
        JsonNode events = w.get("on");
        if (!isAbsent(events)) {
          on = new ArrayList<>();
          if (!events.isArray()) {
            error(path + ".on", "must be an array of " + List.of(AlertEvent.values()) + ", not " + kind(events));
          } else {
            for (int e = 0; e < events.size(); e++) {
              JsonNode event = events.get(e);
              try {
                on.add(AlertEvent.valueOf(event.isTextual() ? event.textValue() : ""));
              } catch (IllegalArgumentException unknown) {
                error(path + ".on[" + e + "]", "must be one of " + List.of(AlertEvent.values()) + ", not "
                    + (event.isTextual() ? "'" + abbreviate(event.textValue()) + "'" : kind(event)));
              }
            }
          }
        }
        long seconds = integer(w.get("runningLongerThanSeconds"), path + ".runningLongerThanSeconds",
            new JobSpecRules.IntegerRange(0, JobSpecRules.MAX_TIMEOUT_SECONDS), 0);
        webhooks.add(new Webhook(url, secret, on, (int) seconds));
      }
      if (violations.size() == before) {
        JobSpecRules.webhooks(webhooks).forEach(v -> error(v.path(), v.message()));
      }
      return webhooks;
    }

    private Result finish(JobSpec spec) {
      if (spec != null) {
        return new Result.Valid(spec);
      }
      List<Violation> all = new ArrayList<>(violations);
      if (dropped > 0) {
        all.add(new Violation(prefix, dropped + " more violations not shown"));
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
      Optional<String> count = JobSpecRules.taskCount(node.size());
      if (count.isPresent()) {
        error("tasks", count);
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
              error("tasks[" + i + "].id", JobSpecRules.duplicateId(id, first));
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
      JobSpecRules.cycles(graph, firstIndex).forEach(v -> error(v.path(), v.message()));
      if (units > JobSpecRules.MAX_UNITS) {
        error("tasks", "must hold at most " + JobSpecRules.MAX_UNITS + " units (tasks run once plus shards), not "
            + units);
      }
      return tasks;
    }

    /** The text of a required string field, or null after recording why there is none. */
    private String requiredText(JsonNode node, String path) {
      if (isAbsent(node)) {
        error(path, JobSpecRules.REQUIRED);
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
      Optional<String> broken = JobSpecRules.taskId(id);
      error(path, broken);
      return broken.isPresent() ? null : id;
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
        error(path, JobSpecRules.BOTH_COMMAND_AND_HANDLER);
      } else if (isAbsent(commandNode) && isAbsent(handlerNode)) {
        error(path, JobSpecRules.NEITHER_COMMAND_NOR_HANDLER);
      } else if (!isAbsent(commandNode)) {
        command = command(commandNode, path + ".command");
        if (!isAbsent(argsNode)) {
          error(path + ".args", JobSpecRules.ARGS_WITHOUT_HANDLER);
        }
      } else {
        handler = requiredString(t, "handler", path + ".handler", JobSpecRules.MAX_HANDLER_LENGTH);
        if (!isAbsent(argsNode)) {
          if (!argsNode.isObject()) {
            error(path + ".args", "must be a JSON object, not " + kind(argsNode));
          } else {
            argsJson = argsNode.toString();
          }
        }
      }

      Map<String, String> env = stringMap(t.get("env"), path + ".env");
      JobSpecRules.env(path + ".env", env).forEach(v -> error(v.path(), v.message()));
      Map<String, String> secretEnv = stringMap(t.get("secretEnv"), path + ".secretEnv");
      JobSpecRules.secretEnv(path + ".secretEnv", secretEnv, env).forEach(v -> error(v.path(), v.message()));
      double cpus = cpus(t.get("cpus"), path + ".cpus");
      long memoryMb = integer(t.get("memoryMb"), path + ".memoryMb", JobSpecRules.MEMORY_MB, TaskSpec.DEFAULT_MEMORY_MB);
      int retries = (int) integer(t.get("retries"), path + ".retries", JobSpecRules.RETRIES, 0);
      int timeout = (int) integer(t.get("timeoutSeconds"), path + ".timeoutSeconds", JobSpecRules.TIMEOUT_SECONDS, 0);
      Map<String, String> constraints = stringMap(t.get("constraints"), path + ".constraints");
      List<String> dependsOn = dependsOn(t.get("dependsOn"), path + ".dependsOn", id, ids);
      if (id != null && ids.get(id) == index) {
        graph.put(id, dependsOn);
      }
      int shards = (int) integer(t.get("shards"), path + ".shards", JobSpecRules.SHARDS, 0);
      boolean broadcast = bool(t.get("broadcast"), path + ".broadcast");
      String fanOutFrom = fanOut(t.get("fanOut"), path + ".fanOut");
      JobSpecRules.parallelism(path, shards, broadcast, fanOutFrom, dependsOn).forEach(v -> error(v.path(), v.message()));
      units += shards > 0 ? shards : 1;

      if (id == null || violations.size() + dropped > errorsBefore) {
        return null;
      }
      return new TaskSpec(id, command, handler, argsJson, env, cpus, memoryMb, retries, timeout, constraints, dependsOn,
          secretEnv, shards, broadcast, fanOutFrom);
    }

    private boolean bool(JsonNode node, String path) {
      if (isAbsent(node)) {
        return false;
      }
      if (!node.isBoolean()) {
        error(path, "must be true or false, not " + kind(node));
        return false;
      }
      return node.booleanValue();
    }

    /** {@code "fanOut": {"from": "<taskId>"}}: the task id, or null (absent or broken, recorded). */
    private String fanOut(JsonNode node, String path) {
      if (isAbsent(node)) {
        return null;
      }
      if (!node.isObject()) {
        error(path, "must be an object {\"from\": \"<taskId>\"}, not " + kind(node));
        return null;
      }
      unknownFields(node, path + ".", Set.of("from"), List.of("from"));
      return requiredText(node.get("from"), path + ".from");
    }

    private List<String> command(JsonNode node, String path) {
      if (!node.isArray()) {
        error(path, "must be an array of strings (an argv list), not " + kind(node));
        return null;
      }
      if (node.isEmpty()) {
        error(path, JobSpecRules.EMPTY_COMMAND);
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
        error(p, JobSpecRules.argument(i, arg.textValue()));
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
          continue;
        }
        Optional<String> broken = JobSpecRules.dependency(d.textValue(), self, ids.keySet(), deps);
        if (broken.isPresent()) {
          error(p, broken);
        } else {
          deps.add(d.textValue());
        }
      }
      return deps;
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
      error(path, JobSpecRules.cpus(v, node.asText()));
      return v;
    }

    private long integer(JsonNode node, String path, JobSpecRules.IntegerRange range, long dflt) {
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
      if (!node.canConvertToLong()) {
        error(path, range.outOfRange(node.asText()));
        return dflt;
      }
      Optional<String> broken = range.check(node.longValue());
      error(path, broken);
      return broken.isPresent() ? dflt : node.longValue();
    }

    private String requiredString(JsonNode parent, String field, String path, int maxLength) {
      String v = requiredText(parent.get(field), path);
      if (v == null) {
        return null;
      }
      error(path, JobSpecRules.text(v, maxLength));
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
        Optional<String> badKey = JobSpecRules.mapKey(e.getKey());
        if (badKey.isPresent()) {
          error(path, badKey);
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

  static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  static String kind(JsonNode node) {
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
    return JobSpecRules.abbreviate(s);
  }

}
