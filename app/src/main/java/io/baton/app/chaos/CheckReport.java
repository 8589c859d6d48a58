package io.baton.app.chaos;

import io.baton.app.chaos.Violation.Check;
import java.util.List;

/** What the {@link HistoryChecker} found: how many runs the ledger holds and every violation. */
public record CheckReport(int runs, List<Violation> violations) {

  public long count(Check check) {
    return violations.stream().filter(v -> v.check() == check).count();
  }

  public boolean passed() {
    return violations.isEmpty();
  }

  /** {@code lost=0 failed=0 ...}: the count of every check, in order. */
  public String counts() {
    StringBuilder b = new StringBuilder();
    for (Check c : Check.values()) {
      b.append(b.length() == 0 ? "" : " ").append(c.label()).append('=').append(count(c));
    }
    return b.toString();
  }
}
