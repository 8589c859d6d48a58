package io.baton.app.chaos;

import java.time.Instant;

/**
 * One injected fault: what, on which process, when it was injected ({@code at}) and when the cluster was seen
 * healthy again afterwards ({@code recovered}: a ready leader and every worker registered, or the recovery wait
 * gave up). The window {@code [at, recovered]} is what the checker uses to explain reruns.
 */
public record Fault(int index, FaultKind kind, String target, Instant at, Instant recovered) {

  /** True when this fault can explain trouble of an attempt that ran on {@code worker}. */
  boolean concerns(String worker) {
    return !kind.hitsOneWorker() || worker == null || target.equals(worker);
  }

  /** One line of the printed schedule. */
  String describe(Instant origin) {
    return String.format("fault %2d  t=%7.1fs  %-20s %-10s recovered after %.1fs", index,
        (at.toEpochMilli() - origin.toEpochMilli()) / 1000.0, kind.label(), target,
        (recovered.toEpochMilli() - at.toEpochMilli()) / 1000.0);
  }
}
