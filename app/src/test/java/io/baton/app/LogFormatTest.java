package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code BATON_LOG_FORMAT}: the shipped logback.xml, configured as a server starts it, writes a line people read
 * ({@code text}, the default) or one JSON object a line ({@code json}); any other value is refused before logging
 * starts; the README names every format.
 */
class LogFormatTest {

  /** What one INFO line with an argument looks like on stderr, with the shipped logback.xml and this format. */
  private static String logged(String format) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      if (format != null) {
        context.putProperty("BATON_LOG_FORMAT", format);
      }
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(BatonMain.class.getResource("/logback.xml"));
      context.getLogger("io.baton.scheduler.dispatcher.Dispatcher").info("job {} accepted: {}", "0001", "nightly \"etl\"");
    } finally {
      context.stop();
      System.setErr(saved);
    }
    String out = err.toString(StandardCharsets.UTF_8);
    if (out.isEmpty()) {
      // nothing logged: say what Logback said about the configuration
      return context.getStatusManager().getCopyOfStatusList().toString();
    }
    return out;
  }

  @Test
  void textIsOneLineForPeopleByDefault() throws Exception {
    for (String format : new String[] {null, "text"}) {
      String out = logged(format);
      assertTrue(out.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+\\] i\\.b\\.s\\.d\\.Dispatcher - job 0001 "
          + "accepted: nightly \"etl\"\\R"), out);
    }
  }

  @Test
  void jsonIsOneObjectALineWithTheFormattedMessage() throws Exception {
    String out = logged("json");
    List<String> lines = out.lines().toList();
    assertEquals(1, lines.size(), out);
    JsonNode line = new ObjectMapper().readTree(lines.get(0));
    assertEquals("INFO", line.get("level").asText());
    assertEquals("io.baton.scheduler.dispatcher.Dispatcher", line.get("loggerName").asText());
    assertEquals("job 0001 accepted: nightly \"etl\"", line.get("formattedMessage").asText());
    assertTrue(line.get("timestamp").asLong() > 0, out);
    assertNotNull(line.get("threadName"), out);
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheKnownOnes() {
    assertTrue(BatonMain.logFormatProblem(null).isEmpty());
    BatonMain.LOG_FORMATS.forEach(f -> assertTrue(BatonMain.logFormatProblem(f).isEmpty(), f));
    assertEquals("BATON_LOG_FORMAT is 'xml'; set it to one of text, json (or unset it for text)",
        BatonMain.logFormatProblem("xml").orElseThrow());
  }

  @Test
  void everyFormatHasItsFileAndTheReadmeNamesIt() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String format : BatonMain.LOG_FORMATS) {
      assertNotNull(BatonMain.class.getResource("/baton-log-" + format + ".xml"), format);
      assertTrue(readme.contains("`BATON_LOG_FORMAT=" + format + "`"), "README names BATON_LOG_FORMAT=" + format);
    }
  }
}
