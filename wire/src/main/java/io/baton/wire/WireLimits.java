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
  /** UTF-8 bytes of one attempt's result ({@code $BATON_RESULT}); a bigger one fails the attempt. */
  public static final int MAX_RESULT_BYTES = 64 * 1024;
  /** UTF-8 bytes of the inputs (dependencies' results) of one attempt: 8 results at the cap. */
  public static final int MAX_INPUT_BYTES = 8 * MAX_RESULT_BYTES;
  /**
   * UTF-8 bytes of results or inputs that senders put into one message (reports, a registration, a start), so that
   * every message stays well inside Artery's frame ({@code maximum-frame-size}, 1 MiB in baton-node.conf). A sender
   * splits a batch that would carry more, and a registration states a finished attempt beyond it as RUNNING: its
   * result follows in the next report batch.
   */
  public static final int MAX_PAYLOAD_BYTES_PER_MESSAGE = 512 * 1024;

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
      for (AttemptSpec a : s.attempts()) {
        if (a.inputBytes() > MAX_INPUT_BYTES) {
          throw new IllegalArgumentException("inputs of " + a.inputBytes() + " bytes, at most " + MAX_INPUT_BYTES);
        }
      }
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
    checkChars("report result", report.result(), MAX_RESULT_BYTES);
  }

  /** The UTF-8 length of {@code s} (0 for null), without encoding it. */
  public static long utf8Length(String s) {
    if (s == null) {
      return 0;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /**
   * {@code items} cut into consecutive batches whose {@code payload} sizes add up to at most
   * {@link #MAX_PAYLOAD_BYTES_PER_MESSAGE} (an item bigger than that alone makes a batch of its own).
   */
  public static <T> java.util.List<java.util.List<T>> splitByPayload(java.util.List<T> items,
      java.util.function.ToLongFunction<T> payload) {
    java.util.List<java.util.List<T>> out = new java.util.ArrayList<>();
    java.util.List<T> current = new java.util.ArrayList<>();
    long bytes = 0;
    for (T item : items) {
      long b = payload.applyAsLong(item);
      if (!current.isEmpty() && bytes + b > MAX_PAYLOAD_BYTES_PER_MESSAGE) {
        out.add(current);
        current = new java.util.ArrayList<>();
        bytes = 0;
      }
      current.add(item);
      bytes += b;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
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
