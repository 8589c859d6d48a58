package io.baton.worker.connection;

import io.baton.protocol.LeaderInfo;
import io.baton.wire.ToLeader;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Finds the gateway actor of a published leader. Called by the worker actor on its own thread; must not block:
 * the answer comes back through the stage (completed on any thread), failing when the gateway cannot be
 * reached. Nothing guarantees the leader is still current when the stage completes.
 */
public interface LeaderResolver {
  CompletionStage<ActorRef<ToLeader>> resolve(LeaderInfo leader);
}
