package io.baton.scheduler.model;

import io.baton.protocol.AttemptKey;
import io.baton.wire.AttemptReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recovery rules a new leader applies to attempts its store says were active (SCHEDULED or RUNNING) on
 * some worker. Pure. Every attempt is recorded durably before any worker is asked to start it, so the store
 * knows every attempt that may be running:
 * <ul>
 *   <li>adopt: the worker re-registered and reports it running — it keeps running, nothing is re-run;</li>
 *   <li>record: the worker reports it finished (while no leader was reachable) — its result is recorded;</li>
 *   <li>lost: the worker re-registered without it — it is not running anywhere, so it is LOST at once;</li>
 *   <li>lost after grace: the worker has not re-registered within the heartbeat timeout of the session's start —
 *       by then it has killed its attempts itself (self-fencing), so they are LOST and may run again.</li>
 * </ul>
 */
public final class Reconciliation {
  private Reconciliation() {}

  /** How one re-registering worker's report list settles the attempts tracked on it. */
  public record Outcome(List<AttemptKey> adopted, List<AttemptKey> recorded, List<AttemptKey> lost, List<AttemptKey> untracked) {}

  public static Outcome onRegistration(Collection<AttemptKey> trackedOnWorker, List<AttemptReport> reported) {
    Set<AttemptKey> tracked = new HashSet<>(trackedOnWorker);
    Set<AttemptKey> seen = new HashSet<>();
    List<AttemptKey> adopted = new ArrayList<>();
    List<AttemptKey> recorded = new ArrayList<>();
    List<AttemptKey> untracked = new ArrayList<>();
    for (AttemptReport r : reported) {
      seen.add(r.key());
      if (!tracked.contains(r.key())) {
        untracked.add(r.key());
      } else if (r.state().isTerminal()) {
        recorded.add(r.key());
      } else {
        adopted.add(r.key());
      }
    }
    List<AttemptKey> lost = trackedOnWorker.stream().filter(k -> !seen.contains(k)).distinct().toList();
    return new Outcome(adopted, recorded, lost, untracked);
  }

  /**
   * Tracked attempts (key → worker id) whose worker has not re-registered once the grace period after the
   * session's start is over; empty before that.
   */
  public static List<AttemptKey> lostAfterGrace(
      Map<AttemptKey, String> unconfirmed, Set<String> registeredWorkers, Instant sessionStart, Duration grace, Instant now) {
    if (now.isBefore(sessionStart.plus(grace))) {
      return List.of();
    }
    return unconfirmed.entrySet().stream()
        .filter(e -> !registeredWorkers.contains(e.getValue()))
        .map(Map.Entry::getKey)
        .toList();
  }
}
