package io.baton.worker.connection;

import io.baton.protocol.LeaderInfo;
import io.baton.wire.ToLeader;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Resolves {@code <leader address>/user/gateway} with a classic actor selection (one round trip over Artery).
 * Thread-safe.
 */
public final class DefaultLeaderResolver implements LeaderResolver {
  public static final String GATEWAY_PATH = "/user/gateway";

  private final org.apache.pekko.actor.ActorSystem classic;
  private final Duration timeout;

  public DefaultLeaderResolver(ActorSystem<?> system, Duration timeout) {
    this.classic = Adapter.toClassic(system);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<ActorRef<ToLeader>> resolve(LeaderInfo leader) {
    return classic.actorSelection(leader.address() + GATEWAY_PATH)
        .resolveOne(timeout)
        .thenApply(Adapter::<ToLeader>toTyped);
  }
}
