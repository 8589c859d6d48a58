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
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/jobs/{id}/rerun} and the links it makes ({@code rerunOf}, {@code reruns}). */
class RerunRoutesTest extends RestTestSupport {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  /** a succeeded, b (after a) failed. */
  private JobRecord halfFailed() {
    JobSpec spec = new JobSpec("half", null, List.of(TaskSpec.handler("a", "noop", null, null),
        TaskSpec.handler("b", "noop", null, List.of("a"))));
    JobRecord job = JobRecord.submitted("job-old", spec, null, T)
        .withTask(TaskRecord.pending("a").withAttempt(new AttemptRecord(1, AttemptState.SUCCEEDED, "w1", 0, T, T, null)))
        .withTask(TaskRecord.pending("b").withAttempt(new AttemptRecord(1, AttemptState.FAILED, "w1", 1, T, T, "exit 1")))
        .withState(JobState.FAILED, T);
    api.put(job);
    return job;
  }

  @Test
  void aRerunIsCreatedReusingWhatSucceededAndLinkedBothWays() {
    halfFailed();
    Response r = postJson("/api/v1/jobs/job-old/rerun", "");
    assertEquals(201, r.status(), r.body());
    String id = r.json().get("id").asText();
    assertEquals("PENDING", r.json().get("state").asText());
    assertEquals("job-old", r.json().get("rerunOf").asText());
    assertEquals("/api/v1/jobs/" + id, r.headers().firstValue("Location").orElseThrow());

    JsonNode rerun = get("/api/v1/jobs/" + id).json();
    assertEquals("job-old", rerun.get("rerunOf").asText());
    assertEquals(0, rerun.get("reruns").size());
    JsonNode a = rerun.get("tasks").get(0);
    assertEquals("SUCCEEDED", a.get("state").asText());
    assertTrue(a.get("attempts").get(0).get("message").asText().startsWith("reused: succeeded in job job-old"),
        a.toString());
    assertEquals("PENDING", rerun.get("tasks").get(1).get("state").asText());
    assertEquals(0, rerun.get("tasks").get(1).get("attempts").size());

    JsonNode old = get("/api/v1/jobs/job-old").json();
    assertTrue(old.get("rerunOf").isNull());
    assertEquals(List.of(id), List.of(old.get("reruns").get(0).asText()));
    assertEquals(1, old.get("reruns").size());
  }

  @Test
  void anUnknownJobIs404AndOneNotFinishedOrSucceededIs409() {
    postJson("/api/v1/jobs/nope/rerun", "").assertProblem(404, "nope");
    Response submitted = postJson("/api/v1/jobs", "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[\"true\"]}]}");
    String running = submitted.json().get("id").asText();
    postJson("/api/v1/jobs/" + running + "/rerun", "").assertProblem(409, "has not finished");
    assertEquals(405, get("/api/v1/jobs/" + running + "/rerun").status());
  }
}
