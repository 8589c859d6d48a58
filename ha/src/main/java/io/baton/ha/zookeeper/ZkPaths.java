package io.baton.ha.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Every ZooKeeper path Baton uses, rooted at {@code /baton/<cluster-id>} (see ha/README.md for the layout).
 * Immutable and thread-safe.
 */
public final class ZkPaths {
  public static final String DEFAULT_CLUSTER_ID = "default";
  /** The parent of every cluster's root, shared by all clusters on one ZooKeeper. */
  public static final String BASE = "/baton";

  private final String clusterId;
  private final String root;

  public ZkPaths(String clusterId) {
    if (clusterId == null || clusterId.isBlank() || clusterId.contains("/") || clusterId.equals(".")
        || clusterId.equals("..")) {
      throw new IllegalArgumentException("invalid cluster id: '" + clusterId + "'");
    }
    this.clusterId = clusterId;
    this.root = BASE + "/" + clusterId;
  }

  public String clusterId() {
    return clusterId;
  }

  /** {@code /baton/<cluster-id>}. */
  public String root() {
    return root;
  }

  /** The Curator LeaderLatch participants (ephemeral sequential children). */
  public String leaderLatch() {
    return root + "/leaderlatch";
  }

  /** Ephemeral; the confirmed leader's {@code LeaderInfo} as JSON. */
  public String leader() {
    return root + "/leader";
  }

  /** Persistent; its data version is the current epoch. Every grant bumps it. */
  public String epoch() {
    return root + "/epoch";
  }

  /** Parent of the 256 buckets of unfinished jobs (and of jobs with attempts that may still report). */
  public String jobs() {
    return root + "/jobs";
  }

  /** {@code jobs/<bucket>} for the job. */
  public String jobBucket(String jobId) {
    return jobs() + "/" + bucketOf(jobId);
  }

  /** {@code jobs/<bucket>/<jobId>}, one persistent znode per job holding its {@code JobCodec} bytes. */
  public String job(String jobId) {
    return jobBucket(jobId) + "/" + jobId;
  }

  /** Parent of the 256 buckets of settled jobs: finished history, read by a new leader in the background. */
  public String history() {
    return root + "/history";
  }

  /** {@code history/<bucket>/<jobId>}: a settled job's {@code JobCodec} bytes. */
  public String historyJob(String jobId) {
    return history() + "/" + bucketOf(jobId) + "/" + jobId;
  }

  /** Parent of the 256 buckets of job results: {@code results/<bucket>/<jobId>/<unitId>@<attempt>}. */
  public String results() {
    return root + "/results";
  }

  /** {@code results/<bucket>}. */
  public String resultBucket(String jobId) {
    return results() + "/" + bucketOf(jobId);
  }

  /** {@code results/<bucket>/<jobId>}: one child per attempt that left a result (UTF-8 text). */
  public String jobResults(String jobId) {
    return resultBucket(jobId) + "/" + jobId;
  }

  /** {@code results/<bucket>/<jobId>/<unitId>@<attempt>}; task ids hold no {@code @}. */
  public String result(io.baton.protocol.AttemptKey key) {
    return jobResults(key.jobId()) + "/" + key.taskId() + "@" + key.attempt();
  }

  /** Parent of the schedules: {@code schedules/<name>} holds a schedule's record. */
  public String schedules() {
    return root + "/schedules";
  }

  public String schedule(String name) {
    return schedules() + "/" + name;
  }

  /** {@code schedules/<name>/fires}: one child per recorded fire, named by its due instant in epoch millis. */
  public String fires(String name) {
    return schedule(name) + "/fires";
  }

  public String fire(String name, java.time.Instant scheduledAt) {
    return fires(name) + "/" + String.format("%015d", scheduledAt.toEpochMilli());
  }

  /**
   * Persistent; job records a leader could not serve, moved aside by a fenced transaction. Each child is named
   * after the record, holds its original bytes, and has a {@code reason} child (UTF-8 text).
   */
  public String quarantine() {
    return root + "/quarantine";
  }

  /** {@code quarantine/<name>}. */
  public String quarantined(String name) {
    return quarantine() + "/" + name;
  }

  /**
   * Persistent; the alert outbox: one child per webhook delivery the leader owes, named by the alert's idempotency
   * id, holding its {@code AlertCodec} bytes; created in the transaction that stores the job's change, deleted once
   * delivered.
   */
  public String alerts() {
    return root + "/alerts";
  }

  /** {@code alerts/<alert id>}. */
  public String alert(String alertId) {
    return alerts() + "/" + alertId;
  }

  /** Two lowercase hex chars: the low byte of the CRC-32 of the id's UTF-8 bytes. Stable across versions. */
  public static String bucketOf(String jobId) {
    checkJobId(jobId);
    CRC32 crc = new CRC32();
    crc.update(jobId.getBytes(StandardCharsets.UTF_8));
    int b = (int) (crc.getValue() & 0xff);
    return Character.forDigit(b >>> 4, 16) + "" + Character.forDigit(b & 0xf, 16);
  }

  static void checkJobId(String jobId) {
    if (jobId == null || jobId.isEmpty() || jobId.contains("/") || jobId.equals(".") || jobId.equals("..")
        || jobId.equals("zookeeper")) {
      throw new IllegalArgumentException("job id is not a valid znode name: '" + jobId + "'");
    }
  }
}
