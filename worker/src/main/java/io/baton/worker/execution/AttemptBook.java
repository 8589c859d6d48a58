package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import io.baton.wire.WireLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The worker's book of attempts: the state of each attempt it knows, which reports the leader has not
 * acknowledged yet, and which changed since the last flush. Pure bookkeeping: no I/O, no clocks (callers pass
 * {@code now}). Not thread-safe; owned by the worker actor.
 *
 * <p>Rules: an attempt is known from {@link #started} until its terminal report is acknowledged. Every state
 * change produces a report that stays unacknowledged until {@link #ack} names the same key and state. A kill
 * marks a running attempt; when it then ends, its terminal state is the kill's reason, whatever its exit code.
 */
public final class AttemptBook {
  private final Map<AttemptKey, Entry> entries = new LinkedHashMap<>();
  private final Map<AttemptKey, Unacked> unacked = new LinkedHashMap<>();
  private final Map<AttemptKey, AttemptReport> changed = new LinkedHashMap<>();

  private static final class Entry {
    AttemptState state = AttemptState.RUNNING;
    Integer exitCode;
    Instant startedAt;
    Instant finishedAt;
    String message;
    AttemptState killReason;
    String killMessage;
    String result;

    AttemptReport report(AttemptKey key) {
      return new AttemptReport(key, state, exitCode, startedAt, finishedAt, message, result);
    }
  }

  private record Unacked(AttemptReport report, Instant sentAt) {}

  public boolean knows(AttemptKey key) {
    return entries.containsKey(key);
  }

  public Optional<AttemptReport> report(AttemptKey key) {
    Entry e = entries.get(key);
    return e == null ? Optional.empty() : Optional.of(e.report(key));
  }

  /** A new attempt is running. Returns false (and changes nothing) when the key is already known. */
  public boolean started(AttemptKey key, Instant now) {
    if (entries.containsKey(key)) {
      return false;
    }
    Entry e = new Entry();
    e.startedAt = now;
    entries.put(key, e);
    changed(key, e);
    return true;
  }

  /**
   * An attempt that is over when this worker learns of it (from a run record of its previous life, or refused at
   * its start), in its terminal state: known and unacknowledged from now on, like any attempt that ended. Returns false (and changes nothing) when the key is
   * already known or the report is not terminal.
   */
  public boolean restored(AttemptReport terminal) {
    if (entries.containsKey(terminal.key()) || !terminal.state().isTerminal()) {
      return false;
    }
    Entry e = new Entry();
    e.state = terminal.state();
    e.exitCode = terminal.exitCode();
    e.startedAt = terminal.startedAt();
    e.finishedAt = terminal.finishedAt();
    e.message = terminal.message();
    e.result = terminal.result();
    entries.put(terminal.key(), e);
    changed(terminal.key(), e);
    return true;
  }

  /**
   * A running attempt ended: with an exit code, or ({@code exitCode} null) with an error message. The terminal
   * state is the kill reason if it was killed, else SUCCEEDED for exit 0 and FAILED otherwise. Returns false
   * when the attempt is unknown or already terminal.
   */
  public boolean ended(AttemptKey key, Instant now, Integer exitCode, String error) {
    return ended(key, now, exitCode, error, null);
  }

  /**
   * {@link #ended(AttemptKey, Instant, Integer, String)}, with the result the attempt left (kept only if it
   * SUCCEEDED).
   */
  public boolean ended(AttemptKey key, Instant now, Integer exitCode, String error, String result) {
    Entry e = entries.get(key);
    if (e == null || e.state.isTerminal()) {
      return false;
    }
    if (e.killReason != null) {
      e.state = e.killReason;
      e.message = e.killMessage;
      e.exitCode = null;
    } else if (exitCode != null && exitCode == 0) {
      e.state = AttemptState.SUCCEEDED;
      e.exitCode = 0;
      e.result = result;
    } else {
      e.state = AttemptState.FAILED;
      e.exitCode = exitCode;
      e.message = error != null ? error : "exit code " + exitCode;
    }
    e.finishedAt = now;
    changed(key, e);
    return true;
  }

  /**
   * Marks a running attempt as killed for {@code reason}; it takes that state when it ends. Returns false when
   * the attempt is unknown, already terminal or already being killed (the first reason wins).
   */
  public boolean killRequested(AttemptKey key, AttemptState reason, String message) {
    Entry e = entries.get(key);
    if (e == null || e.state.isTerminal() || e.killReason != null) {
      return false;
    }
    e.killReason = reason;
    e.killMessage = message;
    return true;
  }

  /** Whether a kill was requested for this running attempt. */
  public boolean isBeingKilled(AttemptKey key) {
    Entry e = entries.get(key);
    return e != null && !e.state.isTerminal() && e.killReason != null;
  }

  /** Queues the attempt's current report again (a duplicate start). Returns false when unknown. */
  public boolean rereport(AttemptKey key) {
    Entry e = entries.get(key);
    if (e == null) {
      return false;
    }
    changed(key, e);
    return true;
  }

  /**
   * The leader recorded {@code state} for {@code key}: that report is no longer resent, and a terminal attempt
   * is forgotten. An ack for an older state than the current one changes nothing.
   */
  public void ack(AttemptKey key, AttemptState state) {
    Unacked u = unacked.get(key);
    if (u != null && u.report.state() == state) {
      unacked.remove(key);
      changed.remove(key);
    }
    Entry e = entries.get(key);
    if (e != null && state.isTerminal() && e.state == state) {
      entries.remove(key);
      unacked.remove(key);
      changed.remove(key);
    }
  }

  /** The reports changed since the last call, in order of change, now counted as sent at {@code now}. */
  public List<AttemptReport> drainChanged(Instant now) {
    List<AttemptReport> out = new ArrayList<>(changed.values());
    changed.clear();
    for (AttemptReport r : out) {
      unacked.put(r.key(), new Unacked(r, now));
    }
    return out;
  }

  /** Whether there are changes not yet drained. */
  public boolean hasChanges() {
    return !changed.isEmpty();
  }

  /**
   * The current report of every known attempt (running, or finished and not yet acknowledged), for a
   * registration; all count as sent at {@code now} and pending changes are folded in.
   */
  public List<AttemptReport> registrationReports(Instant now) {
    return registrationReports(now, Long.MAX_VALUE);
  }

  /**
   * {@link #registrationReports(Instant)} carrying results of at most {@code resultBudget} UTF-8 bytes in all: a
   * finished attempt whose result does not fit is stated RUNNING ({@link AttemptReport#asRunning()}) and its
   * terminal report, result included, stays unacknowledged with no send time, so the next resend carries it.
   */
  public List<AttemptReport> registrationReports(Instant now, long resultBudget) {
    changed.clear();
    List<AttemptReport> out = new ArrayList<>(entries.size());
    long left = resultBudget;
    for (Map.Entry<AttemptKey, Entry> e : entries.entrySet()) {
      AttemptReport r = e.getValue().report(e.getKey());
      long size = WireLimits.utf8Length(r.result());
      if (size > left) {
        out.add(r.asRunning());
        unacked.put(r.key(), new Unacked(r, null));
        continue;
      }
      left -= size;
      out.add(r);
      unacked.put(r.key(), new Unacked(r, now));
    }
    return out;
  }

  /** Unacknowledged reports last sent at least {@code minAge} before {@code now}; now counted as sent again. */
  public List<AttemptReport> dueForResend(Instant now, Duration minAge) {
    List<AttemptReport> out = new ArrayList<>();
    for (Map.Entry<AttemptKey, Unacked> e : unacked.entrySet()) {
      Unacked u = e.getValue();
      if (u.sentAt == null || !u.sentAt.plus(minAge).isAfter(now)) {
        out.add(u.report);
        e.setValue(new Unacked(u.report, now));
      }
    }
    return out;
  }

  /** The current report of every known attempt, in start order; changes nothing. */
  public List<AttemptReport> snapshot() {
    List<AttemptReport> out = new ArrayList<>(entries.size());
    entries.forEach((k, e) -> out.add(e.report(k)));
    return out;
  }

  /** Keys of attempts not yet terminal, in start order. */
  public List<AttemptKey> runningKeys() {
    List<AttemptKey> out = new ArrayList<>();
    entries.forEach((k, e) -> {
      if (!e.state.isTerminal()) {
        out.add(k);
      }
    });
    return out;
  }

  public int runningCount() {
    int n = 0;
    for (Entry e : entries.values()) {
      if (!e.state.isTerminal()) {
        n++;
      }
    }
    return n;
  }

  public int unackedCount() {
    return unacked.size();
  }

  public int knownCount() {
    return entries.size();
  }

  private void changed(AttemptKey key, Entry e) {
    AttemptReport r = e.report(key);
    changed.remove(key);
    changed.put(key, r);
    unacked.put(key, new Unacked(r, null));
  }
}
