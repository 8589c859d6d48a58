package io.baton.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The settings flags every server command shares; each maps to a HOCON key (see reference.conf). */
final class NodeOptions {
  @Option(names = "--config", description = "HOCON file with baton.* settings")
  Path configFile;

  @Option(names = "--zk", description = "ZooKeeper connect string (baton.zookeeper.connect, env BATON_ZK; default localhost:2181)")
  String zk;

  @Option(names = "--cluster-id", description = "cluster id, the ZooKeeper root is /baton/<id> (baton.cluster-id; default default)")
  String clusterId;

  @Option(names = "--zk-session-timeout-ms", description = "ZooKeeper session timeout (baton.zookeeper.session-timeout; default 5000)")
  Long zkSessionTimeoutMs;

  @Option(names = "--rest-port", description = "REST and web port (baton.rest.port; default 8080)")
  Integer restPort;

  @Option(names = "--port", description = "Artery TCP port, 0 = any free port (baton.remote.port; masters 25520, workers 0)")
  Integer port;

  @Option(names = "--host", description = "address to bind and advertise (baton.host; default 127.0.0.1)")
  String host;

  @Option(names = "--data-dir", description = "where data and task logs live (baton.data-dir; default ./baton-data)")
  Path dataDir;

  @Option(names = "--token", description = "bearer token required for mutating REST calls (baton.rest.token)")
  String token;

  @Option(names = "--heartbeat-interval-ms", description = "worker heartbeat interval (baton.heartbeat.interval; default 500)")
  Long heartbeatIntervalMs;

  @Option(names = "--heartbeat-timeout-ms", description = "worker heartbeat timeout (baton.heartbeat.timeout; default 5000)")
  Long heartbeatTimeoutMs;

  /** Environment variables and the settings they set. */
  static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("BATON_ZK", "baton.zookeeper.connect"),
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
      Map.entry("BATON_LABELS", "baton.worker.labels"));

  /** Flags over environment over the --config file over reference.conf. */
  Config load(Map<String, Object> extra) {
    return load(extra, System.getenv());
  }

  Config load(Map<String, Object> extra, Map<String, String> env) {
    Map<String, Object> flags = new HashMap<>(extra);
    put(flags, "baton.zookeeper.connect", zk);
    put(flags, "baton.cluster-id", clusterId);
    put(flags, "baton.zookeeper.session-timeout", zkSessionTimeoutMs == null ? null : zkSessionTimeoutMs + "ms");
    put(flags, "baton.rest.port", restPort);
    put(flags, "baton.remote.port", port);
    put(flags, "baton.host", host);
    put(flags, "baton.data-dir", dataDir == null ? null : dataDir.toString());
    put(flags, "baton.rest.token", token);
    put(flags, "baton.heartbeat.interval", heartbeatIntervalMs == null ? null : heartbeatIntervalMs + "ms");
    put(flags, "baton.heartbeat.timeout", heartbeatTimeoutMs == null ? null : heartbeatTimeoutMs + "ms");
    Config file = configFile == null ? ConfigFactory.empty() : ConfigFactory.parseFile(configFile.toFile());
    if (configFile != null && file.isEmpty()) {
      throw new IllegalArgumentException("config file " + configFile + " is missing or empty");
    }
    Map<String, Object> fromEnv = new HashMap<>();
    ENVIRONMENT.forEach((variable, key) -> put(fromEnv, key, env.get(variable)));
    return ConfigFactory.parseMap(flags).withFallback(ConfigFactory.parseMap(fromEnv)).withFallback(file)
        .withFallback(ConfigFactory.load()).resolve();
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
