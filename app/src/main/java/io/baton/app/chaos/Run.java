package io.baton.app.chaos;

import io.baton.app.chaos.LedgerEntry.Kind;
import io.baton.app.chaos.LedgerEntry.RunId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One OS process of one attempt, as the ledger shows it: its lines in time order. It was alive during
 * {@code [first line, last line]}: from its start to its end line, or to its last beat when it was killed.
 */
record Run(RunId id, List<LedgerEntry> lines) {

  /** The ledger's lines grouped into runs, each run's lines in time order. */
  static List<Run> of(Collection<LedgerEntry> entries) {
    Map<RunId, List<LedgerEntry>> byRun = new LinkedHashMap<>();
    for (LedgerEntry e : entries) {
      byRun.computeIfAbsent(e.runId(), id -> new ArrayList<>()).add(e);
    }
    List<Run> runs = new ArrayList<>();
    byRun.forEach((id, lines) -> {
      lines.sort(Comparator.comparing(LedgerEntry::at));
      runs.add(new Run(id, List.copyOf(lines)));
    });
    runs.sort(Comparator.comparing(Run::from));
    return runs;
  }

  Instant from() {
    return lines.get(0).at();
  }

  Instant to() {
    return lines.get(lines.size() - 1).at();
  }

  LedgerEntry first() {
    return lines.get(0);
  }

  LedgerEntry last() {
    return lines.get(lines.size() - 1);
  }

  boolean ended() {
    return last().kind() == Kind.END;
  }

  long starts() {
    return lines.stream().filter(l -> l.kind() == Kind.START).count();
  }

  /** Whether this run and {@code other} were alive at one same instant. */
  boolean overlaps(Run other) {
    return !from().isAfter(other.to()) && !other.from().isAfter(to());
  }
}
