package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a previous life of this worker left behind, accounted for on start: every attempt its run records still
 * call running is made LOST, after whatever of it may still run is killed. Normally nothing is: each command ran
 * under an {@link AttemptGuard} that killed the attempt when the worker died. Should the guard itself have been
 * killed too, two things find what is left: the recorded guard process (pid and start instant,
 * {@link RunRecord#isSameProcess}) with its descendants, and every process whose environment names the attempt
 * and this worker (the {@code BATON_*} variables every attempt gets), which also finds processes that left the
 * tree. Records already terminal (ended, not yet acknowledged) are reported as they are. The LOST records are
 * written back, so a second restart before the leader acknowledges reports the same thing. Stateless; call once,
 * from the worker's start, before it registers; blocks for file I/O, one scan of the process table and up to
 * {@code wait} for killed processes to go.
 */
public final class Leftovers {
  private Leftovers() {}

  /**
   * @param reports  the terminal report of every recorded attempt, to put in the book unacknowledged
   * @param problems what could not be done (unreadable records, failed writes, processes that outlived the
   *                 kill), one line each, for the log
   */
  public record Result(List<AttemptReport> reports, List<String> problems) {}

  /** @param workerId this worker, whose attempts' processes carry it in {@code BATON_WORKER_ID} */
  public static Result reap(RunRecords store, String workerId, Instant now, Duration wait)
      throws IOException, InterruptedException {
    RunRecords.Loaded loaded = store.load();
    List<String> problems = new ArrayList<>();
    loaded.unreadable().forEach(u -> problems.add("unreadable run record " + u.file() + " left in place: " + u.error()));

    List<RunRecord> records = loaded.records();
    Map<ProcessHandle, Map<String, String>> marked = records.stream().anyMatch(RunRecord::isRunning)
        ? ProcessTree.environments(AttemptLauncher.IDENTITY_VARIABLES)
        : Map.of();
    List<String> messages = new ArrayList<>();
    List<ProcessHandle> killed = new ArrayList<>();
    for (RunRecord r : records) {
      messages.add(r.isRunning() ? lostMessage(r, AttemptLauncher.identity(workerId, r.key()), marked, killed) : null);
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

  private static String lostMessage(RunRecord r, Map<String, String> identity,
      Map<ProcessHandle, Map<String, String>> marked, List<ProcessHandle> killed) {
    String recorded = killRecorded(r, killed);
    Set<Long> gone = killed.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    int strays = 0;
    for (Map.Entry<ProcessHandle, Map<String, String>> e : marked.entrySet()) {
      if (e.getValue().equals(identity) && !gone.contains(e.getKey().pid()) && e.getKey().isAlive()) {
        killed.addAll(ProcessTree.kill(e.getKey()));
        strays++;
      }
    }
    return "worker restarted; " + recorded
        + (strays > 0 ? "; " + strays + " process(es) of the attempt found by their environment and killed" : "");
  }

  private static String killRecorded(RunRecord r, List<ProcessHandle> killed) {
    if (r.pid() == null) {
      return "no process recorded";
    }
    Optional<ProcessHandle> live = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive);
    if (live.isEmpty()) {
      return "process " + r.pid() + " was already gone";
    }
    if (r.isSameProcess(live.get().info().startInstant())) {
      killed.addAll(ProcessTree.kill(live.get()));
      return "process " + r.pid() + " killed";
    }
    if (r.processStart() == null) {
      return "process " + r.pid() + " could not be told apart from a reused pid and was left alone";
    }
    return "process " + r.pid() + " was already gone (its pid now belongs to another process)";
  }
}
