package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** Keeps flags, environment variables, reference.conf, --help and the README's table in step with {@link Setting}. */
class SettingTableTest {
  /** Keys under {@code baton} in reference.conf that are not user settings (none today). */
  private static final Set<String> NOT_USER_SETTINGS = Set.of();

  /**
   * The flags each server command accepted before the table existed (scripts use them, so they must keep working),
   * plus those added since (issue 9: --read-token, --rest-tls-cert, --rest-tls-key, --zk-secret-file, --tls-dir,
   * --insecure).
   */
  private static final Map<String, Set<String>> FLAGS = Map.of(
      "master", Set.of("--config", "--zk", "--cluster-id", "--zk-session-timeout-ms", "--rest-port", "--port",
          "--host", "--data-dir", "--token", "--heartbeat-interval-ms", "--heartbeat-timeout-ms",
          "--read-token", "--rest-tls-cert", "--rest-tls-key", "--zk-secret-file", "--tls-dir", "--insecure",
          "--retention-max-age", "--retention-max-count", "--alert-secrets-file"),
      "worker", Set.of("--config", "--zk", "--cluster-id", "--zk-session-timeout-ms", "--rest-port", "--port",
          "--host", "--data-dir", "--token", "--heartbeat-interval-ms", "--heartbeat-timeout-ms", "--cpus",
          "--memory-mb", "--labels", "--worker-id", "--tls-dir", "--insecure", "--log-retention", "--max-log-disk-mb",
          "--metrics-port", "--drain-timeout"),
      "standalone", Set.of("--config", "--zk", "--cluster-id", "--zk-session-timeout-ms", "--rest-port", "--port",
          "--host", "--data-dir", "--token", "--heartbeat-interval-ms", "--heartbeat-timeout-ms", "--cpus",
          "--memory-mb", "--labels", "--zk-port", "--read-token", "--rest-tls-cert", "--rest-tls-key",
          "--zk-secret-file", "--tls-dir", "--insecure", "--retention-max-age", "--retention-max-count",
          "--log-retention", "--max-log-disk-mb", "--metrics-port", "--alert-secrets-file", "--drain-timeout"));

  /** The environment variables read before the table existed. */
  private static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("BATON_ZK", "baton.zookeeper.connect"),
      Map.entry("BATON_ALERT_SECRETS_FILE", "baton.alerts.secrets-file"),
      Map.entry("BATON_CLUSTER_ID", "baton.cluster-id"),
      Map.entry("BATON_ZK_SESSION_TIMEOUT", "baton.zookeeper.session-timeout"),
      Map.entry("BATON_DATA_DIR", "baton.data-dir"),
      Map.entry("BATON_HOST", "baton.host"),
      Map.entry("BATON_REST_PORT", "baton.rest.port"),
      Map.entry("BATON_TOKEN", "baton.rest.token"),
      Map.entry("BATON_PORT", "baton.remote.port"),
      Map.entry("BATON_HEARTBEAT_INTERVAL", "baton.heartbeat.interval"),
      Map.entry("BATON_HEARTBEAT_TIMEOUT", "baton.heartbeat.timeout"),
      Map.entry("BATON_WORKER_ID", "baton.worker.id"),
      Map.entry("BATON_CPUS", "baton.worker.cpus"),
      Map.entry("BATON_MEMORY_MB", "baton.worker.memory-mb"),
      Map.entry("BATON_LABELS", "baton.worker.labels"),
      Map.entry("BATON_READ_TOKEN", "baton.rest.read-token"),
      Map.entry("BATON_REST_TLS_CERT", "baton.rest.tls-cert"),
      Map.entry("BATON_REST_TLS_KEY", "baton.rest.tls-key"),
      Map.entry("BATON_ZK_SECRET_FILE", "baton.zookeeper.secret-file"),
      Map.entry("BATON_ZK_SECRET", "baton.zookeeper.secret"),
      Map.entry("BATON_TLS_DIR", "baton.tls.dir"),
      Map.entry("BATON_INSECURE", "baton.insecure"),
      Map.entry("BATON_RETENTION_MAX_AGE", "baton.retention.max-age"),
      Map.entry("BATON_RETENTION_MAX_COUNT", "baton.retention.max-count"),
      Map.entry("BATON_LOG_RETENTION", "baton.worker.log-retention"),
      Map.entry("BATON_MAX_LOG_DISK_MB", "baton.worker.max-log-disk-mb"),
      Map.entry("BATON_METRICS_PORT", "baton.worker.metrics-port"),
      Map.entry("BATON_DRAIN_TIMEOUT", "baton.worker.drain-timeout"));

  private static final Map<String, Callable<Object>> COMMANDS = Map.of(
      "master", ServerCommands.Master::new, "worker", ServerCommands.Worker::new,
      "standalone", ServerCommands.Standalone::new);

  private static CommandLine command(String name) throws Exception {
    return new CommandLine(COMMANDS.get(name).call());
  }

  private static NodeOptions options(CommandLine cli) {
    Object command = cli.getCommand();
    if (command instanceof ServerCommands.Master m) {
      return m.options;
    }
    if (command instanceof ServerCommands.Worker w) {
      return w.options;
    }
    return ((ServerCommands.Standalone) command).options;
  }

  @Test
  void everyKeyInReferenceConfIsInTheTableAndTheOtherWayRound() {
    Set<String> reference = Setting.REFERENCE.getConfig("baton").entrySet().stream()
        .map(e -> "baton." + e.getKey()).filter(k -> !NOT_USER_SETTINGS.contains(k))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> table = Arrays.stream(Setting.values()).map(s -> s.key).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(reference, table);
  }

  @Test
  void theFlagsOfEveryServerCommandAreTheTablesAndTheOldOnesStillWork() throws Exception {
    for (String name : FLAGS.keySet()) {
      Set<String> offered = command(name).getCommandSpec().options().stream().map(OptionSpec::longestName)
          .filter(f -> !f.equals("--help") && !f.equals("--version")).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(FLAGS.get(name)), offered, name);
    }
  }

  @Test
  void everyFlagSetsItsKeyAndBeatsTheEnvironment() throws Exception {
    for (String name : FLAGS.keySet()) {
      for (Setting s : Setting.flagsOf(name)) {
        String value = switch (s.flagType) {
          case TEXT -> "from-flag";
          case PATH -> "/from/flag";
          case INT, LONG, MILLIS -> "1234";
          case NUMBER -> "2.5";
          case SWITCH -> null;
        };
        CommandLine cli = command(name);
        if (value == null) {
          cli.parseArgs(s.flag);
        } else {
          cli.parseArgs(s.flag, value);
        }
        Config c = options(cli).load(Map.of(), Map.of(s.env, value == null ? "false" : "9"));
        String where = name + " " + s.flag;
        switch (s.flagType) {
          case MILLIS -> assertEquals(1234, c.getDuration(s.key).toMillis(), where);
          case NUMBER -> assertEquals(2.5, c.getDouble(s.key), where);
          case SWITCH -> assertTrue(c.getBoolean(s.key), where);
          default -> assertEquals(value, c.getString(s.key), where);
        }
      }
    }
  }

  @Test
  void theEnvironmentVariablesAreTheTablesAndEachSetsItsKey() throws Exception {
    assertEquals(ENVIRONMENT, Setting.environment());
    CommandLine cli = command("worker");
    cli.parseArgs();
    for (var e : ENVIRONMENT.entrySet()) {
      Config c = options(cli).load(Map.of(), Map.of(e.getKey(), "77"));
      assertEquals("77", c.getString(e.getValue()), e.getKey());
    }
  }

  @Test
  void helpShowsTheDefaultsOfReferenceConf() throws Exception {
    for (String name : FLAGS.keySet()) {
      CommandLine cli = command(name);
      cli.setUsageHelpWidth(400);
      cli.setUsageHelpLongOptionsMaxWidth(60);
      String help = cli.getUsageMessage();
      for (Setting s : Setting.flagsOf(name)) {
        String line = help.lines()
            .filter(l -> l.trim().startsWith(s.flag + (s.flagType == Setting.FlagType.SWITCH ? " " : "=")))
            .findFirst().orElseThrow();
        assertTrue(line.contains("default " + s.flagDefaultText() + ")"), line);
        assertTrue(line.contains(s.key), line);
      }
    }
    // the two the hand-written help got wrong (it said 5000 for both)
    assertEquals("4000", Setting.ZK_SESSION_TIMEOUT.flagDefaultText());
    assertEquals("8000", Setting.HEARTBEAT_TIMEOUT.flagDefaultText());
  }

  @Test
  void theReadmeTableIsGeneratedFromTheTable() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    String begin = "<!-- generated by `baton settings --markdown`; SettingTableTest keeps it in step -->\n";
    int from = readme.indexOf(begin);
    assertTrue(from >= 0, "README.md lost the marker " + begin);
    int to = readme.indexOf("<!-- end of generated table -->", from);
    String inReadme = readme.substring(from + begin.length(), to);
    String generated = Setting.markdownTable();
    if (!generated.equals(inReadme)) {
      Files.writeString(Path.of("target/README-settings.md"), generated);
    }
    assertEquals(generated, inReadme, "paste `baton settings --markdown` (also in app/target/README-settings.md)");
  }
}
