package io.baton.wire;

import io.baton.protocol.Epoch;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Messages a worker sends to the leader's gateway actor ({@code <leader address>/user/gateway}). Each carries
 * the epoch of the leader the worker believes it talks to; the leader answers a stale one with
 * {@link ToWorker.NotRegistered}.
 */
public sealed interface ToLeader extends WireMessage {
  Epoch epoch();

  String workerId();

  /**
   * Sent on every (re)registration: the worker, its resources, its {@link WorkerMode} (a drained worker stays
   * drained under a new leader) and every attempt not yet acknowledged. Answered
   * with {@link ToWorker.RegistrationAccepted} echoing {@code sentAtNanos}, the worker's own clock reading when it
   * sent this (meaningless to the leader: the worker's leases are anchored on the messages a leader answered).
   */
  record RegisterWorker(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, ActorRef<ToWorker> worker,
      long sentAtNanos, WorkerMode mode) implements ToLeader {
    public RegisterWorker {
      attempts = List.copyOf(attempts);
      mode = mode == null ? WorkerMode.ACTIVE : mode;
    }

    /** A registration of an ACTIVE worker. */
    public RegisterWorker(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, ActorRef<ToWorker> worker,
        long sentAtNanos) {
      this(epoch, info, attempts, worker, sentAtNanos, WorkerMode.ACTIVE);
    }

    @Override
    public String workerId() {
      return info.workerId();
    }
  }

  /**
   * Sent every heartbeat interval; answered with {@link ToWorker.HeartbeatAck} echoing {@code sentAtNanos} (see
   * {@link RegisterWorker}), or with {@link ToWorker.NotRegistered} by a leader that does not know the worker (e.g.
   * a new term of the same master).
   */
  record Heartbeat(Epoch epoch, String workerId, int runningAttempts, ActorRef<ToWorker> worker, long sentAtNanos,
      long token) implements ToLeader {
    /** A heartbeat without the registration's capability ({@link ToWorker.RegistrationAccepted#token}). */
    public Heartbeat(Epoch epoch, String workerId, int runningAttempts, ActorRef<ToWorker> worker, long sentAtNanos) {
      this(epoch, workerId, runningAttempts, worker, sentAtNanos, 0);
    }
  }

  /**
   * State changes of attempts, answered with {@link ToWorker.AckReports}; {@code token}: the registration's
   * capability ({@link ToWorker.RegistrationAccepted#token}).
   */
  record Reports(Epoch epoch, String workerId, List<AttemptReport> reports, long token) implements ToLeader {
    public Reports {
      reports = List.copyOf(reports);
    }

    /** Reports without the registration's capability. */
    public Reports(Epoch epoch, String workerId, List<AttemptReport> reports) {
      this(epoch, workerId, reports, 0);
    }
  }

  /**
   * The worker's mode changed on its own side (SIGTERM: {@link WorkerMode#STOPPING}; drained and exiting:
   * {@link WorkerMode#STOPPED}) or as the leader asked ({@link ToWorker.SetMode}); {@code token}: the
   * registration's capability. Not answered.
   */
  record ModeChanged(Epoch epoch, String workerId, WorkerMode mode, long token) implements ToLeader {}
}
