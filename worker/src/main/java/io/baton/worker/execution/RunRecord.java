package io.baton.worker.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a worker keeps on disk about one attempt so that its next life can account for it: the attempt's last
 * report and, while a command runs, the identity of its OS process (pid and start instant; the start instant
 * tells a reused pid apart). Handler attempts and attempts that ended carry no process. Immutable and pure:
 * encoding, decoding and the "same process" rule do no I/O.
 *
 * <p>Encoded as one UTF-8 JSON object (format 1):
 * {@code {"format":1,"jobId","taskId","attempt","pid","processStart","state","exitCode","startedAt","finishedAt",
 * "message"}}, instants as ISO-8601, absent values as null.
 *
 * @param pid          the command's process id, null for a handler or an ended attempt
 * @param processStart the process's start instant as the OS reports it, null when unknown
 */
public record RunRecord(AttemptReport report, Long pid, Instant processStart) {
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public RunRecord {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(report.key(), "report.key");
    Objects.requireNonNull(report.state(), "report.state");
  }

  /** A running attempt; {@code process} is its OS process (empty for a handler or a process that never started). */
  public static RunRecord running(AttemptKey key, Instant startedAt, Optional<ProcessHandle> process) {
    AttemptReport report = new AttemptReport(key, AttemptState.RUNNING, null, startedAt, null, null);
    return new RunRecord(report, process.map(ProcessHandle::pid).orElse(null),
        process.flatMap(p -> p.info().startInstant()).orElse(null));
  }

  /** An attempt that ended: its terminal report, no process. */
  public static RunRecord ended(AttemptReport terminal) {
    if (!terminal.state().isTerminal()) {
      throw new IllegalArgumentException("not terminal: " + terminal);
    }
    return new RunRecord(terminal, null, null);
  }

  public AttemptKey key() {
    return report.key();
  }

  public boolean isRunning() {
    return !report.state().isTerminal();
  }

  /**
   * The rule for killing what a previous life left behind: the live process under this record's pid is the
   * recorded one only when both start instants are known and equal. A pid reused by another process, or one
   * whose start cannot be read (either side), is never taken for ours.
   *
   * @param liveStart the start instant of the process that now has {@link #pid()}, empty when there is none or
   *                  the OS does not tell
   */
  public boolean isSameProcess(Optional<Instant> liveStart) {
    return pid != null && processStart != null && liveStart.isPresent() && liveStart.get().equals(processStart);
  }

  public String encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("jobId", report.key().jobId());
    o.put("taskId", report.key().taskId());
    o.put("attempt", report.key().attempt());
    o.put("pid", pid);
    o.put("processStart", text(processStart));
    o.put("state", report.state().name());
    o.put("exitCode", report.exitCode());
    o.put("startedAt", text(report.startedAt()));
    o.put("finishedAt", text(report.finishedAt()));
    o.put("message", report.message());
    return o.toString();
  }

  /** Decodes {@link #encode()}'s form; throws {@link IOException} for anything else, or a format it does not know. */
  public static RunRecord decode(String json) throws IOException {
    JsonNode o = JSON.readTree(json);
    if (o == null || !o.isObject()) {
      throw new IOException("not a JSON object");
    }
    int format = o.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new IOException("unknown run record format " + o.path("format"));
    }
    try {
      AttemptKey key = new AttemptKey(required(o, "jobId").asText(), required(o, "taskId").asText(),
          required(o, "attempt").intValue());
      AttemptState state = AttemptState.valueOf(required(o, "state").asText());
      Integer exitCode = o.path("exitCode").isInt() ? o.get("exitCode").intValue() : null;
      AttemptReport report = new AttemptReport(key, state, exitCode, instant(o, "startedAt"),
          instant(o, "finishedAt"), o.path("message").isTextual() ? o.get("message").asText() : null);
      Long pid = o.path("pid").isIntegralNumber() ? o.get("pid").longValue() : null;
      return new RunRecord(report, pid, instant(o, "processStart"));
    } catch (RuntimeException e) {
      throw new IOException("bad run record: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode o, String field) throws IOException {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      throw new IOException("run record without " + field);
    }
    return v;
  }

  private static Instant instant(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }
}
