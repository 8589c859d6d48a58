package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.schedule.Overlap;
import io.baton.scheduler.api.ScheduleView.FireView;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulesRoutesTest extends RestTestSupport {
  static final String JOB = """
      {"name": "tick", "tasks": [{"id": "a", "command": ["/bin/sh", "-c", "echo $BATON_SCHEDULED_TIME"],
        "secretEnv": {"PASSWORD": "hunter2"}}]}""";
  static final String EVERY_MINUTE = "{\"name\": \"every-minute\", \"cron\": \"* * * * *\", \"job\": " + JOB + "}";

  private Response put(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  private Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private static String schedule(String name, String cron) {
    return "{\"name\": \"" + name + "\", \"cron\": \"" + cron + "\", \"job\": " + JOB + "}";
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void createAnswers201WithLocationAndTheScheduleWithDefaults() {
    Response r = postJson("/api/v1/schedules", EVERY_MINUTE);
    assertEquals(201, r.status(), r.body());
    assertEquals("application/json", r.contentType());
    assertEquals("/api/v1/schedules/every-minute", r.headers().firstValue("Location").orElseThrow());
    JsonNode s = r.json();
    assertEquals("every-minute", s.get("name").asText());
    assertEquals("* * * * *", s.get("cron").asText());
    assertEquals("unix", s.get("syntax").asText());
    assertEquals("UTC", s.get("timezone").asText());
    assertTrue(s.get("startAt").isNull());
    assertTrue(s.get("endAt").isNull());
    assertEquals("fire-once", s.get("misfire").asText());
    assertEquals("allow", s.get("overlap").asText());
    assertEquals("tick", s.get("job").get("name").asText());
    assertEquals("[\"/bin/sh\",\"-c\",\"echo $BATON_SCHEDULED_TIME\"]",
        s.get("job").get("tasks").get(0).get("command").toString());
    assertFalse(r.body().contains("hunter2"), "a secret's value never leaves the master: " + r.body());
    assertTrue(s.get("job").get("tasks").get(0).get("secretEnv").has("PASSWORD"));
    assertFalse(s.get("paused").asBoolean());
    assertEquals("2026-03-01T10:00:30Z", s.get("createdAt").asText());
    assertEquals(List.of("2026-03-01T10:01:00Z", "2026-03-01T10:02:00Z", "2026-03-01T10:03:00Z",
        "2026-03-01T10:04:00Z", "2026-03-01T10:05:00Z"), texts(s.get("nextFires")));
    assertEquals(0, s.get("lastFires").size());
    assertEquals(List.of("name", "cron", "syntax", "timezone", "startAt", "endAt", "misfire", "overlap", "job",
        "paused", "createdAt", "nextFires", "lastFires"), fieldNames(s));
    assertEquals(Overlap.ALLOW, api.storedSchedule("every-minute").orElseThrow().spec().overlap());
  }

  @Test
  void createOfATakenNameAnswers409AndChangesNothing() {
    assertEquals(201, postJson("/api/v1/schedules", EVERY_MINUTE).status());
    postJson("/api/v1/schedules", schedule("every-minute", "0 * * * *")).assertProblem(409, "already exists");
    assertEquals("* * * * *", api.storedSchedule("every-minute").orElseThrow().spec().cron());
  }

  @Test
  void listIsByNameUnderSchedules() {
    for (String name : List.of("charlie", "alpha", "bravo")) {
      assertEquals(201, postJson("/api/v1/schedules", schedule(name, "0 3 * * *")).status());
    }
    Response r = get("/api/v1/schedules");
    assertEquals(200, r.status(), r.body());
    JsonNode all = r.json().get("schedules");
    assertEquals(List.of("alpha", "bravo", "charlie"), List.of(all.get(0).get("name").asText(),
        all.get(1).get("name").asText(), all.get(2).get("name").asText()));
    assertEquals("2026-03-02T03:00:00Z", all.get(0).get("nextFires").get(0).asText());
  }

  @Test
  void anEmptyListIsAnEmptyArray() {
    assertEquals("{\"schedules\":[]}", get("/api/v1/schedules").body());
  }

  @Test
  void showAnswersTheScheduleWithItsLastFiresOr404() {
    postJson("/api/v1/schedules", EVERY_MINUTE);
    api.putFire("every-minute", new FireView("every-minute@2026-03-01T09:59:00Z",
        Instant.parse("2026-03-01T09:59:00Z"), "job-000042", "SUCCEEDED"));
    api.putFire("every-minute", new FireView("every-minute@2026-03-01T10:00:00Z",
        Instant.parse("2026-03-01T10:00:00Z"), null, "SKIPPED"));
    Response r = get("/api/v1/schedules/every-minute");
    assertEquals(200, r.status(), r.body());
    JsonNode last = r.json().get("lastFires");
    assertEquals(2, last.size());
    assertEquals("every-minute@2026-03-01T10:00:00Z", last.get(0).get("id").asText());
    assertEquals("2026-03-01T10:00:00Z", last.get(0).get("scheduledAt").asText());
    assertTrue(last.get(0).get("jobId").isNull());
    assertEquals("SKIPPED", last.get(0).get("state").asText());
    assertEquals("job-000042", last.get(1).get("jobId").asText());
    assertEquals("SUCCEEDED", last.get(1).get("state").asText());
    get("/api/v1/schedules/nope").assertProblem(404, "no schedule named 'nope'");
  }

  @Test
  void putCreatesWith201ThenReplacesWith200() {
    Response created = put("/api/v1/schedules/nightly", "{\"cron\": \"0 2 * * *\", \"job\": " + JOB + "}");
    assertEquals(201, created.status(), created.body());
    assertEquals("/api/v1/schedules/nightly", created.headers().firstValue("Location").orElseThrow());
    assertEquals("nightly", created.json().get("name").asText());
    Response replaced = put("/api/v1/schedules/nightly",
        "{\"name\": \"nightly\", \"cron\": \"0 4 * * *\", \"timezone\": \"Europe/Berlin\", \"job\": " + JOB + "}");
    assertEquals(200, replaced.status(), replaced.body());
    assertEquals("0 4 * * *", replaced.json().get("cron").asText());
    assertEquals("Europe/Berlin", replaced.json().get("timezone").asText());
    assertEquals("2026-03-02T03:00:00Z", replaced.json().get("nextFires").get(0).asText(), "04:00 in Berlin");
    assertEquals("0 4 * * *", api.storedSchedule("nightly").orElseThrow().spec().cron());
  }

  @Test
  void putKeepsThePausedState() {
    postJson("/api/v1/schedules", EVERY_MINUTE);
    postJson("/api/v1/schedules/every-minute/pause", "");
    Response replaced = put("/api/v1/schedules/every-minute", schedule("every-minute", "*/2 * * * *"));
    assertEquals(200, replaced.status(), replaced.body());
    assertTrue(replaced.json().get("paused").asBoolean());
  }

  @Test
  void putWithAnotherNameInTheBodyAnswers400() {
    JsonNode p = put("/api/v1/schedules/nightly", schedule("daily", "0 2 * * *"))
        .assertProblem(400, "differs from the name in the path");
    assertEquals("name", p.get("errors").get(0).get("path").asText());
    assertTrue(api.storedSchedule("nightly").isEmpty());
    assertTrue(api.storedSchedule("daily").isEmpty());
  }

  @Test
  void deleteAnswers204Then404() {
    postJson("/api/v1/schedules", EVERY_MINUTE);
    Response r = delete("/api/v1/schedules/every-minute");
    assertEquals(204, r.status(), r.body());
    assertEquals("", r.body());
    assertTrue(api.storedSchedule("every-minute").isEmpty());
    delete("/api/v1/schedules/every-minute").assertProblem(404, "no schedule named 'every-minute'");
  }

  @Test
  void pauseAndResumeAnswer200WithTheSchedule() {
    postJson("/api/v1/schedules", EVERY_MINUTE);
    Response paused = postJson("/api/v1/schedules/every-minute/pause", "");
    assertEquals(200, paused.status(), paused.body());
    assertTrue(paused.json().get("paused").asBoolean());
    assertEquals(0, paused.json().get("nextFires").size(), "nothing fires while paused");
    api.setNow(Instant.parse("2026-03-01T11:30:10Z"));
    Response resumed = postJson("/api/v1/schedules/every-minute/resume", "");
    assertEquals(200, resumed.status(), resumed.body());
    assertFalse(resumed.json().get("paused").asBoolean());
    assertEquals("2026-03-01T11:31:00Z", resumed.json().get("nextFires").get(0).asText(), "from now on");
    postJson("/api/v1/schedules/nope/pause", "").assertProblem(404, "no schedule named 'nope'");
    postJson("/api/v1/schedules/nope/resume", "").assertProblem(404, "no schedule named 'nope'");
  }

  @Test
  void triggerAnswers202WithTheJobIdOr404() {
    postJson("/api/v1/schedules", EVERY_MINUTE);
    Response r = postJson("/api/v1/schedules/every-minute/trigger", "");
    assertEquals(202, r.status(), r.body());
    String jobId = r.json().get("jobId").asText();
    assertEquals("/api/v1/jobs/" + jobId, r.headers().firstValue("Location").orElseThrow());
    assertEquals("tick", api.stored(jobId).orElseThrow().spec().name());
    assertEquals("every-minute@2026-03-01T10:00:30Z", api.stored(jobId).orElseThrow().idempotencyKey());
    JsonNode last = get("/api/v1/schedules/every-minute").json().get("lastFires");
    assertEquals(jobId, last.get(0).get("jobId").asText());
    postJson("/api/v1/schedules/nope/trigger", "").assertProblem(404, "no schedule named 'nope'");
    assertEquals(1, api.jobCount());
  }

  @Test
  void everyViolationAtOnceAnswers400AndChangesNothing() {
    String bad = """
        {"name": "bad", "cron": "* * *", "timezone": "Europe/Atlantis", "misfire": "sometimes",
         "overlap": "maybe", "job": {"name": "j", "tasks": [{"id": "a", "command": [], "cpus": 0}]}}""";
    JsonNode p = postJson("/api/v1/schedules", bad).assertProblem(400, "the schedule has 6 problems");
    assertEquals("https://baton.dev/problems/invalid-schedule", p.get("type").asText());
    List<String> paths = new ArrayList<>();
    p.get("errors").forEach(e -> paths.add(e.get("path").asText()));
    assertEquals(List.of("cron", "timezone", "misfire", "overlap", "job.tasks[0].command", "job.tasks[0].cpus"),
        paths);
    assertTrue(p.get("errors").get(0).get("message").asText().contains("has 3 fields"), p::toString);
    assertTrue(api.storedSchedule("bad").isEmpty());
    JsonNode onPut = put("/api/v1/schedules/bad", bad).assertProblem(400, "the schedule has 6 problems");
    assertEquals(6, onPut.get("errors").size());
  }

  @Test
  void malformedJsonAndWrongContentType() {
    postJson("/api/v1/schedules", "{\"name\": ").assertProblem(400, "malformed JSON");
    Response text = send(HttpRequest.newBuilder(uri("/api/v1/schedules")).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(EVERY_MINUTE)));
    text.assertProblem(415, "application/json");
    assertTrue(api.storedSchedule("every-minute").isEmpty());
  }

  @Test
  void aBodyOverTheLimitAnswers413() {
    String huge = EVERY_MINUTE.replace("\"tick\"", "\"" + "x".repeat(1024 * 1024) + "\"");
    postJson("/api/v1/schedules", huge).assertProblem(413, "exceeds the limit");
  }

  @Test
  void aStandbyWithoutLeaderAnswers503() {
    api.notLeader(java.util.Optional.empty());
    get("/api/v1/schedules").assertProblem(503, "no leader");
    postJson("/api/v1/schedules", EVERY_MINUTE).assertProblem(503, "no leader");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
