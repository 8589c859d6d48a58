package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SPEC.md Guarantee 5: bad input gets a clear 4xx problem+json and changes nothing. */
class BadInputTest extends RestTestSupport {

  @AfterEach
  void nothingWasCreated() {
    assertEquals(0, api.jobCount(), "a rejected request must create nothing");
    assertEquals(0, api.leaderCalls(), "a rejected submission must not reach the master");
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of("malformed JSON", "{\"name\": \"x\", \"tasks\": [", "malformed-json", "malformed JSON", null),
        Arguments.of("not an object", "[]", "invalid-job", "must be a JSON object", ""),
        Arguments.of("unknown field", "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[\"x\"],\"cpu\":2}]}",
            "invalid-job", "tasks[0].cpu: unknown field", "tasks[0].cpu"),
        Arguments.of("empty command", "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[]}]}",
            "invalid-job", "tasks[0].command: must not be empty", "tasks[0].command"),
        Arguments.of("unknown dependency",
            "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[\"x\"],\"dependsOn\":[\"ghost\"]}]}",
            "invalid-job", "unknown task 'ghost'", "tasks[0].dependsOn[0]"),
        Arguments.of("cyclic dependencies", "{\"name\":\"x\",\"tasks\":["
            + "{\"id\":\"a\",\"command\":[\"x\"],\"dependsOn\":[\"b\"]},"
            + "{\"id\":\"b\",\"command\":[\"x\"],\"dependsOn\":[\"a\"]}]}",
            "invalid-job", "dependency cycle: a -> b -> a", "tasks[0].dependsOn"),
        Arguments.of("duplicate task ids", "{\"name\":\"x\",\"tasks\":["
            + "{\"id\":\"a\",\"command\":[\"x\"]},{\"id\":\"a\",\"command\":[\"y\"]}]}",
            "invalid-job", "duplicate task id 'a'", "tasks[1].id"),
        Arguments.of("impossible cpus", "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[\"x\"],\"cpus\":5000}]}",
            "invalid-job", "tasks[0].cpus: must be > 0 and <= 1024", "tasks[0].cpus"),
        Arguments.of("impossible memory", "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"command\":[\"x\"],\"memoryMb\":0}]}",
            "invalid-job", "tasks[0].memoryMb: must be between 1 and 4194304", "tasks[0].memoryMb"),
        Arguments.of("no tasks", "{\"name\":\"x\",\"tasks\":[]}", "invalid-job", "at least one task", "tasks"),
        Arguments.of("empty body", "", "malformed-json", "empty", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void badSpecIs400ProblemJson(String name, String body, String type, String detail, String errorPath) {
    JsonNode p = postJson("/api/v1/jobs", body).assertProblem(400, detail);
    assertEquals("https://baton.dev/problems/" + type, p.get("type").asText());
    if (errorPath != null) {
      JsonNode errors = p.get("errors");
      assertTrue(errors.isArray() && !errors.isEmpty(), p::toString);
      assertEquals(errorPath, errors.get(0).get("path").asText());
      assertTrue(errors.get(0).get("message").asText().length() > 5);
    }
  }

  @Test
  void everyViolationIsListed() {
    JsonNode p = postJson("/api/v1/jobs", "{\"name\":\"\",\"tasks\":[{\"id\":\"a\",\"command\":[]},"
        + "{\"id\":\"a\",\"handler\":\"noop\",\"cpus\":0}]}").assertProblem(400, "problems");
    assertEquals(4, p.get("errors").size(), p::toString);
  }

  @Test
  void twoMebibyteBodyIs413() {
    String big = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"tasks\":[]}";
    postJson("/api/v1/jobs", big).assertProblem(413, "exceeds the limit of 1048576 bytes");
    assertEquals(200, get("/healthz").status(), "the server must still answer");
  }

  @Test
  void twoMebibyteChunkedBodyIs413() {
    byte[] big = ("{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"tasks\":[]}").getBytes();
    // The server answers 413 at the limit and closes the connection while the client still sends the rest; now
    // and then the kernel's reset for the unread rest reaches the client before the answer does. So: a few tries,
    // one of which must read the 413.
    AssertionError cut = null;
    for (int tries = 0; tries < 3; tries++) {
      try {
        send(HttpRequest.newBuilder(uri("/api/v1/jobs"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))))
            .assertProblem(413, "exceeds the limit");
        cut = null;
        break;
      } catch (AssertionError e) {
        if (!String.valueOf(e.getMessage()).startsWith("request failed")) {
          throw e;
        }
        cut = e;
      }
    }
    if (cut != null) {
      throw cut;
    }
    assertEquals(200, get("/healthz").status());
  }

  @Test
  void bodyJustUnderTheLimitIsParsed() {
    String padded = "{\"name\":\"x\",\"tasks\":[]" + " ".repeat(1024 * 1024 - 40) + "}";
    postJson("/api/v1/jobs", padded).assertProblem(400, "at least one task");
  }

  @Test
  void nesting5000LevelsDeepIs400AndTheServerKeepsAnswering() {
    String deep = "{\"name\":\"x\",\"tasks\":[{\"id\":\"a\",\"handler\":\"noop\",\"args\":"
        + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) + "}]}";
    postJson("/api/v1/jobs", deep).assertProblem(400, "nesting depth");
    postJson("/api/v1/jobs", "[".repeat(5000) + "]".repeat(5000)).assertProblem(400, "nesting depth");
    assertEquals(200, get("/healthz").status());
    assertEquals(200, get("/api/v1/cluster").status());
  }

  @Test
  void wrongContentTypeIs415() {
    send(HttpRequest.newBuilder(uri("/api/v1/jobs"))
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("{}")))
        .assertProblem(415, "application/json");
  }

  @Test
  void badIdempotencyKeyIs400() {
    postJson("/api/v1/jobs", JobsRoutesTest.SPEC_EXAMPLE, "Idempotency-Key", "x".repeat(300))
        .assertProblem(400, "Idempotency-Key: must be 1 to 200 characters");
  }

  @Test
  void unknownIdsAndRoutesAre404() {
    get("/api/v1/jobs/no-such-job").assertProblem(404, "no job with id 'no-such-job'");
    get("/api/v1/nothing-here").assertProblem(404, "");
    get("/nothing-here").assertProblem(404, "");
    postJson("/api/v1/jobs/no-such-job/cancel", "").assertProblem(404, "no-such-job");
    // these reach the master by design (it alone knows the ids); reset the counter for the @AfterEach check
    api = new TestingMasterApi();
  }

  @Test
  void wrongMethodIs405WithAllow() {
    Response r = send(HttpRequest.newBuilder(uri("/api/v1/jobs")).DELETE());
    r.assertProblem(405, "GET");
    assertTrue(r.headers().firstValue("Allow").orElse("").contains("POST"), r.headers()::toString);
    send(HttpRequest.newBuilder(uri("/api/v1/jobs/x/cancel")).GET()).assertProblem(405, "POST");
  }
}
