package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules by which CliE2E compares README's tour with a real run: what is a command, what matches. */
class ReadmeTourTest {
  private static final String README = """
      # Baton

      ## Quick start

      ```
      $ bin/baton standalone          # log lines trimmed
      Baton standalone is up
      ```

      ## Five-minute tour

      ```json
      {"name": "not a command"}
      ```

      ```
      $ curl -si -X POST localhost:8080/api/v1/jobs \\
          --data-binary @docs/examples/etl.json
      HTTP/1.1 201 Created
      Location: /api/v1/jobs/01a2039ac8c30000

      {"id":"01a2039ac8c30000","state":"PENDING"}

      $ bin/baton job 01a2039ac8c30000 -o json   # an earlier run
                                                 # (a remark, not output)
      ```

      ## Command line

      ```
      $ bin/baton jobs --url localhost:8080
      ```
      """;

  private static ReadmeTour.Step step(String command, String expected) {
    return new ReadmeTour.Step(1, command, expected);
  }

  @Test
  void commandsAreTheDollarLinesOfPlainBlocksInTheTourSections() {
    List<ReadmeTour.Step> steps = ReadmeTour.steps(README);
    assertEquals(3, steps.size(), steps.toString());
    assertEquals("bin/baton standalone", steps.get(0).bare());
    assertEquals("Baton standalone is up", steps.get(0).expected());
    assertEquals("curl -si -X POST localhost:8080/api/v1/jobs \\\n    --data-binary @docs/examples/etl.json",
        steps.get(1).command());
    assertEquals(17, steps.get(1).line());
    assertEquals("HTTP/1.1 201 Created\nLocation: /api/v1/jobs/01a2039ac8c30000\n\n"
        + "{\"id\":\"01a2039ac8c30000\",\"state\":\"PENDING\"}", steps.get(1).expected());
    assertEquals("bin/baton job 01a2039ac8c30000 -o json", steps.get(2).bare());
    assertEquals("", steps.get(2).expected(), "remarks and trailing blank lines are not output");
  }

  @Test
  void anHttpAnswerKeepsTheHeadersReadmeShowsAndTeachesTheJobId() {
    ReadmeTour tour = new ReadmeTour(Map.of());
    ReadmeTour.Step post = ReadmeTour.steps(README).get(1);
    String real = "HTTP/1.1 201 Created\r\nLocation: /api/v1/jobs/01a2241032650000\r\nServer: pekko-http/1.3.0\r\n"
        + "Date: Sat, 28 Nov 2026 21:29:09 GMT\r\nContent-Length: 43\r\n\r\n"
        + "{\"id\":\"01a2241032650000\",\"state\":\"PENDING\"}";
    assertEquals(Optional.empty(), tour.mismatch(post, real, 18571));
    assertEquals(Optional.of("01a2241032650000"), tour.real("01a2039ac8c30000"));
    assertEquals("curl -si -X POST 127.0.0.1:18571/api/v1/jobs \\\n    --data-binary @docs/examples/etl.json",
        tour.runnable(post, "127.0.0.1:18571"));
    assertEquals("bin/baton job 01a2241032650000 -o json   # an earlier run",
        tour.runnable(ReadmeTour.steps(README).get(2), "127.0.0.1:18571"));
  }

  @Test
  void aJobIdMustBeTheOneLearnedAndTheSameIdTheSameJob() {
    ReadmeTour tour = new ReadmeTour(Map.of());
    assertEquals(Optional.empty(), tour.mismatch(step("x", "01a2039ac8c30000"), "01a2241032650000\n", 1));
    assertTrue(tour.mismatch(step("x", "job 01a2039ac8c30000"), "job 01a2241032650001\n", 1).isPresent(),
        "README's id now stands for 01a2241032650000 only");
    ReadmeTour fresh = new ReadmeTour(Map.of());
    assertTrue(fresh.mismatch(step("x", "01a222c3bce00000 and 01a222c3bce00000"), "0000000000000001 and "
        + "0000000000000002", 1).isPresent(), "one README id, two real ones");
    assertThrows(IllegalStateException.class, () -> fresh.runnable(step("bin/baton job 01a222c3dc8f0000", ""), "h:1"));
  }

  @Test
  void timesDurationsWorkersAndWhitespaceMayDifferButNotTheWords() {
    ReadmeTour tour = new ReadmeTour(Map.of());
    String readme = """
        TASK     STATE      ATTEMPTS  WORKER           EXIT  DURATION  MESSAGE
        extract  SUCCEEDED  1         worker-91890a8b  0     2.2 s
        load     SUCCEEDED  1         worker-91890a8b  0     190 ms
        submitted 2026-11-28T15:25:12.476Z, took 3m04s""";
    String real = """
        TASK     STATE      ATTEMPTS  WORKER             EXIT  DURATION  MESSAGE
        extract  SUCCEEDED  1         worker-0ce1f65f    0     21 ms
        load     SUCCEEDED  1         worker-0ce1f65f    0     1.0 s
        submitted 2026-11-29T01:02:03Z, took 2.5 s
        """;
    assertEquals(Optional.empty(), tour.mismatch(step("bin/baton job x", readme), real, 1));
    assertTrue(tour.mismatch(step("bin/baton job x", readme), real.replace("load     SUCCEEDED", "load     FAILED"), 1)
        .isPresent());
    assertTrue(tour.mismatch(step("bin/baton job x", readme), real + "an extra line\n", 1).isPresent());
    assertTrue(tour.mismatch(step("x", "loaded"), "", 1).isPresent(), "an output README shows must be there");
    assertTrue(tour.mismatch(step("x", ""), "something\n", 1).isPresent(), "no output shown: none printed");
  }

  @Test
  void threeDotsStandForWhatReadmeTrimsAndJsonMayBeFolded() {
    ReadmeTour tour = new ReadmeTour(Map.of());
    String readme = """
        {
          "labels" : { "team" : "data" },
          "attempts" : [ { "attempt" : 1, ..., "finishedAt" : "2026-11-22T14:13:28.560Z" } ]
        }""";
    String real = """
        {
          "labels" : {
            "team" : "data"
          },
          "attempts" : [ {
            "attempt" : 1,
            "workerId" : "worker-0ce1f65f",
            "finishedAt" : "2026-11-28T21:29:12.813Z"
          } ]
        }
        """;
    assertEquals(Optional.empty(), tour.mismatch(step("x", readme), real, 1));
    assertTrue(tour.mismatch(step("x", readme), real.replace("\"data\"", "\"ml\""), 1).isPresent());
  }

  @Test
  void thePortIsReadmesAndTheMachinesTextsAreNamedPerCommand() {
    ReadmeTour tour = new ReadmeTour(Map.of("bin/baton workers", List.of("0/2", "0/24105")));
    String readme = "worker-91890a8b  127.0.0.1  ALIVE  0/2   0/24105    0        108 ms ago\n"
        + "leader  http://127.0.0.1:8080";
    String real = "worker-0ce1f65f  127.0.0.1  ALIVE  0/4   0/16000    0        1.2 s ago\n"
        + "leader  http://127.0.0.1:18571\n";
    assertEquals(Optional.empty(), tour.mismatch(step("bin/baton workers   # a remark", readme), real, 18571));
    assertTrue(tour.mismatch(step("bin/baton cluster", readme), real, 18571).isPresent(),
        "another command's output must show README's CPUs");
    assertTrue(tour.mismatch(step("bin/baton workers", readme), real, 18572).isPresent(), "another port");
  }

  @Test
  void readmesTourParsesIntoItsCommands() throws Exception {
    List<ReadmeTour.Step> steps = ReadmeTour.steps(Files.readString(BatonProcess.HOME.resolve("README.md")));
    assertTrue(steps.size() >= 30, steps.size() + " commands");
    assertEquals("bin/baton standalone", steps.get(0).bare());
    assertTrue(steps.stream().allMatch(s -> s.command().startsWith("bin/baton ") || s.command().startsWith("curl ")),
        "the tour runs bin/baton and curl only");
  }
}
