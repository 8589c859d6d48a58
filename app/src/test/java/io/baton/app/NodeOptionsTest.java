package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class NodeOptionsTest {
  @TempDir Path dir;

  private static NodeOptions parse(String... args) {
    ServerCommands.Master master = new ServerCommands.Master();
    new CommandLine(master).parseArgs(args);
    return master.options;
  }

  @Test
  void flagsBeatEnvironmentBeatsFileBeatsDefaults() throws Exception {
    Path file = dir.resolve("baton.conf");
    Files.writeString(file, "baton { rest.port = 1111, cluster-id = from-file, zookeeper.connect = \"file:1\", data-dir = /d }");
    Map<String, String> env = Map.of("BATON_REST_PORT", "2222", "BATON_CLUSTER_ID", "from-env");
    Config c = parse("--config", file.toString(), "--rest-port", "3333").load(Map.of(), env);
    assertEquals(3333, c.getInt("baton.rest.port"));
    assertEquals("from-env", c.getString("baton.cluster-id"));
    assertEquals("file:1", c.getString("baton.zookeeper.connect"));
    Config defaults = parse().load(Map.of(), Map.of());
    assertEquals(8080, defaults.getInt("baton.rest.port"));
    assertEquals("localhost:2181", defaults.getString("baton.zookeeper.connect"));
    assertEquals(4000, defaults.getDuration("baton.zookeeper.session-timeout").toMillis());
    assertEquals(8000, defaults.getDuration("baton.heartbeat.timeout").toMillis());
  }

  @Test
  void sessionTimeoutFlagIsMilliseconds() {
    Settings s = new Settings(parse("--zk-session-timeout-ms", "2000", "--zk", "h:1").load(Map.of(), Map.of()));
    assertEquals(2000, s.zookeeper().sessionTimeout().toMillis());
    assertEquals("h:1", s.zookeeper().connect());
  }

  @Test
  void labelsParseOrFailClearly() {
    assertEquals(Map.of("zone", "a", "gpu", "no"), Settings.labels("zone=a, gpu=no"));
    assertEquals(Map.of(), Settings.labels(""));
    assertThrows(IllegalArgumentException.class, () -> Settings.labels("zone"));
  }

  @Test
  void aMissingConfigFileIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> parse("--config", dir.resolve("nope.conf").toString()).load(Map.of(), Map.of()));
  }
}
