package io.baton.scheduler.resourcemanager;

import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.model.ClusterBook;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import java.security.SecureRandom;

/** Translates between the wire and the {@link ClusterBook}: worker messages into events, decisions into messages. */
final class WorkerMessages {
  private WorkerMessages() {}

  private static final SecureRandom TOKENS = new SecureRandom();

  static ClusterBook.Event event(ToLeader message, WorkerIdentities identities) {
    if (message instanceof ToLeader.RegisterWorker r) {
      // the worker's actor path with its uid names one process: a restarted worker has a new one
      return new ClusterBook.Register(r.epoch(), r.info(), r.attempts(), r.worker().path().toSerializationFormat(),
          r.sentAtNanos(), identities.claim(WorkerIdentities.addressOf(r.worker()), r.workerId()), newToken(),
          r.mode());
    } else if (message instanceof ToLeader.Heartbeat h) {
      return new ClusterBook.Heartbeat(h.epoch(), h.workerId(), h.sentAtNanos(), h.token());
    } else if (message instanceof ToLeader.ModeChanged c) {
      return new ClusterBook.ModeChanged(c.epoch(), c.workerId(), c.mode(), c.token());
    }
    ToLeader.Reports r = (ToLeader.Reports) message;
    return new ClusterBook.Reports(r.epoch(), r.workerId(), r.reports(), r.token());
  }

  /** A registration's capability: random, never 0 (0 is what a message without one carries). */
  private static long newToken() {
    long t;
    do {
      t = TOKENS.nextLong();
    } while (t == 0);
    return t;
  }

  static ToWorker message(ClusterBook.ForWorker decision, Epoch epoch, String sessionId) {
    if (decision instanceof ClusterBook.RegistrationAccepted a) {
      return new ToWorker.RegistrationAccepted(epoch, sessionId, a.echoNanos(), a.token());
    } else if (decision instanceof ClusterBook.RegistrationRejected r) {
      return new ToWorker.RegistrationRejected(epoch, r.reason());
    } else if (decision instanceof ClusterBook.HeartbeatAccepted h) {
      return new ToWorker.HeartbeatAck(epoch, h.echoNanos());
    } else if (decision instanceof ClusterBook.NotRegistered) {
      return new ToWorker.NotRegistered(epoch);
    } else if (decision instanceof ClusterBook.StartAttempts s) {
      return new ToWorker.StartAttempts(epoch, s.specs());
    } else if (decision instanceof ClusterBook.Kill k) {
      return new ToWorker.KillAttempts(epoch, k.keys(), AttemptState.CANCELLED);
    } else if (decision instanceof ClusterBook.TellMode t) {
      return new ToWorker.SetMode(epoch, t.mode());
    }
    ClusterBook.AckReports a = (ClusterBook.AckReports) decision;
    return new ToWorker.AckReports(epoch, a.acked().stream().map(x -> new ToWorker.Acked(x.key(), x.state())).toList());
  }
}
