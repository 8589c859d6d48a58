package io.baton.worker.execution;

import io.baton.worker.execution.RunningAttempt.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A command attempt running under its {@link AttemptGuard}: the guard is the process the worker started, its
 * stdin is the lease channel and its stdout says how the attempt ended. {@link #kill()} asks the guard (SIGTERM)
 * to kill the attempt's whole tree; {@link #renewLease} moves the guard's deadline. Both may be called from any
 * thread and never block for long (a renewal is one short write to a pipe); the outcome completes on the JVM's
 * process reaper thread.
 */
final class GuardedProcess implements RunningAttempt {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedProcess.class);
  private static final int MAX_STATUS_BYTES = 4096;

  private final Process guard;
  private final CompletionStage<Outcome> outcome;
  private final Object stdinLock = new Object();

  GuardedProcess(Process guard, List<String> argv) {
    this.guard = guard;
    this.outcome = guard.onExit().thenApply(p -> outcomeOf(p.exitValue(), readStatus(p), argv));
  }

  @Override
  public CompletionStage<Outcome> outcome() {
    return outcome;
  }

  @Override
  public void kill() {
    guard.toHandle().destroy();   // SIGTERM; Process.destroy() would also close the pipe the outcome is read from
  }

  @Override
  public void renewLease(long deadlineNanos) {
    synchronized (stdinLock) {
      try {
        OutputStream in = guard.getOutputStream();
        in.write(("lease " + deadlineNanos + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
      } catch (IOException e) {
        // the guard is gone; its outcome says how the attempt ended
      }
    }
  }

  @Override
  public Optional<ProcessHandle> process() {
    return Optional.of(guard.toHandle());
  }

  private static String readStatus(Process p) {
    try (InputStream out = p.getInputStream()) {
      return new String(out.readNBytes(MAX_STATUS_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** How the guard's exit code and its status lines (see attempt-guard.pl) translate into an outcome. Pure. */
  static Outcome outcomeOf(int guardExit, String status, List<String> argv) {
    String last = "";
    for (String line : status.split("\n")) {
      if (line.startsWith("survivors ")) {
        LOG.warn("processes of {} survived 10 s of SIGKILL (stuck in the kernel?): {}", argv, line.substring(10));
      } else if (!line.isBlank()) {
        last = line.trim();
      }
    }
    String[] word = last.split(" ", 2);
    String rest = word.length > 1 ? word[1] : "";
    switch (word[0]) {
      case "exit":
      case "signal":
        try {
          int n = Integer.parseInt(rest);
          return Outcome.exit(word[0].equals("exit") ? n : 128 + n);
        } catch (NumberFormatException e) {
          break;
        }
      case "killed":
        return Outcome.error("killed");
      case "lease-expired":
        return Outcome.lost("self-fenced: no leader acknowledged this worker within the heartbeat timeout;"
            + " the attempt guard killed the attempt");
      case "orphaned":
        return Outcome.lost("the attempt guard lost its worker and killed the attempt");
      case "exec-failed":
        return Outcome.error("could not start " + argv + ": " + rest);
      default:
        break;
    }
    return Outcome.error("the attempt guard ended unexpectedly (exit " + guardExit + ")"
        + (last.isEmpty() ? "" : ": " + last));
  }
}
