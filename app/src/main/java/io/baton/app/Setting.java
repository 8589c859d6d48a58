package io.baton.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting of a Baton server process, in one table: its HOCON key (default in {@code reference.conf}, the
 * only place a default is written), its command-line flag and environment variable when it has them, the
 * commands that read it, and what it means. The table drives the picocli options ({@link SettingOptions}), the
 * environment mapping and the precedence ({@link NodeOptions}), {@code --help}, and the README's configuration
 * table ({@code baton settings --markdown}; {@code SettingTableTest} fails when any of them drifts).
 */
enum Setting {
  ZK("baton.zookeeper.connect", "--zk", "BATON_ZK", FlagType.TEXT, Commands.NODES,
      "ZooKeeper connect string, HOST:PORT[,...]; standalone uses its in-process one"),
  CLUSTER_ID("baton.cluster-id", "--cluster-id", "BATON_CLUSTER_ID", FlagType.TEXT, Commands.NODES,
      "cluster id; the ZooKeeper root is /baton/<id>"),
  ZK_SESSION_TIMEOUT("baton.zookeeper.session-timeout", "--zk-session-timeout-ms", "BATON_ZK_SESSION_TIMEOUT",
      FlagType.MILLIS, Commands.NODES, "ZooKeeper session timeout; a master failover takes about this long"),
  ZK_CONNECTION_TIMEOUT("baton.zookeeper.connection-timeout", Commands.NODES, "ZooKeeper connection timeout"),
  ZK_SECRET_FILE("baton.zookeeper.secret-file", "--zk-secret-file", "BATON_ZK_SECRET_FILE", FlagType.PATH,
      Commands.MASTERS, "file holding the cluster's ZooKeeper digest secret (user baton): masters create every "
          + "node readable and writable only with it; workers need none; standalone creates "
          + "<data-dir>/zookeeper-secret when neither this nor the secret is set"),
  ZK_SECRET("baton.zookeeper.secret", null, "BATON_ZK_SECRET", FlagType.TEXT, Commands.MASTERS,
      "the ZooKeeper digest secret itself, instead of a file (environment or HOCON only, never a flag)"),
  INSECURE("baton.insecure", "--insecure", "BATON_INSECURE", FlagType.SWITCH, Commands.NODES,
      "accept an unprotected cluster: plaintext, unauthenticated Artery (no --tls-dir needed), and a master without "
          + "a ZooKeeper secret, its nodes open to anyone; logged loudly at start"),
  HOST("baton.host", "--host", "BATON_HOST", FlagType.TEXT, Commands.NODES,
      "address to bind and advertise, REST and Artery"),
  DATA_DIR("baton.data-dir", "--data-dir", "BATON_DATA_DIR", FlagType.PATH, Commands.NODES,
      "where data and task logs live"),
  REST_PORT("baton.rest.port", "--rest-port", "BATON_REST_PORT", FlagType.INT, Commands.NODES,
      "REST and web port (masters, standalone)"),
  TOKEN("baton.rest.token", "--token", "BATON_TOKEN", FlagType.TEXT, Commands.NODES,
      "write token: with it set, every REST call but /healthz, /readyz and the page's files needs a bearer token; empty = no auth"),
  MAX_BODY_BYTES("baton.rest.max-body-bytes", Commands.MASTERS, "largest REST request body accepted"),
  ASK_TIMEOUT("baton.rest.ask-timeout", Commands.MASTERS, "how long a REST call waits for the leader's actors"),
  REMOTE_PORT("baton.remote.port", "--port", "BATON_PORT", FlagType.INT, Commands.NODES,
      "Artery TCP port; 0 = any free port, -1 = 25520 for a master, 0 for a worker or standalone"),
  HEARTBEAT_INTERVAL("baton.heartbeat.interval", "--heartbeat-interval-ms", "BATON_HEARTBEAT_INTERVAL",
      FlagType.MILLIS, Commands.NODES, "worker heartbeat interval"),
  HEARTBEAT_TIMEOUT("baton.heartbeat.timeout", "--heartbeat-timeout-ms", "BATON_HEARTBEAT_TIMEOUT",
      FlagType.MILLIS, Commands.NODES,
      "a worker silent this long is DEAD and its attempts LOST; a worker that hears from no leader this long "
          + "kills its attempts; keep it well above the session timeout"),
  RETRY_BACKOFF_BASE("baton.retry.backoff-base", Commands.MASTERS, "delay after a task's first failed attempt, doubled after each further one"),
  RETRY_BACKOFF_MAX("baton.retry.backoff-max", Commands.MASTERS, "longest delay between attempts"),
  RETRY_JITTER("baton.retry.jitter", Commands.MASTERS, "retry delays are scaled by a random factor in [1 - jitter, 1 + jitter]"),
  WORKER_ID("baton.worker.id", "--worker-id", "BATON_WORKER_ID", FlagType.TEXT, List.of("worker"),
      "worker id; empty = kept in <data-dir>/worker-id, created on first start"),
  CPUS("baton.worker.cpus", "--cpus", "BATON_CPUS", FlagType.NUMBER, Commands.WORKERS,
      "cpus offered; 0 = this machine's cores"),
  MEMORY_MB("baton.worker.memory-mb", "--memory-mb", "BATON_MEMORY_MB", FlagType.LONG, Commands.WORKERS,
      "memory offered in MB; 0 = this machine's memory"),
  LOG_RETENTION("baton.worker.log-retention", "--log-retention", "BATON_LOG_RETENTION", FlagType.TEXT,
      Commands.WORKERS, "a worker deletes the logs and work directories of jobs whose files have not changed for "
          + "this long (besides those of jobs the leader deleted)"),
  MAX_LOG_DISK_MB("baton.worker.max-log-disk-mb", "--max-log-disk-mb", "BATON_MAX_LOG_DISK_MB", FlagType.LONG,
      Commands.WORKERS, "most megabytes of logs and work directories of finished jobs a worker keeps; the oldest "
          + "jobs' go first (checked every 10 minutes)"),
  LABELS("baton.worker.labels", "--labels", "BATON_LABELS", FlagType.TEXT, Commands.WORKERS,
      "labels k=v,k=v matched by task constraints"),
  WORKER_METRICS_PORT("baton.worker.metrics-port", "--metrics-port", "BATON_METRICS_PORT", FlagType.INT,
      Commands.WORKERS, "port of the worker's own GET /metrics (Prometheus text); -1 = off, 0 = any free port "
          + "(logged at start)"),
  DRAIN_TIMEOUT("baton.worker.drain-timeout", "--drain-timeout", "BATON_DRAIN_TIMEOUT", FlagType.TEXT,
      Commands.WORKERS, "on SIGTERM a worker (and standalone's) takes no new attempts and lets its running ones finish "
          + "for this long, hands the rest back to the leader (rerun elsewhere), then exits 0; standalone then hands "
          + "leadership over"),
  READ_TOKEN("baton.rest.read-token", "--read-token", "BATON_READ_TOKEN", FlagType.TEXT, Commands.MASTERS,
      "bearer token for REST reads only (GET); needs baton.rest.token, which also reads; empty = none"),
  REST_MAX_CONNECTIONS_PER_ADDRESS("baton.rest.max-connections-per-address", Commands.MASTERS,
      "open REST connections allowed from one client address; more are closed at once"),
  REST_MAX_CONNECTIONS("baton.rest.max-connections", Commands.MASTERS,
      "open REST connections allowed in all; more are closed at once"),
  REST_IDLE_TIMEOUT("baton.rest.idle-timeout", Commands.MASTERS,
      "a REST connection silent this long is closed; also bounds a client that sends its request head slowly"),
  MAX_QUEUED_TASKS("baton.scheduler.max-queued-tasks", Commands.MASTERS,
      "most tasks in unfinished jobs the leader holds; a submission beyond it gets 503 and Retry-After"),
  RETENTION_MAX_AGE("baton.retention.max-age", "--retention-max-age", "BATON_RETENTION_MAX_AGE", FlagType.TEXT,
      Commands.MASTERS, "finished jobs are deleted, with their logs, this long after they finished (72h, 3d, 30m)"),
  RETENTION_MAX_COUNT("baton.retention.max-count", "--retention-max-count", "BATON_RETENTION_MAX_COUNT",
      FlagType.LONG, Commands.MASTERS, "most finished jobs kept; the oldest beyond it are deleted whatever their age"),
  RETENTION_SWEEP_INTERVAL("baton.retention.sweep-interval", Commands.MASTERS,
      "how often the leader deletes the finished jobs past the retention limits"),
  MISFIRE_THRESHOLD("baton.schedules.misfire-threshold", Commands.MASTERS,
      "a schedule's fire this late (no leader served when it was due) is a misfire, handled by its misfire policy; "
          + "a later one simply runs late"),
  FIRE_AHEAD("baton.schedules.fire-ahead", Commands.MASTERS,
      "how long before its time a fire of an overlap-allow schedule is submitted, so its job is stored and waits for "
          + "its time (0s: at its time; at most 1m); a pause or delete cancels a fire submitted ahead"),
  REST_TLS_CERT("baton.rest.tls-cert", "--rest-tls-cert", "BATON_REST_TLS_CERT", FlagType.PATH, Commands.MASTERS,
      "PEM certificate chain (leaf first); with --rest-tls-key the REST API and page are served over HTTPS only"),
  REST_TLS_KEY("baton.rest.tls-key", "--rest-tls-key", "BATON_REST_TLS_KEY", FlagType.PATH, Commands.MASTERS,
      "PEM private key (unencrypted PKCS#8, EC or RSA) of --rest-tls-cert"),
  ALERT_SECRETS_FILE("baton.alerts.secrets-file", "--alert-secrets-file", "BATON_ALERT_SECRETS_FILE", FlagType.PATH,
      Commands.MASTERS, "properties file of the secrets that sign alerts, one name=secret a line; a job's webhook "
          + "names one (notify[].secret); the same file on every master; empty = none"),
  ALERT_MAX_ATTEMPTS("baton.alerts.max-attempts", Commands.MASTERS,
      "deliveries of one alert a leader tries before it gives the alert up (logged at ERROR, deleted)"),
  ALERT_BACKOFF_BASE("baton.alerts.backoff-base", Commands.MASTERS,
      "delay after an alert's first failed delivery, doubled after each further one (with the retry jitter)"),
  ALERT_BACKOFF_MAX("baton.alerts.backoff-max", Commands.MASTERS, "longest delay between deliveries of an alert"),
  ALERT_REQUEST_TIMEOUT("baton.alerts.request-timeout", Commands.MASTERS,
      "how long one webhook delivery may take; longer counts as failed"),
  ALERT_PER_URL_CONCURRENCY("baton.alerts.per-url-concurrency", Commands.MASTERS,
      "most webhook deliveries in flight to one URL"),
  ALERT_POLL_INTERVAL("baton.alerts.poll-interval", Commands.MASTERS,
      "how often the leader reads the alert outbox; a new alert waits at most this long"),
  ALERT_LINK_BASE("baton.alerts.link-base", Commands.MASTERS,
      "what an alert's link starts with (e.g. the address in front of the masters); empty = the leader's REST URL"),
  TLS_DIR("baton.tls.dir", "--tls-dir", "BATON_TLS_DIR", FlagType.PATH, Commands.NODES,
      "this node's Artery TLS files (node.p12, truststore.p12, password; made by baton certs); required by masters "
          + "and workers unless --insecure; standalone makes its own in <data-dir>/tls when empty");

  /** The type a flag's value is parsed as, and how it becomes a HOCON value. */
  enum FlagType {
    TEXT(String.class, v -> v),
    PATH(Path.class, Object::toString),
    INT(Integer.class, v -> v),
    LONG(Long.class, v -> v),
    NUMBER(Double.class, v -> v),
    /** A duration given in milliseconds on the command line. */
    MILLIS(Long.class, v -> v + "ms"),
    /** A flag without a value: present = true. */
    SWITCH(Boolean.class, v -> v);

    final Class<?> javaType;
    private final Function<Object, Object> toHocon;

    FlagType(Class<?> javaType, Function<Object, Object> toHocon) {
      this.javaType = javaType;
      this.toHocon = toHocon;
    }

    Object toHocon(Object flagValue) {
      return toHocon.apply(flagValue);
    }
  }

  private static final class Commands {
    static final List<String> NODES = List.of("master", "worker", "standalone");
    static final List<String> MASTERS = List.of("master", "standalone");
    static final List<String> WORKERS = List.of("worker", "standalone");
  }

  /** The defaults: Baton's {@code reference.conf} (on the classpath), nothing else. */
  static final Config REFERENCE = ConfigFactory.defaultReference();

  final String key;
  /** The flag, or null when the setting is only in HOCON. */
  final String flag;
  /** The environment variable, or null when the setting is only in HOCON. */
  final String env;
  final FlagType flagType;
  /** The commands that read the setting (and offer its flag). */
  final List<String> commands;
  final String description;

  Setting(String key, String flag, String env, FlagType flagType, List<String> commands, String description) {
    this.key = key;
    this.flag = flag;
    this.env = env;
    this.flagType = flagType;
    this.commands = commands;
    this.description = description;
  }

  /** A setting only in HOCON files. */
  Setting(String key, List<String> commands, String description) {
    this(key, null, null, null, commands, description);
  }

  Optional<String> flag() {
    return Optional.ofNullable(flag);
  }

  Optional<String> env() {
    return Optional.ofNullable(env);
  }

  /** The default as written in reference.conf: {@code 4s}, {@code 8080}, {@code ""}. */
  String defaultText() {
    ConfigValue v = REFERENCE.getValue(key);
    if (v.valueType() == ConfigValueType.STRING) {
      String s = (String) v.unwrapped();
      return s.isEmpty() ? "\"\"" : s;
    }
    return String.valueOf(v.unwrapped());
  }

  /** The default in the flag's own unit: milliseconds for a {@link FlagType#MILLIS} flag. */
  String flagDefaultText() {
    return flagType == FlagType.MILLIS ? Long.toString(REFERENCE.getDuration(key).toMillis()) : defaultText();
  }

  /** The flag's {@code --help} line; the default comes from reference.conf. */
  String help() {
    return description + " (" + key + (env == null ? "" : ", env " + env) + "; default " + flagDefaultText() + ")";
  }

  String paramLabel() {
    return flagType == FlagType.MILLIS ? "<ms>" : "<" + key.substring(key.lastIndexOf('.') + 1) + ">";
  }

  /** The settings whose flag {@code command} offers. */
  static List<Setting> flagsOf(String command) {
    return Arrays.stream(values()).filter(s -> s.flag != null && s.commands.contains(command)).toList();
  }

  /** Environment variables and the keys they set. */
  static Map<String, String> environment() {
    return Arrays.stream(values()).filter(s -> s.env != null)
        .collect(Collectors.toUnmodifiableMap(s -> s.env, s -> s.key));
  }

  /** The README's configuration table, printed by {@code baton settings --markdown}. */
  static String markdownTable() {
    List<String> lines = new ArrayList<>();
    lines.add("| flag | HOCON key | env | default | commands | meaning |");
    lines.add("|---|---|---|---|---|---|");
    for (Setting s : values()) {
      lines.add("| " + code(s.flag) + " | " + code(s.key) + " | " + code(s.env) + " | " + code(s.defaultText())
          + " | " + String.join(", ", s.commands) + " | " + s.description.replace("|", "\\|").replace("<", "\\<") + " |");
    }
    return String.join("\n", lines) + "\n";
  }

  private static String code(String s) {
    return s == null ? "—" : "`" + s + "`";
  }
}
