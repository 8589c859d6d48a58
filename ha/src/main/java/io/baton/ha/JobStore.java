package io.baton.ha;

import io.baton.protocol.AttemptKey;
import java.util.Collection;
import java.util.Map;

import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.JobRecord;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Durable store of jobs. Only the leader writes, and every write is fenced by its epoch: once a newer epoch
 * was granted anywhere in the cluster, writes for an older one fail with {@link FencedException} and change
 * nothing. Thread-safe; may be called from any thread.
 */
public interface JobStore {
  /**
   * Every stored job. Blocking. Strict: fails on a record it cannot read (tools and tests; a leader calls
   * {@link #loadForLeader}).
   */
  List<JobRecord> loadAll() throws Exception;

  /**
   * What the leader of {@code epoch} needs before it serves: every readable, valid job that is not settled (see
   * {@link JobRecord#settled()}), after moving each unreadable or invalid record aside (bad bytes, an unknown format
   * version, an id that does not match where it is stored) with its original bytes, as a write fenced by
   * {@code epoch}; every record quarantined so far; and the newest job id stored anywhere (history included), so
   * new ids never repeat one. Settled jobs stored by an older version among the unfinished ones are returned too
   * and moved to history by the next put of them. Finished history is not read: see {@link #loadHistory}. One bad
   * record never stops a leader. Blocking; the leader calls it once when its session starts. Fails with
   * {@link FencedException} when {@code epoch} is no longer current, or on an I/O failure.
   */
  Loaded loadForLeader(Epoch epoch) throws Exception;

  /**
   * Reads the settled jobs (finished history) and hands them to {@code batches} in batches of at most
   * {@code batchSize}, newest id first (ids grow with submission time), on the calling thread, quarantining unreadable records as {@link #loadForLeader} does.
   * Blocking; a leader calls it in the background once it serves. Returns the records quarantined by this call.
   */
  List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches) throws Exception;

  /** The jobs a leader serves first, the records set aside, and the newest job id stored (null when none). */
  record Loaded(List<JobRecord> jobs, List<Quarantined> quarantined, String newestId) {
    public Loaded {
      jobs = List.copyOf(jobs);
      quarantined = List.copyOf(quarantined);
    }

    public Loaded(List<JobRecord> jobs, List<Quarantined> quarantined) {
      this(jobs, quarantined, null);
    }
  }

  /** A stored record set aside: the name it was stored under, why, and when. */
  record Quarantined(String id, String reason, Instant at) {}

  /**
   * Creates or replaces the job. Writes are batched, and a record superseded by a newer put for the same job
   * before it was written is skipped (its future completes with the newer one's). Completes once durable, or
   * exceptionally ({@link FencedException}, or an I/O failure).
   */
  CompletableFuture<Void> put(Epoch epoch, JobRecord job);

  /**
   * Most alerts the outbox holds. An alert raised while it is full is not stored (the job's write goes ahead) and
   * the store logs it at ERROR: a receiver down for long must not grow ZooKeeper without bound.
   */
  int MAX_OUTBOX = 10_000;

  /**
   * A {@link #put} that also records {@code alerts} in the alert outbox in the same fenced write: the job's new
   * version and the intent to tell someone about it are durable together or not at all, so a leader that dies before
   * delivering leaves them to the next one ({@link #pendingAlerts}). An alert whose id is in the outbox already is
   * kept as it is (not an error); one beyond {@link #MAX_OUTBOX} is dropped. Puts of the same job that are merged
   * (see {@link #put}) keep every alert of each. The default (a store without an outbox) refuses any alert.
   */
  default CompletableFuture<Void> put(Epoch epoch, JobRecord job, List<Alert> alerts) {
    if (alerts.isEmpty()) {
      return put(epoch, job);
    }
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        getClass().getSimpleName() + " keeps no alert outbox: cannot store " + alerts));
  }

  /**
   * The alerts in the outbox, oldest first (those stored by one write in id order). Blocking; the leader's alert courier calls it on a blocking thread, any
   * number of times. A record it cannot read is skipped (and logged), never returned. The default: none.
   */
  default List<Alert> pendingAlerts() throws Exception {
    return List.of();
  }

  /**
   * Removes an alert from the outbox once delivered (or given up), fenced by {@code epoch} like a put. Completes
   * once durable, also when it was not stored.
   */
  default CompletableFuture<Void> deleteAlert(Epoch epoch, String alertId) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Creates a job that a schedule's fire submits, and records the fire ({@code schedule}, {@code scheduledAt}) in
   * the same fenced write: either both are stored or neither. Fails with {@link FireExistsException}, storing
   * nothing, when that fire was recorded before (by this leader or an earlier one): a fire never submits two jobs.
   * Later changes of the job are ordinary {@link #put}s.
   */
  CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire);

  /** One fire of a schedule: the schedule's name and the instant it was due. */
  record Fire(String schedule, Instant scheduledAt) {
    /** The fire's id, also its job's Idempotency-Key: {@code <schedule>@<ISO-8601 instant>}. */
    public String id() {
      return schedule + "@" + scheduledAt;
    }
  }

  /** The fire was recorded before: its job exists (or existed) already. */
  final class FireExistsException extends Exception {
    public FireExistsException(Fire fire) {
      super("fire " + fire.id() + " was submitted before");
    }
  }

  /**
   * Removes a job, fenced like a put and ordered with the puts queued before it (a job put and then deleted stays
   * deleted). The caller deletes only settled jobs. Completes once durable (also when the job was not stored).
   */
  CompletableFuture<Void> delete(Epoch epoch, String jobId);

  /**
   * Stores the result {@code key}'s attempt left (UTF-8 text, at most 64 KiB), apart from the job's record (whose
   * attempt keeps only its size), fenced like a put. Written once: a second put for the same attempt keeps the
   * first and succeeds. The caller writes it before the put that records the attempt's end. Results go with their
   * job: {@link #delete} removes them. Completes once durable, or exceptionally like a put.
   */
  CompletableFuture<Void> putResult(Epoch epoch, AttemptKey key, String result);

  /**
   * The stored results of {@code keys}' attempts (all of one job); a key without a stored result is absent from the
   * map. Reads only; any master may call it. Completes on a store thread.
   */
  CompletableFuture<Map<AttemptKey, String>> results(Collection<AttemptKey> keys);

  /**
   * For metrics: {@code sizes} hears the number of writes in each batch the store sends to its backend in one round,
   * on the store's writer thread (it must return at once). A store that does not batch never calls it. Replaces
   * any observer given before.
   */
  default void observeWriteBatches(IntConsumer sizes) {}
}
