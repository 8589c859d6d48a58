package io.baton.worker;

import io.baton.protocol.LeaderInfo;
import io.baton.wire.ToLeader;
import io.baton.worker.connection.LeaderResolver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/** Resolves leader addresses to gateways registered by the test; an unknown address fails like an unreachable one. */
public final class TestingLeaderResolver implements LeaderResolver {
  private final Map<String, ActorRef<ToLeader>> gateways = new ConcurrentHashMap<>();

  public void put(String address, ActorRef<ToLeader> gateway) {
    gateways.put(address, gateway);
  }

  @Override
  public CompletionStage<ActorRef<ToLeader>> resolve(LeaderInfo leader) {
    ActorRef<ToLeader> ref = gateways.get(leader.address());
    return ref != null
        ? CompletableFuture.completedFuture(ref)
        : CompletableFuture.failedFuture(new IllegalStateException("no gateway at " + leader.address()));
  }
}
