package io.baton.worker.execution;

import io.baton.protocol.AttemptState;
import io.baton.protocol.wire.AttemptReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a previous life of this worker left behind, accounted for on start: every attempt its run records still
 * call running is made LOST, after the process tree of a command is killed if (and only if) the recorded process
 * is still there ({@link RunRecord#isSameProcess}). Records already terminal (ended, not yet acknowledged) are
 * reported as they are. The LOST records are written back, so a second restart before the leader acknowledges
 * reports the same thing. Stateless; call once, from the worker's start, before it registers; blocks for file
 * I/O and up to {@code wait} for killed processes to go.
 */
public final class Leftovers {
  private Leftovers() {}

  /**
   * @param reports  the terminal report of every recorded attempt, to put in the book unacknowledged
   * @param problems what could not be done (unreadable records, failed writes, processes that outlived the
   *                 kill), one line each, for the log
   */
  public record Result(List<AttemptReport> reports, List<String> problems) {}

  public static Result reap(RunRecords store, Instant now, Duration wait) throws IOException, InterruptedException {
    RunRecords.Loaded loaded = store.load();
    List<String> problems = new ArrayList<>();
    loaded.unreadable().forEach(u -> problems.add("unreadable run record " + u.file() + " left in place: " + u.error()));

    List<RunRecord> records = loaded.records();
    List<String> messages = new ArrayList<>();
    List<ProcessHandle> killed = new ArrayList<>();
    for (RunRecord r : records) {
      messages.add(r.isRunning() ? lostMessage(r, killed) : null);
    }
    for (ProcessHandle p : ProcessTree.awaitExit(killed, wait)) {
      problems.add("process " + p.pid() + " still alive " + wait.toMillis() + " ms after it was killed");
    }

    List<AttemptReport> reports = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      RunRecord r = records.get(i);
      if (messages.get(i) == null) {
        reports.add(r.report());
        continue;
      }
      AttemptReport lost = new AttemptReport(r.key(), AttemptState.LOST, null, r.report().startedAt(), now,
          messages.get(i));
      reports.add(lost);
      try {
        store.write(RunRecord.ended(lost));
      } catch (IOException e) {
        problems.add("cannot rewrite the run record of " + r.key() + ": " + e);
      }
    }
    return new Result(reports, problems);
  }

  private static String lostMessage(RunRecord r, List<ProcessHandle> killed) {
    if (r.pid() == null) {
      return "worker restarted; the attempt ran inside the previous worker process";
    }
    Optional<ProcessHandle> live = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive);
    if (live.isEmpty()) {
      return "worker restarted; process " + r.pid() + " was already gone";
    }
    if (r.isSameProcess(live.get().info().startInstant())) {
      killed.addAll(ProcessTree.kill(live.get()));
      return "worker restarted; process " + r.pid() + " killed";
    }
    if (r.processStart() == null) {
      return "worker restarted; process " + r.pid() + " could not be told apart from a reused pid and was left alone";
    }
    return "worker restarted; process " + r.pid() + " was already gone (its pid now belongs to another process)";
  }
}
