package io.baton.app.chaos;

import java.time.Instant;
import java.util.Optional;

/**
 * One line the chaos tasks append to the shared ledger: {@code <kind> <job> <task> <attempt> <epoch-nanos> <worker> <pid>}.
 * A run writes {@code start}, a {@code beat} every ~0.2 s while it works, then {@code end}; a run that was
 * SIGKILLed has no end line, so its last beat bounds its life.
 */
public record LedgerEntry(Kind kind, String jobId, String taskId, int attempt, Instant at, String worker, long pid, String line) {

  /** What a ledger line says. */
  public enum Kind { START, BEAT, END }

  /** The line parsed, or empty when it is not a well-formed ledger line (a torn write would be one). */
  public static Optional<LedgerEntry> parse(String line) {
    String[] f = line.trim().split(" ");
    if (f.length != 7) {
      return Optional.empty();
    }
    try {
      Kind kind = Kind.valueOf(f[0].toUpperCase(java.util.Locale.ROOT));
      long nanos = Long.parseLong(f[4]);
      Instant at = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
      return Optional.of(new LedgerEntry(kind, f[1], f[2], Integer.parseInt(f[3]), at, f[5], Long.parseLong(f[6]), line.trim()));
    } catch (IllegalArgumentException notALedgerLine) {
      return Optional.empty();
    }
  }

  /** The run this line belongs to: one OS process of one attempt. */
  public RunId runId() {
    return new RunId(jobId, taskId, attempt, worker, pid);
  }

  /** The identity of one run: a (job, task, attempt) started as a process with this pid on this worker. */
  public record RunId(String jobId, String taskId, int attempt, String worker, long pid) {
    TaskKey task() {
      return new TaskKey(jobId, taskId);
    }
  }

  /** A task of a job. */
  public record TaskKey(String jobId, String taskId) {
    @Override
    public String toString() {
      return jobId + "/" + taskId;
    }
  }
}
