package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import io.baton.protocol.AttemptState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Readers of the shapes older formats stored, registered over {@link ProtocolKryo}'s ids by the codecs that read
 * them. Kryo writes record components in name order, so only a shape's set of components matters. Read only.
 */
final class LegacyShapes {
  private LegacyShapes() {}

  /** Registers the shapes of JobCodec formats 2 and 3 and of JobPages format 64: TaskSpec without parallelism, AttemptRecord without result. */
  static Kryo beforeShards(Kryo kryo) {
    kryo.register(TaskSpec.class, new TaskSpecV3Reader(), 53);
    kryo.register(AttemptRecord.class, new AttemptRecordV3Reader(), 55);
    return kryo;
  }

  /** TaskSpec as formats 2 and 3 stored it (no shards, broadcast, fanOutFrom). */
  private record TaskSpecV3(String id, List<String> command, String handler, String argsJson, Map<String, String> env,
      double cpus, long memoryMb, int retries, int timeoutSeconds, Map<String, String> constraints,
      List<String> dependsOn, Map<String, String> secretEnv) {}

  private static final class TaskSpecV3Reader extends Serializer<TaskSpec> {
    private final RecordSerializer<TaskSpecV3> v3 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, TaskSpec task) {
      throw new UnsupportedOperationException("an old format is read only");
    }

    @Override
    public TaskSpec read(Kryo kryo, Input input, Class<? extends TaskSpec> type) {
      TaskSpecV3 t = v3.read(kryo, input, TaskSpecV3.class);
      return new TaskSpec(t.id(), t.command(), t.handler(), t.argsJson(), t.env(), t.cpus(), t.memoryMb(), t.retries(),
          t.timeoutSeconds(), t.constraints(), t.dependsOn(), t.secretEnv());
    }
  }

  /** AttemptRecord as formats 1 to 3 stored it (no resultBytes). */
  private record AttemptRecordV3(int attempt, AttemptState state, String workerId, Integer exitCode,
      Instant startedAt, Instant finishedAt, String message) {}

  private static final class AttemptRecordV3Reader extends Serializer<AttemptRecord> {
    private final RecordSerializer<AttemptRecordV3> v3 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, AttemptRecord attempt) {
      throw new UnsupportedOperationException("an old format is read only");
    }

    @Override
    public AttemptRecord read(Kryo kryo, Input input, Class<? extends AttemptRecord> type) {
      AttemptRecordV3 a = v3.read(kryo, input, AttemptRecordV3.class);
      return new AttemptRecord(a.attempt(), a.state(), a.workerId(), a.exitCode(), a.startedAt(), a.finishedAt(),
          a.message());
    }
  }
}
