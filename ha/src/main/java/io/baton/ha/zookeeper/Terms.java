package io.baton.ha.zookeeper;

import io.baton.protocol.Epoch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The leadership terms granted to this process: epoch to the latch node that won it. The election records
 * grants and revocations (a revocation as soon as the connection is suspended, before the contender hears of
 * it); the job store adds a check of that latch node to its fenced writes and refuses writes for a revoked term
 * locally. A revoked term never becomes active again: a later grant is a new epoch. Thread-safe.
 */
final class Terms {
  record Term(String latchPath, boolean active) {}

  private static final int KEEP = 64;
  private final ConcurrentMap<Epoch, Term> terms = new ConcurrentHashMap<>();

  void granted(Epoch epoch, String latchPath) {
    terms.put(epoch, new Term(latchPath, true));
    if (terms.size() > KEEP) {
      terms.keySet().removeIf(e -> e.value() < epoch.value() - KEEP);
    }
  }

  void revoked(Epoch epoch) {
    terms.computeIfPresent(epoch, (e, t) -> new Term(t.latchPath(), false));
  }

  /** Whether this process was granted {@code epoch} and has not lost it since. */
  boolean isActive(Epoch epoch) {
    Term term = terms.get(epoch);
    return term != null && term.active();
  }

  /** The term if this process was granted it, else null (the write is then fenced by the epoch alone). */
  Term get(Epoch epoch) {
    return terms.get(epoch);
  }
}
