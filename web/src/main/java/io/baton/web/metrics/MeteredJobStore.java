package io.baton.web.metrics;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A {@link JobStore} that times every write ({@code baton_store_write_seconds{op,outcome}}: from the call to the
 * completion of its future, so a write's wait in the store's batch counts), records the size of each batch the
 * store sends ({@code baton_store_write_batch_writes}) and hands the jobs a new leader loads to {@code recovered},
 * which seeds the job gauges. Adds no blocking and no thread; the wrapped store's
 * threading rules apply unchanged.
 */
final class MeteredJobStore implements JobStore {
  private static final Duration MIN = Duration.ofMillis(1);
  private static final Duration MAX = Duration.ofSeconds(30);

  private final JobStore store;
  private final MeterRegistry registry;
  private final Consumer<List<JobRecord>> recovered;

  MeteredJobStore(JobStore store, MeterRegistry registry, Consumer<List<JobRecord>> recovered) {
    this.store = store;
    this.registry = registry;
    this.recovered = recovered;
    DistributionSummary batches = DistributionSummary.builder("baton.store.write.batch")
        .description("Writes the job store sent to ZooKeeper in one round (its batching; absent for a store that "
            + "does not batch)")
        .baseUnit("writes")
        .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
        .register(registry);
    store.observeWriteBatches(batches::record);
  }

  @Override
  public List<JobRecord> loadAll() throws Exception {
    return store.loadAll();
  }

  @Override
  public Loaded loadForLeader(Epoch epoch) throws Exception {
    Loaded loaded = store.loadForLeader(epoch);
    recovered.accept(loaded.jobs());
    return loaded;
  }

  @Override
  public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches)
      throws Exception {
    return store.loadHistory(epoch, batchSize, batches);
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
    return timed("put", () -> store.put(epoch, job));
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job, List<io.baton.protocol.alert.Alert> alerts) {
    return timed("put", () -> store.put(epoch, job, alerts));
  }

  @Override
  public List<io.baton.protocol.alert.Alert> pendingAlerts() throws Exception {
    return store.pendingAlerts();
  }

  @Override
  public CompletableFuture<Void> deleteAlert(Epoch epoch, String alertId) {
    return timed("delete_alert", () -> store.deleteAlert(epoch, alertId));
  }

  @Override
  public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
    return timed("put_fired", () -> store.putFired(epoch, job, fire));
  }

  @Override
  public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
    return timed("delete", () -> store.delete(epoch, jobId));
  }

  @Override
  public CompletableFuture<Void> putResult(Epoch epoch, AttemptKey key, String result) {
    return timed("put_result", () -> store.putResult(epoch, key, result));
  }

  @Override
  public CompletableFuture<java.util.Map<AttemptKey, String>> results(java.util.Collection<AttemptKey> keys) {
    return store.results(keys);
  }

  @Override
  public void observeWriteBatches(IntConsumer sizes) {
    store.observeWriteBatches(sizes);
  }

  private CompletableFuture<Void> timed(String op, Supplier<CompletableFuture<Void>> write) {
    long start = System.nanoTime();
    CompletableFuture<Void> result = write.get();
    result.whenComplete((ok, failure) -> timer(op, failure == null ? "ok" : "error")
        .record(Duration.ofNanos(System.nanoTime() - start)));
    return result;
  }

  private Timer timer(String op, String outcome) {
    return Timer.builder("baton.store.write")
        .description("Job store writes, from the call until ZooKeeper confirmed (or refused) them")
        .tags("op", op, "outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(MIN)
        .maximumExpectedValue(MAX)
        .register(registry);
  }
}
