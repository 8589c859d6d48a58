package io.baton.wire;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Messages the leader sends to a worker. Each carries the leader's epoch; a worker ignores any epoch older
 * than the newest it has seen.
 */
public sealed interface ToWorker extends WireMessage {
  Epoch epoch();

  /**
   * Answers {@link ToLeader.RegisterWorker}; {@code echoNanos} is that message's {@code sentAtNanos}. {@code token}
   * is this registration's capability: the worker's heartbeats and reports must carry it (the leader answers
   * only at the registered address, so only the registered worker learns it).
   */
  record RegistrationAccepted(Epoch epoch, String leaderSessionId, long echoNanos, long token) implements ToWorker {
    /** An acceptance without a capability (tests of a worker against a stand-in leader). */
    public RegistrationAccepted(Epoch epoch, String leaderSessionId, long echoNanos) {
      this(epoch, leaderSessionId, echoNanos, 0);
    }
  }

  record RegistrationRejected(Epoch epoch, String reason) implements ToWorker {}

  /** Answers {@link ToLeader.Heartbeat}; {@code echoNanos} is that heartbeat's {@code sentAtNanos}. */
  record HeartbeatAck(Epoch epoch, long echoNanos) implements ToWorker {}

  /** The leader does not know this worker (or the worker used a stale epoch): register again. */
  record NotRegistered(Epoch epoch) implements ToWorker {}

  record StartAttempts(Epoch epoch, List<AttemptSpec> attempts) implements ToWorker {
    public StartAttempts {
      attempts = List.copyOf(attempts);
    }
  }

  /** Kill these attempts (cancellation); each ends in {@code reason}, normally CANCELLED. */
  record KillAttempts(Epoch epoch, List<AttemptKey> keys, AttemptState reason) implements ToWorker {
    public KillAttempts {
      keys = List.copyOf(keys);
    }
  }

  /** The leader has recorded these reports; a worker forgets a terminal attempt once its report is acked. */
  record AckReports(Epoch epoch, List<Acked> acked) implements ToWorker {
    public AckReports {
      acked = List.copyOf(acked);
    }
  }

  record Acked(AttemptKey key, AttemptState state) {}

  /**
   * These jobs were deleted (on request or by retention): delete what is kept of their attempts (logs, work
   * directories) unless one still runs.
   */
  record ForgetJobs(Epoch epoch, List<String> jobIds) implements ToWorker {
    public ForgetJobs {
      jobIds = List.copyOf(jobIds);
    }
  }

  /** Read up to {@code maxBytes} of an attempt's log from {@code offset}; answered with a {@link LogChunk}. */
  record FetchLog(Epoch epoch, AttemptKey key, long offset, int maxBytes, ActorRef<LogChunk> replyTo)
      implements ToWorker {}

  /**
   * An operator drained ({@link WorkerMode#DRAINING}) or undrained ({@link WorkerMode#ACTIVE}) this worker: it
   * keeps the mode for its next registrations and confirms with {@link ToLeader.ModeChanged}. A worker already
   * STOPPING stays so.
   */
  record SetMode(Epoch epoch, WorkerMode mode) implements ToWorker {}
}
