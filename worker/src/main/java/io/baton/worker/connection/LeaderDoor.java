package io.baton.worker.connection;

import io.baton.protocol.LeaderInfo;
import io.baton.wire.RejectionLog;
import io.baton.wire.ToWorker;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The check every message from a leader passes, in one place (issue 9, point 2): it is obeyed only when it
 * arrived on the inbox made for the leader followed now, carries exactly that leader's epoch (the one read from
 * {@code /leader}: older is a deposed leader, newer is not known to lead, and a message cannot raise the epoch the
 * worker obeys), and, for a registration acceptance, names that leader's session id. Anything else is logged,
 * rate-limited, with what is known of its sender (Artery does not tell an actor which connection delivered a
 * message: the inbox it came on and where a FetchLog wants its answer). Not thread-safe; owned by the
 * {@link LeaderLink}.
 */
final class LeaderDoor {
  private final RejectionLog rejections = new RejectionLog(Duration.ofSeconds(10));
  private final Logger log;

  LeaderDoor(Logger log) {
    this.log = log;
  }

  /** The message, when it may be obeyed; empty (and logged, rate-limited) otherwise. */
  Optional<ToWorker> admit(LeaderInbox.Delivered d, LeaderConnection connection, long nowNanos) {
    ToWorker msg = d.message();
    Optional<LeaderInfo> followed = connection.leader();
    String why;
    if (followed.isEmpty()) {
      why = "no leader is followed";
    } else if (!sameLeader(followed.get(), d.leader())) {
      why = "it came on the inbox of leader " + d.leader().epoch() + ", no longer followed";
    } else if (!connection.accept(msg.epoch())) {
      why = "its epoch is not the followed leader's";
    } else if (msg instanceof ToWorker.RegistrationAccepted a
        && !followed.get().sessionId().equals(a.leaderSessionId())) {
      why = "it names session " + a.leaderSessionId() + ", not the followed leader's";
    } else {
      return Optional.of(msg);
    }
    rejections.admit(nowNanos).ifPresent(left -> log.warn(
        "rejected {} of {} from {}: {}; following {} ({} more rejected since the last of these lines)",
        msg.getClass().getSimpleName(), msg.epoch(), senderOf(d), why,
        followed.map(l -> l.epoch() + " at " + l.address()).orElse("no leader"), left));
    return Optional.empty();
  }

  static boolean sameLeader(LeaderInfo a, LeaderInfo b) {
    return a.sessionId().equals(b.sessionId()) && a.epoch().equals(b.epoch());
  }

  private static String senderOf(LeaderInbox.Delivered d) {
    String via = "the inbox of leader " + d.leader().epoch() + " at " + d.leader().address();
    return d.message() instanceof ToWorker.FetchLog f ? via + " (replies to " + f.replyTo().path().address() + ")"
        : via;
  }
}
