package io.baton.protocol;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.wire.AttemptReport;
import io.baton.protocol.wire.AttemptSpec;
import io.baton.protocol.wire.LogChunk;
import io.baton.protocol.wire.ToLeader;
import io.baton.protocol.wire.ToWorker;
import io.baton.protocol.wire.WorkerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Builds Kryo instances with every class Baton sends or persists registered under a fixed id.
 * Registration is required, so bytes can only name these classes. Ids are part of the persisted format:
 * never reuse or renumber one; append new classes with new ids.
 *
 * <p>Kryo instances are not thread-safe; callers pool them (see {@link KryoSerializer}, {@link JobCodec}).
 */
public final class BatonKryo {
  private static final String TYPED_REF_ADAPTER = "org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter";

  private BatonKryo() {}

  /**
   * A Kryo for persisted values and for wire messages. {@code refCodec} turns typed actor refs into strings
   * and back; pass null where no actor refs occur (persistence), and writing one then fails loudly.
   */
  public static Kryo create(ActorRefCodec refCodec) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    ImmutableCollectionsSerializers.addDefaultSerializers(kryo);

    kryo.register(ArrayList.class, 20);
    kryo.register(HashMap.class, 21);
    kryo.register(LinkedHashMap.class, 22);
    kryo.register(TreeMap.class, 23);
    kryo.register(List.of().getClass(), 24);
    kryo.register(List.of(1).getClass(), 25);
    kryo.register(Map.of().getClass(), 26);
    kryo.register(Map.of(1, 1).getClass(), 27);
    kryo.register(Set.of().getClass(), 28);
    kryo.register(Set.of(1).getClass(), 29);
    kryo.register(Instant.class, 30);
    kryo.register(byte[].class, 31);

    kryo.register(JobState.class, 50);
    kryo.register(AttemptState.class, 51);
    kryo.register(AttemptKey.class, 52);
    kryo.register(TaskSpec.class, 53);
    kryo.register(JobSpec.class, 54);
    kryo.register(AttemptRecord.class, 55);
    kryo.register(TaskRecord.class, 56);
    kryo.register(JobRecord.class, 57);

    kryo.register(WorkerInfo.class, 70);
    kryo.register(AttemptSpec.class, 71);
    kryo.register(AttemptReport.class, 72);
    kryo.register(LogChunk.class, 73);
    kryo.register(ToLeader.RegisterWorker.class, 80);
    kryo.register(ToLeader.Heartbeat.class, 81);
    kryo.register(ToLeader.Reports.class, 82);
    kryo.register(ToWorker.RegistrationAccepted.class, 90);
    kryo.register(ToWorker.RegistrationRejected.class, 91);
    kryo.register(ToWorker.HeartbeatAck.class, 92);
    kryo.register(ToWorker.NotRegistered.class, 93);
    kryo.register(ToWorker.StartAttempts.class, 94);
    kryo.register(ToWorker.KillAttempts.class, 95);
    kryo.register(ToWorker.AckReports.class, 96);
    kryo.register(ToWorker.Acked.class, 97);
    kryo.register(ToWorker.FetchLog.class, 98);

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
      return codec().fromString(input.readString());
    }

    private ActorRefCodec codec() {
      if (codec == null) {
        throw new IllegalStateException("actor refs cannot be written here (no ActorSystem)");
      }
      return codec;
    }
  }
}
