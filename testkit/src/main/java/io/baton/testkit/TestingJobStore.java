package io.baton.testkit;

import io.baton.ha.JobStore;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A job store in a map, without fencing, for actor tests: settled jobs count as history (not returned by
 * {@link #loadForLeader}), every write completes at once, and deletes are recorded. Alerts are kept in an outbox
 * in the order raised (an id raised again is kept as it was). Thread-safe.
 */
public final class TestingJobStore implements JobStore {
  private final Map<AttemptKey, String> results = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
  private final List<String> deleted = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> fires = ConcurrentHashMap.newKeySet();
  private final Map<String, io.baton.protocol.alert.Alert> outbox =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());

  /** Stores {@code job} as if an earlier leader had. */
  public TestingJobStore with(JobRecord job) {
    jobs.put(job.id(), job);
    return this;
  }

  public Map<String, JobRecord> stored() {
    return Map.copyOf(jobs);
  }

  /** Every job id deleted, in order. */
  public List<String> deleted() {
    return List.copyOf(deleted);
  }

  @Override
  public List<JobRecord> loadAll() {
    return new ArrayList<>(jobs.values());
  }

  @Override
  public Loaded loadForLeader(Epoch epoch) {
    String newest = jobs.keySet().stream().max(Comparator.naturalOrder()).orElse(null);
    return new Loaded(jobs.values().stream().filter(j -> !j.settled()).toList(), List.of(), newest);
  }

  @Override
  public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches) {
    List<JobRecord> settled = jobs.values().stream().filter(JobRecord::settled).toList();
    for (int from = 0; from < settled.size(); from += batchSize) {
      batches.accept(settled.subList(from, Math.min(settled.size(), from + batchSize)));
    }
    return List.of();
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
    jobs.put(job.id(), job);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> put(Epoch epoch, JobRecord job, List<io.baton.protocol.alert.Alert> alerts) {
    alerts.forEach(a -> outbox.putIfAbsent(a.id(), a));
    return put(epoch, job);
  }

  @Override
  public List<io.baton.protocol.alert.Alert> pendingAlerts() {
    synchronized (outbox) {
      return List.copyOf(outbox.values());
    }
  }

  @Override
  public CompletableFuture<Void> deleteAlert(Epoch epoch, String alertId) {
    outbox.remove(alertId);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
    if (!fires.add(fire.id())) {
      return CompletableFuture.failedFuture(new FireExistsException(fire));
    }
    return put(epoch, job);
  }

  @Override
  public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
    jobs.remove(jobId);
    deleted.add(jobId);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> putResult(Epoch epoch, AttemptKey key, String result) {
    results.putIfAbsent(key, result);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Map<AttemptKey, String>> results(java.util.Collection<AttemptKey> keys) {
    Map<AttemptKey, String> out = new java.util.HashMap<>();
    keys.forEach(k -> {
      if (results.containsKey(k)) {
        out.put(k, results.get(k));
      }
    });
    return CompletableFuture.completedFuture(out);
  }

  /** The results stored so far. */
  public Map<AttemptKey, String> storedResults() {
    return Map.copyOf(results);
  }
}
