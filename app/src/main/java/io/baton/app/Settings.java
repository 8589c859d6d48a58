package io.baton.app;

import com.typesafe.config.Config;
import io.baton.ha.zookeeper.ZooKeeperSettings;
import io.baton.scheduler.alerts.AlertSettings;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.policy.Backoff;
import io.baton.scheduler.policy.Retention;
import io.baton.web.RestSettings;
import io.baton.worker.WorkerSettings;
import io.baton.worker.execution.FileRetention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns the resolved {@code baton.*} config into each component's settings record, once, at start-up. Keys are
 * the {@link Setting} table's.
 */
final class Settings {
  private final Config c;

  Settings(Config config) {
    this.c = config;
  }

  String host() {
    return c.getString(Setting.HOST.key);
  }

  Path dataDir() {
    return Path.of(c.getString(Setting.DATA_DIR.key)).toAbsolutePath().normalize();
  }

  /** The configured TLS directory, if any ({@code --tls-dir}). */
  Optional<Path> configuredTlsDir() {
    String dir = c.getString(Setting.TLS_DIR.key);
    return dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir).toAbsolutePath().normalize());
  }

  /**
   * The TLS directory a master or worker uses for Artery, or empty with {@code --insecure}; refuses to go on
   * without one otherwise.
   */
  Optional<Path> tlsDir(String command) {
    if (insecure()) {
      warnInsecure(command);
      return Optional.empty();
    }
    return Optional.of(configuredTlsDir().orElseThrow(() -> new IllegalArgumentException("a " + command
        + " needs its certificates: --tls-dir DIR (made by 'baton certs " + command + "'), or --insecure to run "
        + "an unprotected cluster")));
  }

  static void warnInsecure(String command) {
    org.slf4j.LoggerFactory.getLogger(Settings.class).warn("INSECURE: this {} runs with --insecure: Artery is plaintext "
        + "and unauthenticated; any host that reaches its port can command it or pose as a cluster member", command);
  }

  /** How to reach ZooKeeper, without a secret (a worker's; a master adds {@link #zookeeperSecret}). */
  ZooKeeperSettings zookeeper() {
    return ZooKeeperSettings.of(c.getString(Setting.ZK.key))
        .withClusterId(c.getString(Setting.CLUSTER_ID.key))
        .withSessionTimeout(c.getDuration(Setting.ZK_SESSION_TIMEOUT.key))
        .withConnectionTimeout(c.getDuration(Setting.ZK_CONNECTION_TIMEOUT.key));
  }

  /**
   * The cluster's ZooKeeper secret, for a master: {@code baton.zookeeper.secret} (env {@code BATON_ZK_SECRET})
   * or the content of {@code baton.zookeeper.secret-file}; empty when neither is set. Setting both is an error.
   */
  Optional<String> zookeeperSecret() throws IOException {
    String secret = c.getString(Setting.ZK_SECRET.key);
    String file = c.getString(Setting.ZK_SECRET_FILE.key);
    if (!secret.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException("the ZooKeeper secret is set twice: give " + Setting.ZK_SECRET_FILE.flag
          + " or " + Setting.ZK_SECRET.env + ", not both");
    }
    if (!file.isEmpty()) {
      return Optional.of(ZkSecret.read(Path.of(file)));
    }
    return secret.isBlank() ? Optional.empty() : Optional.of(secret.strip());
  }

  /** {@code --insecure}: the operator accepts an unprotected cluster. */
  boolean insecure() {
    return c.getBoolean(Setting.INSECURE.key);
  }

  int remotePort(int defaultPort) {
    int port = c.getInt(Setting.REMOTE_PORT.key);
    return port < 0 ? defaultPort : port;
  }

  RestSettings rest() {
    String token = c.getString(Setting.TOKEN.key);
    String readToken = c.getString(Setting.READ_TOKEN.key);
    return new RestSettings(host(), c.getInt(Setting.REST_PORT.key), token.isEmpty() ? Optional.empty() : Optional.of(token),
        c.getBytes(Setting.MAX_BODY_BYTES.key), c.getDuration(Setting.ASK_TIMEOUT.key),
        readToken.isEmpty() ? Optional.empty() : Optional.of(readToken),
        c.getInt(Setting.REST_MAX_CONNECTIONS_PER_ADDRESS.key), c.getInt(Setting.REST_MAX_CONNECTIONS.key),
        c.getDuration(Setting.REST_IDLE_TIMEOUT.key), optionalPath(Setting.REST_TLS_CERT), optionalPath(Setting.REST_TLS_KEY));
  }

  private Optional<Path> optionalPath(Setting setting) {
    String value = c.getString(setting.key);
    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
  }

  Duration heartbeatInterval() {
    return c.getDuration(Setting.HEARTBEAT_INTERVAL.key);
  }

  Duration heartbeatTimeout() {
    return c.getDuration(Setting.HEARTBEAT_TIMEOUT.key);
  }

  /** How long a worker drained by SIGTERM lets its running attempts finish before it hands them back. */
  Duration drainTimeout() {
    Duration d = c.getDuration(Setting.DRAIN_TIMEOUT.key);
    if (d.isNegative()) {
      throw new IllegalArgumentException(Setting.DRAIN_TIMEOUT.key + " must not be negative, not " + d);
    }
    return d;
  }

  SchedulerSettings scheduler() {
    Backoff backoff = new Backoff(c.getDuration(Setting.RETRY_BACKOFF_BASE.key), c.getDuration(Setting.RETRY_BACKOFF_MAX.key),
        c.getDouble(Setting.RETRY_JITTER.key));
    Retention retention = new Retention(c.getDuration(Setting.RETENTION_MAX_AGE.key),
        c.getLong(Setting.RETENTION_MAX_COUNT.key), c.getDuration(Setting.RETENTION_SWEEP_INTERVAL.key),
        Retention.DEFAULT.maxPerSweep());
    return new SchedulerSettings(heartbeatInterval(), heartbeatTimeout(), backoff, c.getDuration(Setting.ASK_TIMEOUT.key),
        c.getLong(Setting.MAX_QUEUED_TASKS.key), retention, c.getDuration(Setting.MISFIRE_THRESHOLD.key), alerts(),
        c.getDuration(Setting.FIRE_AHEAD.key));
  }

  /** The alert delivery settings, with the signing secrets read from {@code baton.alerts.secrets-file}. */
  AlertSettings alerts() {
    Backoff backoff = new Backoff(c.getDuration(Setting.ALERT_BACKOFF_BASE.key),
        c.getDuration(Setting.ALERT_BACKOFF_MAX.key), c.getDouble(Setting.RETRY_JITTER.key));
    return new AlertSettings(alertSecrets(), backoff, c.getInt(Setting.ALERT_MAX_ATTEMPTS.key),
        c.getDuration(Setting.ALERT_REQUEST_TIMEOUT.key), c.getInt(Setting.ALERT_PER_URL_CONCURRENCY.key),
        c.getDuration(Setting.ALERT_POLL_INTERVAL.key), c.getString(Setting.ALERT_LINK_BASE.key));
  }

  private Map<String, String> alertSecrets() {
    String file = c.getString(Setting.ALERT_SECRETS_FILE.key);
    if (file.isEmpty()) {
      return Map.of();
    }
    java.util.Properties props = new java.util.Properties();
    try (java.io.Reader in = Files.newBufferedReader(Path.of(file), java.nio.charset.StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + Setting.ALERT_SECRETS_FILE.key + " " + file + ": " + e, e);
    }
    Map<String, String> secrets = new java.util.HashMap<>();
    for (String name : props.stringPropertyNames()) {
      String secret = props.getProperty(name).trim();
      if (io.baton.protocol.job.JobSpecRules.secretName(name).isPresent() || secret.isEmpty()) {
        throw new IllegalArgumentException(file + ": '" + name + "' is not a secret name (1 to 64 of A-Z a-z 0-9 _ -) "
            + "with a non-empty secret");
      }
      secrets.put(name, secret);
    }
    return secrets;
  }

  WorkerSettings worker(Path workerDir) throws IOException {
    return worker(workerDir, Optional.empty());
  }

  /** {@code certifiedId}: the worker id its certificate names; the id then, unless the settings name another. */
  WorkerSettings worker(Path workerDir, Optional<String> certifiedId) throws IOException {
    Files.createDirectories(workerDir);
    String id = c.getString(Setting.WORKER_ID.key);
    if (certifiedId.isPresent()) {
      if (!id.isEmpty() && !id.equals(certifiedId.get())) {
        throw new IllegalArgumentException("the worker id is " + id + " but its certificate is worker "
            + certifiedId.get() + "'s");
      }
      id = certifiedId.get();
    } else if (id.isEmpty()) {
      Path idFile = workerDir.resolve("worker-id");
      if (Files.exists(idFile)) {
        id = Files.readString(idFile).trim();
      } else {
        id = "worker-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(idFile, id + "\n");
      }
    }
    WorkerSettings s = WorkerSettings.defaults(id, workerDir).withHost(host())
        .withLabels(labels(c.getString(Setting.LABELS.key)))
        .withHeartbeat(heartbeatInterval(), heartbeatTimeout());
    double cpus = c.getDouble(Setting.CPUS.key);
    long memory = c.getLong(Setting.MEMORY_MB.key);
    FileRetention files = new FileRetention(c.getDuration(Setting.LOG_RETENTION.key),
        c.getLong(Setting.MAX_LOG_DISK_MB.key) * 1024 * 1024, FileRetention.DEFAULT.every());
    return s.withResources(cpus > 0 ? cpus : s.cpus(), memory > 0 ? memory : s.memoryMb()).withFiles(files);
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
