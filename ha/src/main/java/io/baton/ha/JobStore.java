package io.baton.ha;

import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable store of jobs. Only the leader writes, and every write is fenced by its epoch: once a newer epoch
 * was granted anywhere in the cluster, writes for an older one fail with {@link FencedException} and change
 * nothing. Thread-safe; may be called from any thread.
 */
public interface JobStore {
  /** Every stored job. Blocking; the leader calls it once when its session starts. */
  List<JobRecord> loadAll() throws Exception;

  /**
   * Creates or replaces the job. Writes are batched, and a record superseded by a newer put for the same job
   * before it was written is skipped (its future completes with the newer one's). Completes once durable, or
   * exceptionally ({@link FencedException}, or an I/O failure).
   */
  CompletableFuture<Void> put(Epoch epoch, JobRecord job);
}
