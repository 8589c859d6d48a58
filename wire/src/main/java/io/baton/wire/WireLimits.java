package io.baton.wire;

import java.util.Collection;
import java.util.Map;

/**
 * The named bounds on what one wire message may carry. {@link KryoSerializer} checks every decoded message with
 * {@link #check} and refuses (drops) one that exceeds them, so a peer cannot make the receiver hold unbounded
 * lists or strings; below the message level, {@code io.baton.protocol.codec.BoundedInput} keeps Kryo from
 * allocating more than the frame's bytes justify. Senders stay inside them by construction: a report's message is
 * truncated ({@link AttemptReport}), a log chunk is capped by the worker, and a worker id or host beyond
 * {@link #MAX_ID_CHARS} is refused at start-up.
 */
public final class WireLimits {
  /** Worker ids, host names, leader session ids. */
  public static final int MAX_ID_CHARS = 256;
  /** Free text: an attempt report's message, a rejection reason. */
  public static final int MAX_TEXT_CHARS = 4096;
  /** Labels a worker may declare, and the length of each key and value. */
  public static final int MAX_LABELS = 64;
  public static final int MAX_LABEL_CHARS = 256;
  /** Attempts (reports, specs, keys, acks) in one message. */
  public static final int MAX_ATTEMPTS_PER_MESSAGE = 10_000;
  /** Bytes of log in one {@link LogChunk}; a worker answers a larger FetchLog.maxBytes with at most this. */
  public static final int MAX_LOG_CHUNK_BYTES = 128 * 1024;

  private WireLimits() {}

  /** Throws IllegalArgumentException naming the first bound {@code message} exceeds. */
  public static void check(WireMessage message) {
    if (message instanceof ToLeader.RegisterWorker r) {
      checkInfo(r.info());
      checkCount("attempts", r.attempts());
      r.attempts().forEach(WireLimits::checkReport);
    } else if (message instanceof ToLeader.Heartbeat h) {
      checkChars("workerId", h.workerId(), MAX_ID_CHARS);
    } else if (message instanceof ToLeader.ModeChanged c) {
      checkChars("workerId", c.workerId(), MAX_ID_CHARS);
    } else if (message instanceof ToLeader.Reports r) {
      checkChars("workerId", r.workerId(), MAX_ID_CHARS);
      checkCount("reports", r.reports());
      r.reports().forEach(WireLimits::checkReport);
    } else if (message instanceof ToWorker.RegistrationAccepted a) {
      checkChars("leaderSessionId", a.leaderSessionId(), MAX_ID_CHARS);
    } else if (message instanceof ToWorker.RegistrationRejected r) {
      checkChars("reason", r.reason(), MAX_TEXT_CHARS);
    } else if (message instanceof ToWorker.StartAttempts s) {
      checkCount("attempts", s.attempts());
    } else if (message instanceof ToWorker.KillAttempts k) {
      checkCount("keys", k.keys());
    } else if (message instanceof ToWorker.AckReports a) {
      checkCount("acked", a.acked());
    } else if (message instanceof ToWorker.ForgetJobs f) {
      checkCount("jobIds", f.jobIds());
      f.jobIds().forEach(id -> checkChars("jobId", id, MAX_ID_CHARS));
    } else if (message instanceof LogChunk c && c.data() != null && c.data().length > MAX_LOG_CHUNK_BYTES) {
      throw new IllegalArgumentException("log chunk of " + c.data().length + " bytes, at most " + MAX_LOG_CHUNK_BYTES);
    }
  }

  /** Throws IllegalArgumentException when {@code info} exceeds a bound; workers call it on their settings at start. */
  public static void checkInfo(WorkerInfo info) {
    if (info == null) {
      throw new IllegalArgumentException("registration without worker info");
    }
    checkChars("workerId", info.workerId(), MAX_ID_CHARS);
    checkChars("host", info.host(), MAX_ID_CHARS);
    if (!(info.cpus() >= 0) || Double.isInfinite(info.cpus()) || info.memoryMb() < 0) {
      throw new IllegalArgumentException("worker resources out of range: cpus " + info.cpus() + ", memoryMb " + info.memoryMb());
    }
    checkLabels(info.labels());
  }

  static void checkLabels(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      throw new IllegalArgumentException(labels.size() + " labels, at most " + MAX_LABELS);
    }
    labels.forEach((k, v) -> {
      checkChars("label key", k, MAX_LABEL_CHARS);
      checkChars("label value", v, MAX_LABEL_CHARS);
    });
  }

  private static void checkReport(AttemptReport report) {
    checkChars("report message", report.message(), MAX_TEXT_CHARS);
  }

  private static void checkCount(String what, Collection<?> items) {
    if (items.size() > MAX_ATTEMPTS_PER_MESSAGE) {
      throw new IllegalArgumentException(items.size() + " " + what + " in one message, at most " + MAX_ATTEMPTS_PER_MESSAGE);
    }
  }

  static void checkChars(String what, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(what + " of " + value.length() + " chars, at most " + max);
    }
  }

  /** {@code text} cut to {@link #MAX_TEXT_CHARS}, for senders. */
  static String truncate(String text) {
    return text == null || text.length() <= MAX_TEXT_CHARS ? text : text.substring(0, MAX_TEXT_CHARS - 3) + "...";
  }
}
