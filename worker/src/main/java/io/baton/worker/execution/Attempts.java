package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToWorker;
import io.baton.worker.execution.RunningAttempt.Outcome;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The {@link AttemptRunner}'s attempts: the book of their reports, the ones running, their run records. Not an
 * actor and not thread-safe: owned by the runner and called on its thread only; the outcome of an attempt it
 * starts comes back to the runner as a message. Run records are written only once {@link #recovered} handed over
 * the writer.
 */
final class Attempts {
  private final AttemptBook book = new AttemptBook();
  private final Map<AttemptKey, RunningAttempt> runs = new HashMap<>();
  private final AttemptLauncher launcher;
  private final Logger log;
  private RunRecordWriter records;

  Attempts(AttemptLauncher launcher, Logger log) {
    this.launcher = launcher;
    this.log = log;
  }

  AttemptBook book() {
    return book;
  }

  /** What the previous life left is booked; the records found are on disk already. */
  void recovered(Leftovers.Result result, RunRecords store) {
    result.problems().forEach(p -> log.warn("restart: {}", p));
    for (AttemptReport r : result.reports()) {
      book.restored(withResult(r));
      log.info("restart: {} {} ({})", r.key(), r.state(), r.message());
    }
    records = new RunRecordWriter(store, result.reports().stream().map(AttemptReport::key).toList());
  }

  /**
   * Starts {@code spec} under a lease ending at {@code leaseDeadline} (it is {@code nowNanos} now): the attempt,
   * or empty for a duplicate (reported again) or a start refused (reported LOST or FAILED).
   */
  Optional<RunningAttempt> start(AttemptSpec spec, Instant now, long nowNanos, long leaseDeadline) {
    AttemptKey key = spec.key();
    if (book.knows(key)) {
      book.rereport(key);
      return Optional.empty();
    }
    if (nowNanos - leaseDeadline >= 0) {
      // e.g. a start that waited in the socket while this worker was frozen: the leader may have given the
      // attempt up (LOST) and placed its retry already; starting it now could run the task twice
      book.restored(new AttemptReport(key, AttemptState.LOST, null, null, now,
          "not started: this worker's lease had ended (no leader answered it in time)"));
      log.warn("not starting {}: this worker's lease has ended", key);
      return Optional.empty();
    }
    book.started(key, now);
    if (!spec.task().isHandler()) {
      // on disk before the process can exist: a restart then knows of every process this worker may have started
      try {
        records.writeNow(RunRecord.running(key, now, Optional.empty()));
      } catch (IOException e) {
        log.warn("cannot write the run record of {}; not starting it: {}", key, e.toString());
        book.ended(key, now, null, "the worker cannot write its run record: " + e.getMessage());
        return Optional.empty();
      }
    }
    RunningAttempt run = launcher.start(key, spec.task(), spec.inputs(), leaseDeadline);
    runs.put(key, run);
    records.put(RunRecord.running(key, now, run.process()));
    return Optional.of(run);
  }

  /**
   * A SUCCEEDED report restored from a run record (which holds no result) with the result its attempt left on
   * disk; a result that cannot be read back is left out (the attempt did succeed).
   */
  private AttemptReport withResult(AttemptReport r) {
    if (r.state() != AttemptState.SUCCEEDED || r.result() != null) {
      return r;
    }
    AttemptIo.Result result = AttemptIo.readResult(launcher.paths().resultFile(r.key()));
    if (result.error() != null) {
      log.warn("restart: the result of {} cannot be read back: {}", r.key(), result.error());
    }
    return result.text() == null ? r
        : new AttemptReport(r.key(), r.state(), r.exitCode(), r.startedAt(), r.finishedAt(), r.message(), result.text());
  }

  /** Kills a running attempt, which will end in {@code reason}; false when unknown, over or being killed. */
  boolean kill(AttemptKey key, AttemptState reason, String message) {
    if (!book.killRequested(key, reason, message)) {
      return false;
    }
    RunningAttempt run = runs.get(key);
    if (run != null) {
      run.kill();
    }
    return true;
  }

  /** Kills every running attempt, LOST; returns how many kills that started. */
  int killAllLost(String message) {
    int killed = 0;
    for (AttemptKey key : book.runningKeys()) {
      killed += kill(key, AttemptState.LOST, message) ? 1 : 0;
    }
    return killed;
  }

  void renewLease(long deadlineNanos) {
    runs.values().forEach(run -> run.renewLease(deadlineNanos));
  }

  /** An attempt's process or handler ended; true when that changed its report. */
  boolean ended(AttemptKey key, Outcome outcome, Instant now) {
    runs.remove(key);
    if (outcome.lost()) {
      book.killRequested(key, AttemptState.LOST, outcome.error());
    }
    boolean ended;
    if (outcome.exitCode() != null && outcome.exitCode() == 0 && !book.isBeingKilled(key)) {
      AttemptIo.Result result = AttemptIo.readResult(launcher.paths().resultFile(key));
      ended = result.error() != null
          ? book.ended(key, now, null, result.error())
          : book.ended(key, now, 0, null, result.text());
    } else {
      ended = book.ended(key, now, outcome.exitCode(), outcome.error());
    }
    if (!ended) {
      return false;
    }
    book.report(key).ifPresent(r -> records.put(RunRecord.ended(r)));
    return true;
  }

  /** The leader recorded these; an attempt it forgets loses its run record. */
  void ack(List<ToWorker.Acked> acked) {
    for (ToWorker.Acked a : acked) {
      boolean known = book.knows(a.key());
      book.ack(a.key(), a.state());
      if (known && !book.knows(a.key())) {
        records.delete(a.key());
      }
    }
  }

  /** A graceful stop: kills what runs, records it LOST, writes every queued record. */
  void stop(Instant now) throws InterruptedException {
    if (records == null) {
      return;
    }
    for (Map.Entry<AttemptKey, RunningAttempt> e : runs.entrySet()) {
      e.getValue().kill();
      Instant startedAt = book.report(e.getKey()).map(AttemptReport::startedAt).orElse(null);
      records.put(RunRecord.ended(new AttemptReport(e.getKey(), AttemptState.LOST, null, startedAt, now,
          "worker stopped; attempt killed")));
    }
    runs.clear();
    records.close();
  }

  /** Stops as kill -9 would: processes keep running, queued records are dropped. */
  void crash() throws InterruptedException {
    runs.clear();
    if (records != null) {
      records.abandon();
    }
  }
}
