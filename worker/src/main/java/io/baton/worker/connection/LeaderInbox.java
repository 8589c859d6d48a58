package io.baton.worker.connection;

import io.baton.protocol.LeaderInfo;
import io.baton.wire.ToWorker;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The ref one leader may command this worker through: a child of the {@link LeaderLink}, spawned when the worker
 * starts following that leader and sent only in the registrations with it (so to no one else but that leader's
 * gateway). It stamps whatever arrives with the leader it was made for, so the link can tell a message on a
 * deposed leader's inbox from one of the leader it follows, whatever epoch the message claims. Its ref goes on the
 * wire as {@code ActorRef<ToWorker>}; anything else that could reach it is ignored, except the link's own
 * {@link Relay}, which comes back behind the messages delivered before it.
 */
final class LeaderInbox {
  private LeaderInbox() {}

  /** A message that arrived on the inbox made for {@code leader}. */
  record Delivered(LeaderInfo leader, ToWorker message) {}

  /** Sent by the link through the inbox: {@code message} goes back to {@code to} after what came before it. */
  record Relay<T>(ActorRef<T> to, T message) {}

  static Behavior<Object> create(LeaderInfo leader, ActorRef<Delivered> link) {
    return Behaviors.receive(Object.class)
        .onMessage(ToWorker.class, m -> {
          link.tell(new Delivered(leader, m));
          return Behaviors.same();
        })
        .onMessage(Relay.class, LeaderInbox::relay)
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Behavior<Object> relay(Relay<?> r) {
    ((Relay<Object>) r).to().tell(r.message());
    return Behaviors.same();
  }
}
