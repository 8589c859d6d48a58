package io.baton.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.util.ArrayList;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.Units;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.ScheduleView;
import io.baton.scheduler.api.WorkerView;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The JSON shapes of the REST API (SPEC.md, "REST API"): job summaries and details, schedules, workers, the
 * cluster.
 * Timestamps are ISO-8601 UTC with millisecond precision, {@code null} when unknown. Stateless; any thread.
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static HttpResponse ok(JsonNode node) {
    return response(StatusCodes.OK, node);
  }

  static HttpResponse response(StatusCode status, JsonNode node) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, bytes(node));
  }

  static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static ObjectNode jobSummary(JobRecord job) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", job.id());
    node.put("name", job.spec().name());
    node.put("state", job.state().name());
    node.put("tasksTotal", job.tasks().size());
    node.put("tasksSucceeded", job.tasksSucceeded());
    node.put("submittedAt", time(job.submittedAt()));
    node.put("startedAt", time(job.startedAt()));
    node.put("finishedAt", time(job.finishedAt()));
    if (job.runAt() != null) {
      node.put("runAt", time(job.runAt()));
    }
    return node;
  }

  static ObjectNode jobDetail(JobRecord job) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", job.id());
    node.put("name", job.spec().name());
    stringMap(node.putObject("labels"), job.spec().labels());
    if (!job.spec().webhooks().isEmpty()) {
      webhooks(node.putArray("notify"), job.spec().webhooks());
    }
    node.put("state", job.state().name());
    node.put("submittedAt", time(job.submittedAt()));
    node.put("startedAt", time(job.startedAt()));
    node.put("finishedAt", time(job.finishedAt()));
    node.put("tasksTotal", job.tasks().size());
    node.put("tasksSucceeded", job.tasksSucceeded());
    node.put("rerunOf", job.rerunOf());
    if (job.runAt() != null) {
      node.put("runAt", time(job.runAt())); // a schedule's fire submitted ahead: PENDING until then
    }
    ArrayNode tasks = node.putArray("tasks");
    Map<String, List<TaskRecord>> units = new java.util.HashMap<>();
    for (TaskRecord t : job.tasks()) {
      units.computeIfAbsent(Units.taskOf(t.taskId()), k -> new ArrayList<>()).add(t);
    }
    for (TaskSpec spec : job.spec().tasks()) {
      List<TaskRecord> own = units.getOrDefault(spec.id(), List.of());
      if (!spec.sharded()) {
        tasks.add(task(spec, own.isEmpty() ? TaskRecord.pending(spec.id()) : own.get(0)));
        continue;
      }
      // a sharded task: its state from its shards', and each shard with its own state and attempts
      ObjectNode t = task(spec, new TaskRecord(spec.id(), Units.aggregate(own), List.of(), null));
      t.put("shards", spec.shards());
      t.put("shardsSucceeded", own.stream().filter(u -> u.state() == AttemptState.SUCCEEDED).count());
      ArrayNode shards = t.putArray("shardStates");
      for (TaskRecord u : own) {
        ObjectNode sn = shards.addObject();
        sn.put("shard", Units.shardOf(u.taskId()));
        sn.put("state", u.state().name());
        if (u.retryAt() != null) {
          sn.put("retryAt", time(u.retryAt()));
        }
        attempts(sn.putArray("attempts"), u);
      }
      tasks.add(t);
    }
    return node;
  }

  /** {@code {"jobId","taskId","results":[{"unit","shard","attempt","bytes","result"[,"json"]}]}}. */
  static ObjectNode results(String jobId, String taskId, List<io.baton.scheduler.api.MasterApi.UnitResult> results) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("jobId", jobId);
    node.put("taskId", taskId);
    ArrayNode list = node.putArray("results");
    for (var r : results) {
      ObjectNode rn = list.addObject();
      rn.put("unit", r.unitId());
      if (r.shard() >= 0) {
        rn.put("shard", r.shard());
      } else {
        rn.putNull("shard");
      }
      rn.put("attempt", r.attempt());
      rn.put("bytes", r.result().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
      rn.put("result", r.result());
      try {
        rn.set("json", MAPPER.readTree(r.result()));
      } catch (JsonProcessingException notJson) {
        // plain text: "result" says it all
      }
    }
    return node;
  }

  private static void webhooks(ArrayNode into, List<io.baton.protocol.job.Webhook> webhooks) {
    for (io.baton.protocol.job.Webhook w : webhooks) {
      ObjectNode hook = into.addObject();
      hook.put("url", w.url());
      hook.put("secret", w.secret());
      ArrayNode on = hook.putArray("on");
      w.on().forEach(e -> on.add(e.name()));
      if (w.runningLongerThanSeconds() > 0) {
        hook.put("runningLongerThanSeconds", w.runningLongerThanSeconds());
      }
    }
  }

  private static ObjectNode task(TaskSpec spec, TaskRecord record) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", spec.id());
    node.put("state", record.state().name());
    if (record.retryAt() != null) {
      node.put("retryAt", time(record.retryAt()));
    }
    if (spec.isHandler()) {
      node.put("handler", spec.handler());
      node.set("args", rawObject(spec.argsJson()));
    } else {
      ArrayNode command = node.putArray("command");
      spec.command().forEach(command::add);
    }
    stringMap(node.putObject("env"), spec.env());
    // the names only: a secret's value never leaves the master
    stringMap(node.putObject("secretEnv"), spec.redactedSecretEnv());
    node.put("cpus", spec.cpus());
    node.put("memoryMb", spec.memoryMb());
    node.put("retries", spec.retries());
    node.put("timeoutSeconds", spec.timeoutSeconds());
    stringMap(node.putObject("constraints"), spec.constraints());
    ArrayNode deps = node.putArray("dependsOn");
    spec.dependsOn().forEach(deps::add);
    if (spec.fanOutFrom() != null) {
      node.putObject("fanOut").put("from", spec.fanOutFrom());
    }
    if (spec.broadcast()) {
      node.put("broadcast", true);
    }
    attempts(node.putArray("attempts"), record);
    return node;
  }

  private static void attempts(ArrayNode attempts, TaskRecord record) {
    for (AttemptRecord a : record.attempts()) {
      ObjectNode an = attempts.addObject();
      an.put("attempt", a.attempt());
      an.put("state", a.state().name());
      an.put("workerId", a.workerId());
      an.put("exitCode", a.exitCode());
      an.put("startedAt", time(a.startedAt()));
      an.put("finishedAt", time(a.finishedAt()));
      if (a.message() != null) {
        an.put("message", a.message());
      }
      if (a.resultBytes() != null) {
        an.put("resultBytes", a.resultBytes());
      }
    }
  }

  private static JsonNode rawObject(String json) {
    try {
      return MAPPER.readTree(json == null || json.isEmpty() ? "{}" : json);
    } catch (JsonProcessingException e) {
      // argsJson comes from our own validator; a broken value is shown as is rather than failing the page
      return MAPPER.getNodeFactory().textNode(json);
    }
  }

  /** {@code {"schedules": [...]}}, in the order given (the API's: by name). */
  static ObjectNode schedules(List<ScheduleView> schedules) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode array = root.putArray("schedules");
    schedules.forEach(s -> array.add(schedule(s)));
    return root;
  }

  /**
   * A schedule: its spec's fields (policies by their JSON names, {@code startAt}/{@code endAt} null when unset, the
   * job spec with secret values redacted), {@code paused}, {@code createdAt}, {@code nextFires} and
   * {@code lastFires} (newest first).
   */
  static ObjectNode schedule(ScheduleView view) {
    ScheduleSpec spec = view.spec();
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", spec.name());
    node.put("cron", spec.cron());
    node.put("syntax", spec.syntax().jsonName());
    node.put("timezone", spec.timezone());
    node.put("startAt", time(spec.startAt()));
    node.put("endAt", time(spec.endAt()));
    node.put("misfire", spec.misfire().jsonName());
    node.put("overlap", spec.overlap().jsonName());
    node.set("job", jobSpec(spec.job()));
    node.put("paused", view.paused());
    node.put("createdAt", time(view.createdAt()));
    ArrayNode next = node.putArray("nextFires");
    view.nextFires().forEach(i -> next.add(time(i)));
    ArrayNode last = node.putArray("lastFires");
    for (ScheduleView.FireView f : view.lastFires()) {
      last.addObject()
          .put("id", f.id())
          .put("scheduledAt", time(f.scheduledAt()))
          .put("jobId", f.jobId())
          .put("state", f.state());
    }
    return node;
  }

  /**
   * A job spec as submitted, defaults filled in; {@code secretEnv} shows names only, {@code notify} the name of each
   * webhook's signing secret (the secret itself is a master setting, never in the spec).
   */
  static ObjectNode jobSpec(JobSpec spec) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("name", spec.name());
    stringMap(node.putObject("labels"), spec.labels());
    if (!spec.webhooks().isEmpty()) {
      webhooks(node.putArray("notify"), spec.webhooks());
    }
    ArrayNode tasks = node.putArray("tasks");
    for (TaskSpec t : spec.tasks()) {
      ObjectNode task = tasks.addObject();
      task.put("id", t.id());
      if (t.isHandler()) {
        task.put("handler", t.handler());
        task.set("args", rawObject(t.argsJson()));
      } else {
        ArrayNode command = task.putArray("command");
        t.command().forEach(command::add);
      }
      stringMap(task.putObject("env"), t.env());
      stringMap(task.putObject("secretEnv"), t.redactedSecretEnv());
      task.put("cpus", t.cpus());
      task.put("memoryMb", t.memoryMb());
      task.put("retries", t.retries());
      task.put("timeoutSeconds", t.timeoutSeconds());
      stringMap(task.putObject("constraints"), t.constraints());
      ArrayNode deps = task.putArray("dependsOn");
      t.dependsOn().forEach(deps::add);
    }
    return node;
  }

  static ObjectNode workers(List<WorkerView> workers) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode array = root.putArray("workers");
    workers.forEach(w -> array.add(worker(w)));
    return root;
  }

  static ObjectNode worker(WorkerView w) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("id", w.id());
    node.put("host", w.host());
    node.put("state", w.state());
    node.put("cpus", w.cpus());
    node.put("memoryMb", w.memoryMb());
    node.put("cpusUsed", w.cpusUsed());
    node.put("memoryMbUsed", w.memoryMbUsed());
    stringMap(node.putObject("labels"), w.labels());
    node.put("runningAttempts", w.runningAttempts());
    node.put("lastHeartbeatAt", time(w.lastHeartbeatAt()));
    return node;
  }

  static ObjectNode cluster(ClusterView view) {
    ObjectNode root = MAPPER.createObjectNode();
    if (view.leader().isPresent()) {
      LeaderInfo leader = view.leader().get();
      root.putObject("leader")
          .put("epoch", leader.epoch().value())
          .put("address", leader.address())
          .put("restUrl", leader.restUrl());
    } else {
      root.putNull("leader");
    }
    root.putObject("self").put("restUrl", view.selfRestUrl()).put("isLeader", view.selfIsLeader());
    ArrayNode masters = root.putArray("masters");
    view.masters().forEach(masters::add);
    root.put("zookeeper", view.zookeeper());
    ArrayNode quarantined = root.putArray("quarantined");
    view.quarantined().forEach(q -> quarantined.addObject()
        .put("id", q.id()).put("reason", q.reason()).put("at", time(q.at())));
    return root;
  }

  private static void stringMap(ObjectNode node, Map<String, String> map) {
    if (map == null) {
      return;
    }
    map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> node.put(e.getKey(), e.getValue()));
  }
}
