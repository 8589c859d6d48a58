package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A webhook naming a secret this master does not have is refused at submit (job and schedule), naming the webhook
 * and the secrets it has, and nothing reaches the master; a known secret, or a master that cannot say (nothing
 * checked), is accepted.
 */
class AlertSecretsRoutesTest extends RestTestSupport {
  private static String job(String secret) {
    return "{\"name\": \"n\", \"tasks\": [{\"id\": \"a\", \"command\": [\"/bin/true\"]}], \"notify\": ["
        + "{\"url\": \"https://hooks.example/a\", \"secret\": \"ops\"},"
        + "{\"url\": \"https://hooks.example/b\", \"secret\": \"" + secret + "\", \"on\": [\"SUCCEEDED\"]}]}";
  }

  @Test
  void aJobNamingAnUnknownSecretIsRefusedAndChangesNothing() {
    api.knowsSecrets("ops", "oncall");
    JsonNode problem = postJson("/api/v1/jobs", job("opps"))
        .assertProblem(400, "notify[1].secret: no secret named 'opps' on this master; it has [oncall, ops]");
    assertEquals("notify[1].secret", problem.path("errors").get(0).path("path").asText());
    assertEquals(1, problem.path("errors").size(), "the known secret of notify[0] is fine");
    assertEquals(0, api.leaderCalls(), "a refused submission must not reach the master");

    assertEquals(201, postJson("/api/v1/jobs", job("oncall")).status());
  }

  @Test
  void aScheduleWhoseJobNamesAnUnknownSecretIsRefused() {
    api.knowsSecrets("ops");
    String schedule = "{\"name\": \"nightly\", \"cron\": \"0 2 * * *\", \"job\": " + job("nope") + "}";
    JsonNode problem = postJson("/api/v1/schedules", schedule).assertProblem(400, "job.notify[1].secret: no secret named 'nope'");
    assertEquals("job.notify[1].secret", problem.path("errors").get(0).path("path").asText());
    assertEquals(0, api.leaderCalls());
  }

  @Test
  void aMasterWithNoSecretsSaysWhereTheyComeFrom() {
    api.knowsSecrets();
    postJson("/api/v1/jobs", job("ops")).assertProblem(400, "it has none (add it to the file baton.alerts.secrets-file names");
  }

  @Test
  void aMasterThatCannotSayChecksNothing() {
    assertEquals(201, postJson("/api/v1/jobs", job("anything")).status());
  }
}
