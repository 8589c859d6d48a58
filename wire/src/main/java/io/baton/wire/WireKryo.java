package io.baton.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.baton.protocol.codec.ProtocolKryo;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Builds Kryo instances with every class Baton sends registered under a fixed id, on top of
 * {@link ProtocolKryo}'s persisted classes. Registration is required, so bytes can only name these classes. Ids are part of the persisted format:
 * never reuse or renumber one; append new classes with new ids.
 *
 * <p>Kryo instances are not thread-safe; callers pool them (see {@link KryoSerializer}).
 */
public final class WireKryo {
  private static final String TYPED_REF_ADAPTER = "org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter";

  private WireKryo() {}

  /**
   * A Kryo for wire messages. {@code refCodec} turns typed actor refs into strings and back; pass null where
   * no actor refs occur, and writing one then fails loudly.
   */
  public static Kryo create(ActorRefCodec refCodec) {
    Kryo kryo = ProtocolKryo.create();
    kryo.register(WorkerInfo.class, 70);
    kryo.register(AttemptSpec.class, 71);
    kryo.register(AttemptReport.class, 72);
    kryo.register(LogChunk.class, 73);
    kryo.register(WorkerMode.class, 74);
    kryo.register(ToLeader.RegisterWorker.class, 80);
    kryo.register(ToLeader.Heartbeat.class, 81);
    kryo.register(ToLeader.Reports.class, 82);
    kryo.register(ToLeader.ModeChanged.class, 83);
    kryo.register(ToWorker.RegistrationAccepted.class, 90);
    kryo.register(ToWorker.RegistrationRejected.class, 91);
    kryo.register(ToWorker.HeartbeatAck.class, 92);
    kryo.register(ToWorker.NotRegistered.class, 93);
    kryo.register(ToWorker.StartAttempts.class, 94);
    kryo.register(ToWorker.KillAttempts.class, 95);
    kryo.register(ToWorker.AckReports.class, 96);
    kryo.register(ToWorker.Acked.class, 97);
    kryo.register(ToWorker.FetchLog.class, 98);
    kryo.register(ToWorker.ForgetJobs.class, 99);
    kryo.register(ToWorker.SetMode.class, 100);

    Class<?> refClass = typedRefAdapterClass();
    kryo.register(refClass, new ActorRefSerializer(refCodec), 120);
    return kryo;
  }

  private static Class<?> typedRefAdapterClass() {
    try {
      return Class.forName(TYPED_REF_ADAPTER);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Pekko typed is not on the class path", e);
    }
  }

  /** Turns typed actor refs into their serialization format and back (backed by Pekko's ActorRefResolver). */
  public interface ActorRefCodec {
    String toString(ActorRef<?> ref);

    ActorRef<?> fromString(String serialized);

    static ActorRefCodec of(Function<ActorRef<?>, String> write, Function<String, ActorRef<?>> read) {
      return new ActorRefCodec() {
        @Override
        public String toString(ActorRef<?> ref) {
          return write.apply(ref);
        }

        @Override
        public ActorRef<?> fromString(String serialized) {
          return read.apply(serialized);
        }
      };
    }
  }

  @SuppressWarnings("rawtypes")
  private static final class ActorRefSerializer extends Serializer<ActorRef> {
    private final ActorRefCodec codec;

    ActorRefSerializer(ActorRefCodec codec) {
      this.codec = codec;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, ActorRef ref) {
      output.writeString(codec().toString(ref));
    }

    @Override
    public ActorRef read(Kryo kryo, Input input, Class<? extends ActorRef> type) {
      String path = input.readString();
      if (path == null) {
        // Pekko's resolve cache hashes the path through Unsafe: a null one crashes the JVM (SIGSEGV)
        throw new KryoException("an actor ref without a path");
      }
      return codec().fromString(path);
    }

    private ActorRefCodec codec() {
      if (codec == null) {
        throw new IllegalStateException("actor refs cannot be written here (no ActorSystem)");
      }
      return codec;
    }
  }
}
