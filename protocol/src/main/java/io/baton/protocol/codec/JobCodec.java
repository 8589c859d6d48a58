package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskSpec;
import java.util.List;
import java.util.Map;

/**
 * The persisted form of a {@link JobRecord}: one format-version byte, then Kryo bytes. Thread-safe. Versions stay
 * below 64: {@link JobPages}' parts, stored in the same znodes, start with 64.
 * Writes format 2; reads 2 and 1 (format 1 is format 2 without {@link TaskSpec#secretEnv()}).
 * Reading a format this build does not know, or bytes that are not a valid record (truncated, garbage, lengths
 * beyond {@link BoundedInput}'s bounds), fails with {@link IllegalArgumentException}, never with an Error: the
 * bytes come from ZooKeeper, which anyone with write access can fill.
 */
public final class JobCodec {
  public static final byte FORMAT_VERSION = 2;
  static final byte FORMAT_V1 = 1;

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

  /** Kryos that read format 1: the same registrations, with TaskSpec (id 53) read in its 11-field form. */
  private static final Pool<Kryo> V1_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = ProtocolKryo.create();
      kryo.register(TaskSpec.class, new TaskSpecV1Reader(), 53);
      return kryo;
    }
  };

  /** TaskSpec as format 1 stored it; Kryo writes record components in name order, so only the set matters. */
  private record TaskSpecV1(String id, List<String> command, String handler, String argsJson, Map<String, String> env,
      double cpus, long memoryMb, int retries, int timeoutSeconds, Map<String, String> constraints,
      List<String> dependsOn) {}

  private static final class TaskSpecV1Reader extends Serializer<TaskSpec> {
    private final RecordSerializer<TaskSpecV1> v1 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, TaskSpec task) {
      throw new UnsupportedOperationException("format 1 is read only");
    }

    @Override
    public TaskSpec read(Kryo kryo, Input input, Class<? extends TaskSpec> type) {
      TaskSpecV1 t = v1.read(kryo, input, TaskSpecV1.class);
      return new TaskSpec(t.id(), t.command(), t.handler(), t.argsJson(), t.env(), t.cpus(), t.memoryMb(), t.retries(),
          t.timeoutSeconds(), t.constraints(), t.dependsOn());
    }
  }

  private JobCodec() {}

  public static byte[] encode(JobRecord job) {
    Kryo kryo = KRYOS.obtain();
    try {
      Output output = new Output(512, -1);
      output.writeByte(FORMAT_VERSION);
      kryo.writeObject(output, job);
      return output.toBytes();
    } finally {
      KRYOS.free(kryo);
    }
  }

  public static JobRecord decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty job record");
    }
    if (bytes[0] != FORMAT_VERSION && bytes[0] != FORMAT_V1) {
      throw new IllegalArgumentException("unknown job record format " + bytes[0] + " (this build reads "
          + FORMAT_V1 + " and " + FORMAT_VERSION + ")");
    }
    Pool<Kryo> pool = bytes[0] == FORMAT_VERSION ? KRYOS : V1_KRYOS;
    Kryo kryo = pool.obtain();
    try {
      return kryo.readObject(new BoundedInput(bytes, 1, bytes.length - 1), JobRecord.class);
    } catch (RuntimeException e) { // Kryo (KryoException) or a record's constructor refused the bytes
      throw new IllegalArgumentException("unreadable job record: " + e.getMessage(), e);
    } finally {
      pool.free(kryo);
    }
  }
}
