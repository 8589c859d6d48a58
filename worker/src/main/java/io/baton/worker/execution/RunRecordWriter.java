package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link RunRecords} up to date off the worker actor's thread: a file write costs about a millisecond here,
 * more than a noop attempt. Changes are applied in order on one daemon thread, collapsed per attempt to the latest
 * (an attempt that starts, ends and is acknowledged before the thread gets to it costs no I/O at all). A change is
 * on disk a moment after {@link #put} or {@link #delete} returns; {@link #writeNow} is on disk when it returns
 * (for a command about to start: a restart must know of every process this worker may have started).
 *
 * <p>Threading: {@code put}, {@code delete}, {@code writeNow}, {@code close} and {@code abandon} are called by the
 * owner (the worker actor); failures of queued changes are logged by the writer thread.
 */
public final class RunRecordWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RunRecordWriter.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final RunRecords store;
  private final Object io = new Object();
  private final Map<AttemptKey, Optional<RunRecord>> pending = new LinkedHashMap<>(); // guarded by itself
  private final Set<AttemptKey> onDisk; // guarded by io
  private final Thread thread;
  private boolean closed; // guarded by pending

  /** A writer for {@code store}, whose records of {@code existing} are already on disk. */
  public RunRecordWriter(RunRecords store, Collection<AttemptKey> existing) {
    this.store = store;
    this.onDisk = new HashSet<>(existing);
    this.thread = new Thread(this::run, "baton-run-records");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues the record of {@code record.key()}, replacing any change of that attempt still queued. */
  public void put(RunRecord record) {
    enqueue(record.key(), Optional.of(record));
  }

  /** Queues the deletion of the record of {@code key}, replacing any change of that attempt still queued. */
  public void delete(AttemptKey key) {
    enqueue(key, Optional.empty());
  }

  /** Writes the record now, on the caller's thread, dropping any change of that attempt still queued. */
  public void writeNow(RunRecord record) throws IOException {
    synchronized (io) {
      synchronized (pending) {
        pending.remove(record.key());
      }
      store.write(record);
      onDisk.add(record.key());
    }
  }

  /** Applies every queued change, then stops the thread (waits up to 10 s). */
  public void close() throws InterruptedException {
    synchronized (pending) {
      closed = true;
      pending.notifyAll();
    }
    thread.join(CLOSE_WAIT.toMillis());
  }

  /** Drops the queued changes and stops, as the worker's death would (for tests that simulate kill -9). */
  public void abandon() throws InterruptedException {
    synchronized (pending) {
      pending.clear();
    }
    close();
  }

  private void enqueue(AttemptKey key, Optional<RunRecord> change) {
    synchronized (pending) {
      if (closed) {
        LOG.warn("run record change for {} after close dropped", key);
        return;
      }
      pending.remove(key);
      pending.put(key, change);
      pending.notifyAll();
    }
  }

  private void run() {
    try {
      while (true) {
        synchronized (pending) {
          while (pending.isEmpty() && !closed) {
            pending.wait();
          }
          if (pending.isEmpty()) {
            return;
          }
        }
        synchronized (io) {
          AttemptKey key;
          Optional<RunRecord> change;
          synchronized (pending) {
            Iterator<Map.Entry<AttemptKey, Optional<RunRecord>>> it = pending.entrySet().iterator();
            if (!it.hasNext()) {
              continue;
            }
            Map.Entry<AttemptKey, Optional<RunRecord>> next = it.next();
            it.remove();
            key = next.getKey();
            change = next.getValue();
          }
          apply(key, change);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void apply(AttemptKey key, Optional<RunRecord> change) {
    try {
      if (change.isPresent()) {
        store.write(change.get());
        onDisk.add(key);
      } else if (onDisk.remove(key)) {
        store.delete(key);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot {} the run record of {}; a restart may not account for it correctly: {}",
          change.isPresent() ? "write" : "delete", key, e.toString());
    }
  }
}
