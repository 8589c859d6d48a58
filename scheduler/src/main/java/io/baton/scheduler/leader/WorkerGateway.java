package io.baton.scheduler.leader;

import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.wire.ToLeader;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The fixed entry point workers send to ({@value #NAME} under the master's user guardian, so at
 * {@code <address>/user/gateway}). Forwards every {@link ToLeader} message to the current session's
 * ResourceManager; while there is none, drops them (workers retry registration until a leader answers).
 * Its message type is Object because remote workers send {@link ToLeader} and the master sends {@link Route}.
 */
public final class WorkerGateway {
  public static final String NAME = "gateway";

  /** Where to forward from now on (empty: nowhere). */
  public record Route(Optional<ActorRef<ResourceManager.Command>> resourceManager) {}

  private WorkerGateway() {}

  public static Behavior<Object> create() {
    return routing(Optional.empty());
  }

  private static Behavior<Object> routing(Optional<ActorRef<ResourceManager.Command>> target) {
    return Behaviors.receive((ctx, msg) -> {
      if (msg instanceof Route route) {
        return routing(route.resourceManager());
      }
      if (msg instanceof ToLeader toLeader) {
        if (target.isPresent()) {
          target.get().tell(new ResourceManager.FromWorker(toLeader));
        } else {
          ctx.getLog().debug("no leader session; dropping {} from {}", msg.getClass().getSimpleName(), toLeader.workerId());
        }
      }
      return Behaviors.same();
    });
  }
}
