package io.baton.ha;

import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
   * What the leader of {@code epoch} serves: every readable, valid job, after moving each unreadable or invalid
   * record aside (bad bytes, an unknown format version, an id that does not match where it is stored) with its
   * original bytes, as a write fenced by {@code epoch}; plus every record quarantined so far, by this call or
   * earlier ones. One bad record never stops a leader. Blocking; the leader calls it once when its session starts.
   * Fails with {@link FencedException} when {@code epoch} is no longer current, or on an I/O failure.
   */
  Loaded loadForLeader(Epoch epoch) throws Exception;

  /** The jobs a leader serves and the records set aside. */
  record Loaded(List<JobRecord> jobs, List<Quarantined> quarantined) {
    public Loaded {
      jobs = List.copyOf(jobs);
      quarantined = List.copyOf(quarantined);
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
}
