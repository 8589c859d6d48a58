package io.baton.web;

import static io.baton.web.JobSpecParserTest.invalid;
import static io.baton.web.JobSpecParserTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.Webhook;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code notify} field of a job spec over REST: shapes here, the rules of JobSpecRules in the same words. */
class JobSpecParserNotifyTest {
  private static String spec(String notify) {
    return "{'name':'n','tasks':[{'id':'a','command':['/bin/true']}],'notify':" + notify + "}";
  }

  @Test
  void readsWebhooksWithTheirDefaults() {
    List<Webhook> hooks = valid(spec("[{'url':'https://h.example/a','secret':'ops'},"
        + "{'url':'http://h.example/b','secret':'pager','on':['RUNNING_LONG','FAILED'],'runningLongerThanSeconds':60}]"))
        .webhooks();
    assertEquals(List.of(new Webhook("https://h.example/a", "ops", List.of(AlertEvent.FAILED), 0),
        new Webhook("http://h.example/b", "pager", List.of(AlertEvent.RUNNING_LONG, AlertEvent.FAILED), 60)), hooks);
    assertEquals(List.of(), valid(spec("null")).webhooks());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{}                                                              | notify: must be an array of webhooks, not an object",
      "[1]                                                             | notify[0]: must be an object, not a number",
      "[{'secret':'ops'}]                                              | notify[0].url: is required",
      "[{'url':'ftp://h/x','secret':'ops'}]                            | notify[0].url: must be an http or https URL, not 'ftp://h/x'",
      "[{'url':'https://h/x'}]                                         | notify[0].secret: is required",
      "[{'url':'https://h/x','secret':'ops','on':['LATE']}]            | notify[0].on[0]: must be one of [FAILED, SUCCEEDED, RUNNING_LONG], not 'LATE'",
      "[{'url':'https://h/x','secret':'ops','on':'FAILED'}]            | notify[0].on: must be an array of [FAILED, SUCCEEDED, RUNNING_LONG], not a string",
      "[{'url':'https://h/x','secret':'ops','on':['RUNNING_LONG']}]    | notify[0].runningLongerThanSeconds: must be between 1 and 2592000, not 0",
      "[{'url':'https://h/x','secret':'ops','token':'x'}]              | notify[0].token: unknown field; allowed: url, secret, on, runningLongerThanSeconds",
  })
  void reportsWhereAWebhookIsWrong(String notify, String expected) {
    assertEquals(List.of(expected), invalid(spec(notify)).violations().stream()
        .map(v -> v.path() + ": " + v.message()).toList());
  }

  @Test
  void atMostEightWebhooks() {
    String hook = "{'url':'https://h/x','secret':'ops'}";
    assertEquals(List.of("notify: has 9 webhooks; at most 8"), invalid(spec("[" + String.join(",",
        java.util.Collections.nCopies(9, hook)) + "]")).violations().stream().map(v -> v.path() + ": " + v.message())
        .toList());
  }
}
