package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import io.baton.protocol.Epoch;
import io.baton.wire.KryoSerializer;
import io.baton.wire.ToWorker;
import java.time.Duration;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack of issue 9 over real Artery: a peer whose serializer with Baton's id emits the 6-byte frame (byte[]
 * claiming 2^31-2 bytes). Before the wire limits the receiver allocated it, hit OutOfMemoryError and Pekko exited
 * the JVM (this test process). Now Artery drops the frame, and the receiver keeps serving: a message sent after the
 * attack on the same connection arrives.
 */
class WireAttackIT {
  /** Stands in for a hostile peer's serializer: Baton's identifier, attack bytes. */
  public static final class AttackSerializer extends JSerializer {
    public AttackSerializer(ExtendedActorSystem system) {}

    @Override
    public int identifier() {
      return KryoSerializer.IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
      return false;
    }

    @Override
    public byte[] toBinary(Object o) {
      return WireLimitsTest.sixByteAttack();
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
      throw new UnsupportedOperationException();
    }
  }

  /** What the attacker sends; bound to {@link AttackSerializer} on its side only. */
  public record Attack() {}

  private final ActorTestKit victim = ActorTestKit.create("baton", WireSerializationTest.REMOTE);
  private final ActorTestKit attacker = ActorTestKit.create("baton", ConfigFactory.parseString("""
      pekko.actor.serializers.baton-kryo = "io.baton.worker.WireAttackIT$AttackSerializer"
      pekko.actor.serialization-bindings { "io.baton.worker.WireAttackIT$Attack" = baton-kryo }
      """).withFallback(WireSerializationTest.REMOTE));

  @AfterEach
  void tearDown() {
    attacker.shutdownTestKit();
    victim.shutdownTestKit();
  }

  @Test
  void theSixByteFrameIsDroppedAndTheSystemStaysUp() {
    TestProbe<Object> inbox = victim.createTestProbe();
    String path = ActorRefResolver.get(victim.system()).toSerializationFormat(inbox.ref());
    ActorRef<Object> remote = ActorRefResolver.get(attacker.system()).resolveActorRef(path);

    for (int i = 0; i < 3; i++) {
      remote.tell(new Attack());
    }
    remote.tell("still alive");
    inbox.expectMessage(Duration.ofSeconds(15), "still alive");

    KryoSerializer serializer = (KryoSerializer) SerializationExtension.get(Adapter.toClassic(victim.system()))
        .findSerializerFor(new ToWorker.NotRegistered(new Epoch(1)));
    // the frames were dropped in order before "still alive" was delivered on the same connection
    assertEquals(3, serializer.refusals());
    assertFalse(victim.system().getWhenTerminated().toCompletableFuture().isDone());
    remote.tell("and serving");
    inbox.expectMessage(Duration.ofSeconds(5), "and serving");
  }
}
