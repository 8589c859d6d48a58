package io.baton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What needs no server: URL parsing and its messages. */
class BatonClientTest {
  @Test
  void parsesACommaSeparatedListOfMasters() {
    assertEquals(List.of(URI.create("http://a:8080"), URI.create("https://b:9090/base")),
        BatonClient.parseUrls("http://a:8080/, https://b:9090/base/"));
  }

  @Test
  void aUrlWithoutSchemeSaysSo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BatonClient.parseUrls("localhost:18501"));
    assertEquals("'localhost:18501' is not a master URL: it lacks the scheme (try http://localhost:18501)",
        e.getMessage());
  }

  @Test
  void otherBadUrlsSayWhatIsWrong() {
    assertEquals("'ftp://x' is not a master URL: the scheme must be http or https, not ftp",
        assertThrows(IllegalArgumentException.class, () -> BatonClient.parseUrls("ftp://x")).getMessage());
    assertEquals("'http://' is not a master URL: Expected authority",
        assertThrows(IllegalArgumentException.class, () -> BatonClient.parseUrls("http://")).getMessage());
    assertEquals("no master URL given (e.g. --url http://localhost:8080)",
        assertThrows(IllegalArgumentException.class, () -> BatonClient.parseUrls(" , ")).getMessage());
  }

  @Test
  void problemsKeepEveryValidationError() {
    var body = BatonClient.JSON.createObjectNode();
    body.put("type", "https://baton.dev/problems/invalid-job").put("title", "Invalid job spec").put("status", 400)
        .put("detail", "the job spec has 2 problems; first: tasks[0].cpus: must be positive");
    body.putArray("errors").add(BatonClient.JSON.createObjectNode().put("path", "tasks[0].cpus")
        .put("message", "must be positive")).add(BatonClient.JSON.createObjectNode().put("path", "name")
        .put("message", "is required"));
    Problem p = Problem.from(400, body, body.toString());
    assertEquals("invalid-job", p.slug());
    assertEquals(List.of("tasks[0].cpus: must be positive", "name: is required"),
        p.errors().stream().map(Problem.Violation::toString).toList());
  }
}
