package io.baton.scheduler.model;

import io.baton.protocol.AttemptKey;
import io.baton.wire.AttemptSpec;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attempts of one shape waiting for capacity, served <b>round-robin between jobs, least recently served
 * first</b>: {@link #poll} takes the oldest attempt of a job that has not been served since it started waiting (in
 * arrival order), else of the job served longest ago, and that job goes to the back of the turn. So a job that
 * arrives behind a 1,000-shard task gets the next free slot, and jobs that wait together take turns, one attempt
 * each; within a job, attempts go in arrival order. Pure; not thread-safe (owned by {@link ClusterBook}).
 */
final class WaitingQueue {
  /** Jobs not served since they started waiting, in arrival order. */
  private final LinkedHashMap<String, LinkedHashMap<AttemptKey, AttemptSpec>> fresh = new LinkedHashMap<>();
  /** Jobs served, the one served longest ago first. */
  private final LinkedHashMap<String, LinkedHashMap<AttemptKey, AttemptSpec>> served = new LinkedHashMap<>();
  private int size;

  /** Queues {@code spec}; false when its key waits already. */
  boolean add(AttemptSpec spec) {
    LinkedHashMap<AttemptKey, AttemptSpec> job = served.get(spec.key().jobId());
    if (job == null) {
      job = fresh.computeIfAbsent(spec.key().jobId(), j -> new LinkedHashMap<>());
    }
    if (job.putIfAbsent(spec.key(), spec) != null) {
      return false;
    }
    size++;
    return true;
  }

  /** Drops {@code key}; false when it was not waiting. */
  boolean remove(AttemptKey key) {
    LinkedHashMap<String, LinkedHashMap<AttemptKey, AttemptSpec>> in = served.containsKey(key.jobId()) ? served : fresh;
    LinkedHashMap<AttemptKey, AttemptSpec> job = in.get(key.jobId());
    if (job == null || job.remove(key) == null) {
      return false;
    }
    if (job.isEmpty()) {
      in.remove(key.jobId());
    }
    size--;
    return true;
  }

  /** The next attempt to place (see the class comment), taken out of the queue; the queue must not be empty. */
  AttemptSpec poll() {
    LinkedHashMap<String, LinkedHashMap<AttemptKey, AttemptSpec>> from = fresh.isEmpty() ? served : fresh;
    Map.Entry<String, LinkedHashMap<AttemptKey, AttemptSpec>> turn = from.entrySet().iterator().next();
    Iterator<AttemptSpec> it = turn.getValue().values().iterator();
    AttemptSpec next = it.next();
    it.remove();
    from.remove(turn.getKey());
    if (!turn.getValue().isEmpty()) {
      served.put(turn.getKey(), turn.getValue()); // to the back of the turn
    }
    size--;
    return next;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }
}
