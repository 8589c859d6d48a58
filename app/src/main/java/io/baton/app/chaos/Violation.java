package io.baton.app.chaos;

import java.util.List;

/** One broken rule found by the {@link HistoryChecker}, with the ledger lines or records that prove it. */
public record Violation(Check check, String summary, List<String> evidence) {

  /** The rules, in the order the checker applies them. */
  public enum Check {
    /** An acknowledged job is missing or never reached a terminal state. */
    LOST("lost"),
    /** An acknowledged job ended other than SUCCEEDED (its tasks never fail on their own). */
    FAILED("failed"),
    /** More than one job for one idempotency key. */
    DUPLICATED("duplicated"),
    /** Two runs of one task alive at the same instant. */
    OVERLAP("overlaps"),
    /** One (job, task, attempt) started as two processes. */
    DUPLICATE_ATTEMPT("duplicate-attempts"),
    /** A run started after the task's succeeded run ended, or a recorded success with no finished run. */
    AFTER_SUCCESS("after-success"),
    /** A run that wrote a line more than the orphan grace after its worker was killed with SIGKILL. */
    ORPHAN("orphans"),
    /** A rerun whose previous attempt no injected fault can explain. */
    UNEXPLAINED_RERUN("unexplained-reruns"),
    /** A ledger line that does not parse (a torn write). */
    MALFORMED("malformed-lines");

    private final String label;

    Check(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** The violation and its evidence, one indented line each. */
  public String describe() {
    StringBuilder b = new StringBuilder(check.label()).append(": ").append(summary);
    evidence.forEach(e -> b.append(System.lineSeparator()).append("    ").append(e));
    return b.toString();
  }
}
