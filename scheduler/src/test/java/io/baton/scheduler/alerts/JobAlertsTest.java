package io.baton.scheduler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.job.Webhook;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobAlertsTest {
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JobRecord job(JobState state, List<Webhook> webhooks) {
    JobSpec spec = new JobSpec("etl", Map.of("team", "data"), List.of(TaskSpec.handler("t", "noop", null, List.of())),
        webhooks);
    JobRecord job = JobRecord.submitted("j1", spec, null, T0);
    return state == JobState.PENDING ? job : job.withState(state, T0.plusSeconds(5));
  }

  private static final List<Webhook> HOOKS = List.of(
      new Webhook("https://a.example/", "ops", List.of(AlertEvent.FAILED), 0),
      new Webhook("https://b.example/", "pager", List.of(AlertEvent.SUCCEEDED, AlertEvent.FAILED), 0),
      new Webhook("https://c.example/", "ops", List.of(AlertEvent.RUNNING_LONG), 60));

  @Test
  void aTerminalTransitionRaisesOneAlertPerWebhookThatWantsIt() {
    JobRecord running = job(JobState.RUNNING, HOOKS);
    JobRecord failed = running.withTask(TaskRecord.pending("t").withAttempt(
        new AttemptRecord(1, AttemptState.FAILED, "w1", 3, T0.plusSeconds(1), T0.plusSeconds(4), null)))
        .withState(JobState.FAILED, T0.plusSeconds(6));
    List<Alert> alerts = JobAlerts.onChange(running, failed, T0.plusSeconds(6), "http://m1:8080/");
    assertEquals(List.of("j1.FAILED.0", "j1.FAILED.1"), alerts.stream().map(Alert::id).toList());
    assertEquals(List.of("https://a.example/", "https://b.example/"), alerts.stream().map(Alert::url).toList());
    assertEquals(List.of("ops", "pager"), alerts.stream().map(Alert::secret).toList());
    assertEquals(List.of("j1.SUCCEEDED.1"), JobAlerts.onChange(running, job(JobState.SUCCEEDED, HOOKS), T0, "")
        .stream().map(Alert::id).toList());
    assertEquals(List.of(), JobAlerts.onChange(failed, failed, T0, ""), "no transition, no alert");
    assertEquals(List.of(), JobAlerts.onChange(running, job(JobState.CANCELLED, HOOKS), T0, ""), "cancelled");
    assertEquals(List.of(), JobAlerts.onChange(running, job(JobState.FAILED, List.of()), T0, ""), "no webhooks");
  }

  @Test
  void theBodyCarriesTheEventTheJobTheReasonAndALink() throws Exception {
    JobRecord running = job(JobState.RUNNING, HOOKS);
    JobRecord failed = running.withTask(TaskRecord.pending("t").withAttempt(
        new AttemptRecord(1, AttemptState.FAILED, "w1", 3, T0.plusSeconds(1), T0.plusSeconds(4), "exit code 3")))
        .withState(JobState.FAILED, T0.plusSeconds(6));
    JsonNode body = JSON.readTree(JobAlerts.onChange(running, failed, T0.plusSeconds(7), "http://m1:8080/").get(0)
        .body());
    assertEquals("j1.FAILED.0", body.get("id").asText());
    assertEquals("FAILED", body.get("event").asText());
    assertEquals("j1", body.at("/job/id").asText());
    assertEquals("etl", body.at("/job/name").asText());
    assertEquals("FAILED", body.at("/job/state").asText());
    assertEquals("data", body.at("/job/labels/team").asText());
    assertEquals("2026-11-28T10:00:00Z", body.at("/job/submittedAt").asText());
    assertEquals("2026-11-28T10:00:06Z", body.at("/job/finishedAt").asText());
    assertEquals("t FAILED after 1 attempt: exit code 3", body.get("reason").asText());
    assertEquals("2026-11-28T10:00:07Z", body.get("raisedAt").asText());
    assertEquals("http://m1:8080/api/v1/jobs/j1", body.get("link").asText());
  }

  @Test
  void aHugeReasonIsCutToKeepTheBodyBounded() {
    JobRecord running = job(JobState.RUNNING, HOOKS);
    JobRecord failed = running.withTask(TaskRecord.pending("t").withAttempt(
        new AttemptRecord(1, AttemptState.FAILED, "w1", 3, T0, T0, "x".repeat(100_000))))
        .withState(JobState.FAILED, T0);
    Alert alert = JobAlerts.onChange(running, failed, T0, "").get(0);
    assertTrue(alert.body().length <= Alert.MAX_BODY_BYTES, alert.body().length + " bytes");
    assertTrue(alert.bodyText().contains("xxx..."), "cut, and says so");
  }

  @Test
  void runningLongIsDueOncePerAttemptAndWebhookAtItsThreshold() {
    JobRecord running = job(JobState.RUNNING, HOOKS).withTask(TaskRecord.pending("t").withAttempt(
        new AttemptRecord(2, AttemptState.RUNNING, "w1", null, T0.plusSeconds(10), null, null)));
    assertEquals(Optional.of(T0.plusSeconds(70)), JobAlerts.nextRunningLongDue(running, Set.of()));
    assertEquals(List.of(), JobAlerts.runningLong(running, T0.plusSeconds(69), Set.of(), ""));
    List<Alert> due = JobAlerts.runningLong(running, T0.plusSeconds(70), Set.of(), "");
    assertEquals(List.of("j1.t.2.RUNNING_LONG.2"), due.stream().map(Alert::id).toList());
    assertEquals("https://c.example/", due.get(0).url());
    assertEquals(List.of(), JobAlerts.runningLong(running, T0.plusSeconds(900), Set.of("j1.t.2.RUNNING_LONG.2"), ""),
        "raised already");
    assertEquals(Optional.empty(), JobAlerts.nextRunningLongDue(running, Set.of("j1.t.2.RUNNING_LONG.2")));
    JobRecord scheduled = job(JobState.RUNNING, HOOKS).withTask(TaskRecord.pending("t").withAttempt(
        AttemptRecord.scheduled(1, "w1")));
    assertEquals(Optional.empty(), JobAlerts.nextRunningLongDue(scheduled, Set.of()), "not running yet");
  }
}
