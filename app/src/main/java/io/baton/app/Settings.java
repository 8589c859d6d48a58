package io.baton.app;

import com.typesafe.config.Config;
import io.baton.ha.zookeeper.ZooKeeperSettings;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.web.RestSettings;
import io.baton.worker.WorkerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Turns the resolved {@code baton.*} config into each component's settings record, once, at start-up. */
final class Settings {
  private final Config c;

  Settings(Config config) {
    this.c = config.getConfig("baton");
  }

  String host() {
    return c.getString("host");
  }

  Path dataDir() {
    return Path.of(c.getString("data-dir")).toAbsolutePath().normalize();
  }

  ZooKeeperSettings zookeeper() {
    return ZooKeeperSettings.of(c.getString("zookeeper.connect"))
        .withClusterId(c.getString("cluster-id"))
        .withSessionTimeout(c.getDuration("zookeeper.session-timeout"))
        .withConnectionTimeout(c.getDuration("zookeeper.connection-timeout"));
  }

  int remotePort(int defaultPort) {
    int port = c.getInt("remote.port");
    return port < 0 ? defaultPort : port;
  }

  RestSettings rest() {
    String token = c.getString("rest.token");
    return new RestSettings(host(), c.getInt("rest.port"), token.isEmpty() ? Optional.empty() : Optional.of(token),
        c.getBytes("rest.max-body-bytes"), c.getDuration("rest.ask-timeout"));
  }

  Duration heartbeatInterval() {
    return c.getDuration("heartbeat.interval");
  }

  Duration heartbeatTimeout() {
    return c.getDuration("heartbeat.timeout");
  }

  SchedulerSettings scheduler() {
    Backoff backoff = new Backoff(c.getDuration("retry.backoff-base"), c.getDuration("retry.backoff-max"),
        c.getDouble("retry.jitter"));
    return new SchedulerSettings(heartbeatInterval(), heartbeatTimeout(), backoff, c.getDuration("rest.ask-timeout"));
  }

  WorkerSettings worker(Path workerDir) throws IOException {
    Files.createDirectories(workerDir);
    String id = c.getString("worker.id");
    if (id.isEmpty()) {
      Path idFile = workerDir.resolve("worker-id");
      if (Files.exists(idFile)) {
        id = Files.readString(idFile).trim();
      } else {
        id = "worker-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(idFile, id + "\n");
      }
    }
    WorkerSettings s = WorkerSettings.defaults(id, workerDir).withHost(host())
        .withLabels(labels(c.getString("worker.labels")))
        .withHeartbeat(heartbeatInterval(), heartbeatTimeout());
    double cpus = c.getDouble("worker.cpus");
    long memory = c.getLong("worker.memory-mb");
    return s.withResources(cpus > 0 ? cpus : s.cpus(), memory > 0 ? memory : s.memoryMb());
  }

  static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("labels must look like k=v,k=v; got '" + pair.trim() + "'");
      }
      labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return labels;
  }
}
