package io.baton.worker;

import io.baton.worker.execution.FileRetention;
import io.baton.wire.WireLimits;
import io.baton.wire.WorkerInfo;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's settings, parsed once (by dist/ from flags and HOCON). Immutable.
 *
 * @param workerId           unique id of this worker in the cluster
 * @param host               host name reported to the leader
 * @param cpus               cores offered for placement
 * @param memoryMb           memory offered for placement
 * @param labels             labels that task constraints match against
 * @param dataDir            root of {@code work/} (attempt working dirs) and {@code logs/} (attempt logs)
 * @param heartbeatInterval  how often to heartbeat the leader (also the report resend and registration retry base)
 * @param heartbeatTimeout   the leader's heartbeat timeout: running attempts are killed (self-fencing) a
 *                           {@link #leaseMargin} before it passes without a heartbeat the leader answered
 * @param resolveTimeout     how long to wait for the leader's gateway to resolve
 * @param registrationBackoffMax longest wait between two registration tries
 * @param maxLogChunkBytes   largest log slice answered to one FetchLog
 * @param files              how long the worker keeps the logs and work directories of finished jobs
 */
public record WorkerSettings(
    String workerId,
    String host,
    double cpus,
    long memoryMb,
    Map<String, String> labels,
    Path dataDir,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Duration resolveTimeout,
    Duration registrationBackoffMax,
    int maxLogChunkBytes,
    FileRetention files) {

  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(500);
  public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  public WorkerSettings {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(files, "files");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    WireLimits.checkInfo(new WorkerInfo(workerId, host, cpus, memoryMb, labels)); // a leader would drop it otherwise
    if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive");
    }
    if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("heartbeatTimeout must be longer than heartbeatInterval");
    }
  }

  /** This machine's cores and memory, no labels, the local host name, default intervals. */
  public static WorkerSettings defaults(String workerId, Path dataDir) {
    return new WorkerSettings(workerId, localHost(), Runtime.getRuntime().availableProcessors(), machineMemoryMb(),
        Map.of(), dataDir, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT_TIMEOUT, Duration.ofSeconds(3),
        Duration.ofSeconds(5), 1 << 20, FileRetention.DEFAULT);
  }

  /**
   * How much earlier than the heartbeat timeout a worker's lease ends (its attempts are killed): time to kill them
   * and room for clock rate differences, a quarter of the timeout and at most a second.
   */
  public Duration leaseMargin() {
    Duration quarter = heartbeatTimeout.dividedBy(4);
    return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
  }

  public WorkerSettings withResources(double newCpus, long newMemoryMb) {
    return new WorkerSettings(workerId, host, newCpus, newMemoryMb, labels, dataDir, heartbeatInterval,
        heartbeatTimeout, resolveTimeout, registrationBackoffMax, maxLogChunkBytes, files);
  }

  public WorkerSettings withFiles(FileRetention newFiles) {
    return new WorkerSettings(workerId, host, cpus, memoryMb, labels, dataDir, heartbeatInterval,
        heartbeatTimeout, resolveTimeout, registrationBackoffMax, maxLogChunkBytes, newFiles);
  }

  public WorkerSettings withLabels(Map<String, String> newLabels) {
    return new WorkerSettings(workerId, host, cpus, memoryMb, newLabels, dataDir, heartbeatInterval,
        heartbeatTimeout, resolveTimeout, registrationBackoffMax, maxLogChunkBytes, files);
  }

  public WorkerSettings withHost(String newHost) {
    return new WorkerSettings(workerId, newHost, cpus, memoryMb, labels, dataDir, heartbeatInterval,
        heartbeatTimeout, resolveTimeout, registrationBackoffMax, maxLogChunkBytes, files);
  }

  public WorkerSettings withHeartbeat(Duration interval, Duration timeout) {
    return new WorkerSettings(workerId, host, cpus, memoryMb, labels, dataDir, interval, timeout, resolveTimeout,
        registrationBackoffMax, maxLogChunkBytes, files);
  }

  public WorkerSettings withRegistrationBackoffMax(Duration max) {
    return new WorkerSettings(workerId, host, cpus, memoryMb, labels, dataDir, heartbeatInterval,
        heartbeatTimeout, resolveTimeout, max, maxLogChunkBytes, files);
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }

  private static long machineMemoryMb() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024 * 1024);
    }
    return Runtime.getRuntime().maxMemory() / (1024 * 1024);
  }
}
