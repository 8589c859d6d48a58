package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The schedule routes sit behind the same scoped tokens as the others. */
class SchedulesRoutesTokensTest extends RestTestSupport {
  static final String WRITE = "write-token-1";
  static final String READ = "read-token-1";

  @Override
  RestSettings settings() {
    return new RestSettings("127.0.0.1", 0, Optional.of(WRITE), 1024 * 1024, Duration.ofSeconds(5)).withReadToken(READ);
  }

  private Response getWith(String path, String token) {
    return send(HttpRequest.newBuilder(uri(path)).GET().header("Authorization", "Bearer " + token));
  }

  @Test
  void theReadTokenCanReadButNotWrite() {
    assertEquals(201, postJson("/api/v1/schedules", SchedulesRoutesTest.EVERY_MINUTE,
        "Authorization", "Bearer " + WRITE).status());
    assertEquals(200, getWith("/api/v1/schedules", READ).status());
    assertEquals(200, getWith("/api/v1/schedules/every-minute", READ).status());
    get("/api/v1/schedules").assertProblem(401, "Authorization: Bearer");

    postJson("/api/v1/schedules", SchedulesRoutesTest.EVERY_MINUTE.replace("every-minute", "other"),
        "Authorization", "Bearer " + READ).assertProblem(403, "read token");
    for (String action : new String[] {"pause", "resume", "trigger"}) {
      postJson("/api/v1/schedules/every-minute/" + action, "", "Authorization", "Bearer " + READ)
          .assertProblem(403, "read token");
    }
    send(HttpRequest.newBuilder(uri("/api/v1/schedules/every-minute")).DELETE()
        .header("Authorization", "Bearer " + READ)).assertProblem(403, "read token");
    send(HttpRequest.newBuilder(uri("/api/v1/schedules/every-minute")).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(SchedulesRoutesTest.EVERY_MINUTE))
        .header("Authorization", "Bearer " + READ)).assertProblem(403, "read token");
    postJson("/api/v1/schedules/every-minute/pause", "").assertProblem(401, "Authorization: Bearer");

    assertTrue(api.storedSchedule("other").isEmpty());
    assertEquals(false, api.storedSchedule("every-minute").orElseThrow().paused());
    assertEquals(0, api.jobCount());
  }
}
