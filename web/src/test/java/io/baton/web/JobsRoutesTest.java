package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.scheduler.api.MasterApi.LogResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobsRoutesTest extends RestTestSupport {
  static final String SPEC_EXAMPLE = """
      {"name": "nightly-etl", "labels": {"team": "data"}, "tasks": [
        {"id": "extract", "command": ["/bin/sh", "-c", "echo extracting"], "env": {"STAGE": "1"}, "cpus": 1,
         "memoryMb": 256, "retries": 2, "timeoutSeconds": 600, "constraints": {"zone": "a"}},
        {"id": "load", "command": ["/bin/echo", "loaded"], "dependsOn": ["extract"]}]}""";

  @Test
  void submitAnswers201WithIdStateAndLocation() {
    Response r = postJson("/api/v1/jobs", SPEC_EXAMPLE);
    assertEquals(201, r.status(), r.body());
    assertEquals("application/json", r.contentType());
    JsonNode body = r.json();
    String id = body.get("id").asText();
    assertEquals("PENDING", body.get("state").asText());
    assertEquals("/api/v1/jobs/" + id, r.headers().firstValue("Location").orElseThrow());
    JobSpec stored = api.stored(id).orElseThrow().spec();
    assertEquals("nightly-etl", stored.name());
    assertEquals(256, stored.task("extract").orElseThrow().memoryMb());
    assertEquals(List.of("extract"), stored.task("load").orElseThrow().dependsOn());
  }

  @Test
  void repeatedIdempotencyKeyAnswers200WithTheFirstJob() {
    Response first = postJson("/api/v1/jobs", SPEC_EXAMPLE, "Idempotency-Key", "k-1");
    Response again = postJson("/api/v1/jobs", SPEC_EXAMPLE, "Idempotency-Key", "k-1");
    Response other = postJson("/api/v1/jobs", SPEC_EXAMPLE, "Idempotency-Key", "k-2");
    assertEquals(201, first.status());
    assertEquals(200, again.status(), again.body());
    assertEquals(first.json().get("id"), again.json().get("id"));
    assertEquals(201, other.status());
    assertEquals(2, api.jobCount());
    assertEquals("k-1", api.stored(first.json().get("id").asText()).orElseThrow().idempotencyKey());
  }

  @Test
  void listIsNewestFirstWithSummaryShape() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(postJson("/api/v1/jobs", SPEC_EXAMPLE.replace("nightly-etl", "job" + i)).json().get("id").asText());
    }
    JsonNode jobs = get("/api/v1/jobs").json().get("jobs");
    assertEquals(3, jobs.size());
    assertEquals(ids.get(2), jobs.get(0).get("id").asText());
    assertEquals(ids.get(0), jobs.get(2).get("id").asText());
    JsonNode newest = jobs.get(0);
    assertEquals("job2", newest.get("name").asText());
    assertEquals("PENDING", newest.get("state").asText());
    assertEquals(2, newest.get("tasksTotal").asInt());
    assertEquals(0, newest.get("tasksSucceeded").asInt());
    assertEquals("2026-01-01T00:00:03Z", newest.get("submittedAt").asText());
    assertTrue(newest.get("finishedAt").isNull());
    assertEquals(List.of("id", "name", "state", "tasksTotal", "tasksSucceeded", "submittedAt", "startedAt", "finishedAt"),
        fieldNames(newest));
  }

  @Test
  void listDefaultsTo100AndPagesWithBefore() {
    for (int i = 1; i <= 150; i++) {
      api.put(JobRecord.submitted(String.format("j%03d", i), spec("p" + i), null, Instant.EPOCH.plusSeconds(i)));
    }
    JsonNode page1 = get("/api/v1/jobs").json();
    assertEquals(100, page1.get("jobs").size());
    assertEquals("j150", page1.get("jobs").get(0).get("id").asText());
    assertEquals("j051", page1.get("nextBefore").asText());
    JsonNode page2 = get("/api/v1/jobs?limit=1000&before=j051").json();
    assertEquals(50, page2.get("jobs").size());
    assertEquals("j050", page2.get("jobs").get(0).get("id").asText());
    assertEquals("j001", page2.get("jobs").get(49).get("id").asText());
    assertTrue(page2.get("nextBefore").isNull());
    JsonNode small = get("/api/v1/jobs?limit=2&before=j010").json();
    assertEquals(List.of("j009", "j008"), ids(small));
  }

  @Test
  void listFiltersByState() {
    api.put(JobRecord.submitted("a", spec("a"), null, Instant.EPOCH.plusSeconds(1)));
    api.put(JobRecord.submitted("b", spec("b"), null, Instant.EPOCH.plusSeconds(2)).withState(JobState.RUNNING, Instant.EPOCH));
    api.put(JobRecord.submitted("c", spec("c"), null, Instant.EPOCH.plusSeconds(3)).withState(JobState.RUNNING, Instant.EPOCH));
    assertEquals(List.of("c", "b"), ids(get("/api/v1/jobs?state=RUNNING").json()));
    assertEquals(List.of("a"), ids(get("/api/v1/jobs?state=pending").json()));
    assertEquals(List.of(), ids(get("/api/v1/jobs?state=FAILED").json()));
  }

  /** Job {@code id} submitted {@code n} s after the epoch with {@code labels}, one attempt on each of {@code workers}. */
  private static JobRecord ranOn(String id, int n, Map<String, String> labels, String... workers) {
    JobSpec spec = new JobSpec(id, labels, List.of(TaskSpec.handler("t", "noop", null, List.of())));
    JobRecord job = JobRecord.submitted(id, spec, null, Instant.EPOCH.plusSeconds(n));
    for (int i = 0; i < workers.length; i++) {
      job = job.withTask(job.task("t").orElseThrow().withAttempt(
          new AttemptRecord(i + 1, AttemptState.FAILED, workers[i], 1, Instant.EPOCH, Instant.EPOCH, null)));
    }
    return job;
  }

  @Test
  void listFiltersByWorkerAndLabelsWithStateNameAndPaging() {
    api.put(ranOn("a", 1, Map.of("team", "data", "env", "prod"), "w1"));
    api.put(ranOn("b", 2, Map.of("team", "data"), "w2", "w1"));
    api.put(ranOn("c", 3, Map.of("team", "ml"), "w2"));
    api.put(ranOn("d", 4, Map.of("team", "data")).withState(JobState.RUNNING, Instant.EPOCH));
    assertEquals(List.of("b", "a"), ids(get("/api/v1/jobs?worker=w1").json()));
    assertEquals(List.of("c", "b"), ids(get("/api/v1/jobs?worker=w2").json()));
    assertEquals(List.of(), ids(get("/api/v1/jobs?worker=w3").json()));
    assertEquals(List.of("d", "b", "a"), ids(get("/api/v1/jobs?label=team%3Ddata").json()));
    assertEquals(List.of("a"), ids(get("/api/v1/jobs?label=team=data&label=env=prod").json()));
    assertEquals(List.of("b"), ids(get("/api/v1/jobs?label=team=data&worker=w2").json()));
    assertEquals(List.of("d"), ids(get("/api/v1/jobs?label=team=data&state=RUNNING").json()));
    assertEquals(List.of("b"), ids(get("/api/v1/jobs?worker=w1&name=B").json()));
    JsonNode page = get("/api/v1/jobs?label=team=data&limit=2").json();
    assertEquals(List.of("d", "b"), ids(page));
    assertEquals("b", page.get("nextBefore").asText());
    assertEquals(List.of("a"), ids(get("/api/v1/jobs?label=team=data&limit=2&before=b").json()));
    // a value may hold '=': the key ends at the first one
    api.put(ranOn("e", 5, Map.of("expr", "a=b")));
    assertEquals(List.of("e"), ids(get("/api/v1/jobs?label=expr=a%3Db").json()));
  }

  @Test
  void badWorkerAndLabelFiltersAre400() {
    get("/api/v1/jobs?label=novalue").assertProblem(400,
        "label: 'novalue' is not key=value: use label=KEY=VALUE, e.g. label=team=data");
    get("/api/v1/jobs?label==data").assertProblem(400, "label: '=data' is not key=value: the key is empty");
    get("/api/v1/jobs?label=team=a&label=team=b").assertProblem(400, "label: 'team' is given twice");
    get("/api/v1/jobs?worker=").assertProblem(400, "worker: must be a worker id");
    String big = "x".repeat(201);
    get("/api/v1/jobs?worker=" + big).assertProblem(400, "worker: must be at most 200 characters, not 201");
    get("/api/v1/jobs?label=" + big + "=v").assertProblem(400, "label: the key must be at most 200 characters");
    get("/api/v1/jobs?label=k=" + big).assertProblem(400, "label: the value must be at most 200 characters");
    get("/api/v1/jobs?name=" + big).assertProblem(400, "name: must be at most 200 characters");
    get("/api/v1/jobs?" + "label=k=v&".repeat(17)).assertProblem(400, "label: at most 16 labels, not 17");
    JsonNode all = get("/api/v1/jobs?worker=&label=x&state=nope").assertProblem(400, "state");
    assertEquals(3, all.get("errors").size(), all.toString());
    assertEquals(0, api.leaderCalls(), "bad parameters must not reach the master");
    // the same label twice with the same value is one label
    assertEquals(200, get("/api/v1/jobs?label=k=v&label=k=v").status());
  }

  @Test
  void detailShowsSpecFieldsStateTimestampsTasksAndAttempts() {
    Instant t0 = Instant.parse("2026-03-04T05:06:07.123456Z");
    JobSpec spec = new JobSpec("mixed", Map.of("team", "data"), List.of(
        new TaskSpec("build", List.of("/bin/echo", "hi"), null, null, Map.of("A", "1"), 0.5, 256, 2, 60,
            Map.of("zone", "a"), List.of()),
        TaskSpec.handler("nap", "sleep", "{\"millis\":5}", List.of("build"))));
    AttemptRecord failed = new AttemptRecord(1, AttemptState.FAILED, "w1", 3, t0, t0.plusSeconds(1), "exit 3");
    AttemptRecord running = new AttemptRecord(2, AttemptState.RUNNING, "w2", null, t0.plusSeconds(5), null, null);
    JobRecord job = JobRecord.submitted("job-x", spec, null, t0).withState(JobState.RUNNING, t0.plusSeconds(1))
        .withTask(TaskRecord.pending("build").withAttempt(failed).withAttempt(running));
    api.put(job);

    Response r = get("/api/v1/jobs/job-x");
    assertEquals(200, r.status(), r.body());
    JsonNode body = r.json();
    assertEquals("job-x", body.get("id").asText());
    assertEquals("mixed", body.get("name").asText());
    assertEquals("data", body.get("labels").get("team").asText());
    assertEquals("RUNNING", body.get("state").asText());
    assertEquals("2026-03-04T05:06:07.123Z", body.get("submittedAt").asText());
    assertEquals("2026-03-04T05:06:08.123Z", body.get("startedAt").asText());
    assertTrue(body.get("finishedAt").isNull());

    JsonNode build = body.get("tasks").get(0);
    assertEquals("build", build.get("id").asText());
    assertEquals("RUNNING", build.get("state").asText());
    assertEquals("[\"/bin/echo\",\"hi\"]", build.get("command").toString());
    assertEquals("1", build.get("env").get("A").asText());
    assertEquals(0.5, build.get("cpus").asDouble());
    assertEquals(256, build.get("memoryMb").asInt());
    assertEquals(2, build.get("retries").asInt());
    assertEquals(60, build.get("timeoutSeconds").asInt());
    assertEquals("a", build.get("constraints").get("zone").asText());
    assertEquals(0, build.get("dependsOn").size());
    JsonNode a1 = build.get("attempts").get(0);
    assertEquals(1, a1.get("attempt").asInt());
    assertEquals("FAILED", a1.get("state").asText());
    assertEquals("w1", a1.get("workerId").asText());
    assertEquals(3, a1.get("exitCode").asInt());
    assertEquals("2026-03-04T05:06:07.123Z", a1.get("startedAt").asText());
    assertEquals("2026-03-04T05:06:08.123Z", a1.get("finishedAt").asText());
    JsonNode a2 = build.get("attempts").get(1);
    assertTrue(a2.get("exitCode").isNull());
    assertTrue(a2.get("finishedAt").isNull());

    JsonNode nap = body.get("tasks").get(1);
    assertEquals("PENDING", nap.get("state").asText());
    assertEquals("sleep", nap.get("handler").asText());
    assertTrue(nap.get("args").isObject(), "args must be a JSON object, not a string");
    assertEquals(5, nap.get("args").get("millis").asInt());
    assertEquals("[\"build\"]", nap.get("dependsOn").toString());
    assertEquals(0, nap.get("attempts").size());
  }

  @Test
  void submittedSpecRoundTripsThroughDetail() {
    String id = postJson("/api/v1/jobs", SPEC_EXAMPLE).json().get("id").asText();
    JsonNode extract = get("/api/v1/jobs/" + id).json().get("tasks").get(0);
    assertEquals("extract", extract.get("id").asText());
    assertEquals(600, extract.get("timeoutSeconds").asInt());
    JsonNode load = get("/api/v1/jobs/" + id).json().get("tasks").get(1);
    assertEquals(1.0, load.get("cpus").asDouble());
    assertEquals(128, load.get("memoryMb").asInt());
  }

  @Test
  void cancelAnswers202ThenConflictOnceFinished() {
    String id = postJson("/api/v1/jobs", SPEC_EXAMPLE).json().get("id").asText();
    Response r = postJson("/api/v1/jobs/" + id + "/cancel", "");
    assertEquals(202, r.status(), r.body());
    assertEquals(id, r.json().get("id").asText());
    assertEquals(JobState.CANCELLED, api.stored(id).orElseThrow().state());
    postJson("/api/v1/jobs/" + id + "/cancel", "").assertProblem(409, "already finished");
    postJson("/api/v1/jobs/nope/cancel", "").assertProblem(404, "no job with id 'nope'");
  }

  @Test
  void logsAreTextPlainLatestAttemptByDefault() {
    AttemptRecord a1 = new AttemptRecord(1, AttemptState.FAILED, "w1", 1, Instant.EPOCH, Instant.EPOCH, null);
    AttemptRecord a2 = new AttemptRecord(2, AttemptState.SUCCEEDED, "w1", 0, Instant.EPOCH, Instant.EPOCH, null);
    api.put(JobRecord.submitted("j", spec("j"), null, Instant.EPOCH)
        .withTask(TaskRecord.pending("t").withAttempt(a1).withAttempt(a2)));
    api.putLog("j", "t", 1, new LogResult.Found("first try\n".getBytes(StandardCharsets.UTF_8)));
    api.putLog("j", "t", 2, new LogResult.Found("out: héllo\nerr: done\n".getBytes(StandardCharsets.UTF_8)));

    Response latest = get("/api/v1/jobs/j/tasks/t/log");
    assertEquals(200, latest.status(), latest.body());
    assertEquals("text/plain; charset=UTF-8", latest.contentType());
    assertEquals("out: héllo\nerr: done\n", latest.body());
    assertEquals("first try\n", get("/api/v1/jobs/j/tasks/t/log?attempt=1").body());

    get("/api/v1/jobs/j/tasks/t/log?attempt=3").assertProblem(404, "no attempt 3");
    get("/api/v1/jobs/j/tasks/zz/log").assertProblem(404, "no task 'zz'");
    get("/api/v1/jobs/nope/tasks/t/log").assertProblem(404, "no job with id 'nope'");
    api.putLog("j", "t", 2, new LogResult.Unavailable("worker w1 is not reachable"));
    get("/api/v1/jobs/j/tasks/t/log").assertProblem(503, "worker w1 is not reachable");
  }

  @Test
  void badQueryParametersAre400() {
    get("/api/v1/jobs?state=BOGUS").assertProblem(400, "'BOGUS' is not a job state");
    get("/api/v1/jobs?limit=0").assertProblem(400, "limit: must be an integer from 1 to 1000");
    get("/api/v1/jobs?limit=1001").assertProblem(400, "limit");
    get("/api/v1/jobs?limit=ten").assertProblem(400, "not 'ten'");
    JsonNode both = get("/api/v1/jobs?state=x&limit=-1").assertProblem(400, "state");
    assertEquals(2, both.get("errors").size());
    assertEquals("state", both.get("errors").get(0).get("path").asText());
    get("/api/v1/jobs/j/tasks/t/log?attempt=0").assertProblem(400, "attempt: must be a positive integer");
    get("/api/v1/jobs/j/tasks/t/log?attempt=x").assertProblem(400, "attempt");
    assertEquals(0, api.leaderCalls(), "bad parameters must not reach the master");
  }

  static JobSpec spec(String name) {
    return new JobSpec(name, Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())));
  }

  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("jobs").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
