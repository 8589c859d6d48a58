package io.baton.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookRulesTest {
  private static String violations(Webhook webhook) {
    JobSpec spec = new JobSpec("j", Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())),
        List.of(webhook));
    return JobSpecRules.check(spec).stream().map(JobSpecViolation::toString).collect(Collectors.joining("; "));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "https://hooks.example.com/baton                 | ''",
      "http://127.0.0.1:8080/alerts?team=data         | ''",
      "HTTPS://Hooks.Example.com/x                     | ''",
      "ftp://hooks.example.com/x                       | notify[0].url: must be an http or https URL, not 'ftp://hooks.example.com/x'",
      "file:///etc/passwd                              | notify[0].url: must be an http or https URL, not 'file:///etc/passwd'",
      "hooks.example.com/x                             | notify[0].url: must be an http or https URL, not 'hooks.example.com/x'",
      "https:///x                                      | notify[0].url: has no host",
      "https://user:pw@hooks.example.com/x             | notify[0].url: must not carry credentials (user info); the alert is signed instead",
      "https://hooks.example.com/x#frag                | notify[0].url: must not have a fragment",
      "https://hooks.example.com/a b                   | notify[0].url: is not a URL: Illegal character in path at index 27: https://hooks.example.com/a b",
      "NULL                                            | notify[0].url: is required",
  })
  void urls(String url, String expected) {
    assertEquals(expected, violations(new Webhook(url, "ops", List.of(AlertEvent.FAILED), 0)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "2049 | notify[0].url: is 2049 characters long; at most 2048",
      "2048 | ''",
  })
  void urlLength(int length, String expected) {
    String prefix = "https://h.example/";
    String url = prefix + "a".repeat(length - prefix.length());
    assertEquals(expected, violations(new Webhook(url, "ops", List.of(AlertEvent.FAILED), 0)));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} {2}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "ops      | FAILED                | 0      | ''",
      "ops      | FAILED,SUCCEEDED      | 0      | ''",
      "ops      | RUNNING_LONG          | 600    | ''",
      "ops      | RUNNING_LONG          | 0      | notify[0].runningLongerThanSeconds: must be between 1 and 2592000, not 0",
      "ops      | FAILED                | 60     | notify[0].runningLongerThanSeconds: is only allowed with RUNNING_LONG in on",
      "ops      | FAILED,FAILED         | 0      | notify[0].on: names an event twice",
      "ops      | ''                    | 0      | notify[0].on: must name at least one of [FAILED, SUCCEEDED, RUNNING_LONG]",
      "a/b      | FAILED                | 0      | notify[0].secret: must name a secret: 1 to 64 of A-Z a-z 0-9 _ -, not 'a/b'",
      "NULL     | FAILED                | 0      | notify[0].secret: is required",
  })
  void secretsEventsAndThresholds(String secret, String on, int seconds, String expected) {
    List<AlertEvent> events = on.isEmpty() ? List.of()
        : java.util.Arrays.stream(on.split(",")).map(AlertEvent::valueOf).toList();
    assertEquals(expected, violations(new Webhook("https://h.example/", secret, events, seconds)));
  }

  @org.junit.jupiter.api.Test
  void atMostEightWebhooks() {
    Webhook w = new Webhook("https://h.example/", "ops", null, 0);
    assertEquals(List.of(AlertEvent.FAILED), w.on(), "FAILED when on is not given");
    JobSpec spec = new JobSpec("j", Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())),
        java.util.Collections.nCopies(9, w));
    assertEquals("notify: has 9 webhooks; at most 8",
        JobSpecRules.check(spec).stream().map(JobSpecViolation::toString).collect(Collectors.joining("; ")));
  }
}
