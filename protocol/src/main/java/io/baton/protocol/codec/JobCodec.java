package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The persisted form of a {@link JobRecord}: one format-version byte, then Kryo bytes. Thread-safe. Versions stay
 * below 64: {@link JobPages}' parts, stored in the same znodes, start with 64.
 * Writes format 5; reads 5 to 1 (format 4 is format 5 without {@link JobRecord#runAt()}; format 3 is format 4 without
 * {@link JobSpec#webhooks()}, a task's shards, broadcast and fanOutFrom, and an attempt's resultBytes; format 2 is
 * format 3 without {@link JobRecord#rerunOf()}; format 1 is format 2 without {@link TaskSpec#secretEnv()}).
 * Reading a format this build does not know, or bytes that are not a valid record (truncated, garbage, lengths
 * beyond {@link BoundedInput}'s bounds), fails with {@link IllegalArgumentException}, never with an Error: the
 * bytes come from ZooKeeper, which anyone with write access can fill.
 */
public final class JobCodec {
  public static final byte FORMAT_VERSION = 5;
  static final byte FORMAT_V4 = 4;
  static final byte FORMAT_V3 = 3;
  static final byte FORMAT_V2 = 2;
  static final byte FORMAT_V1 = 1;

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

  /** Kryos that read format 4: JobRecord (id 57) in its 9-field form, without runAt. */
  private static final Pool<Kryo> V4_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = ProtocolKryo.create();
      kryo.register(JobRecord.class, new JobRecordV4Reader(), 57);
      return kryo;
    }
  };

  /**
   * Kryos that read format 3: as format 4, with JobSpec (id 54) without notify, TaskSpec (id 53) and AttemptRecord
   * (id 55) in their shapes before shards.
   */
  private static final Pool<Kryo> V3_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = LegacyJobSpec.register(LegacyShapes.beforeShards(ProtocolKryo.create()));
      kryo.register(JobRecord.class, new JobRecordV4Reader(), 57);
      return kryo;
    }
  };

  /** JobRecord as formats 3 and 4 stored it (no runAt). */
  private record JobRecordV4(String id, JobSpec spec, String idempotencyKey, JobState state, Instant submittedAt,
      Instant startedAt, Instant finishedAt, List<TaskRecord> tasks, String rerunOf) {}

  private static final class JobRecordV4Reader extends Serializer<JobRecord> {
    private final RecordSerializer<JobRecordV4> v4 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, JobRecord job) {
      throw new UnsupportedOperationException("format 4 is read only");
    }

    @Override
    public JobRecord read(Kryo kryo, Input input, Class<? extends JobRecord> type) {
      JobRecordV4 j = v4.read(kryo, input, JobRecordV4.class);
      return new JobRecord(j.id(), j.spec(), j.idempotencyKey(), j.state(), j.submittedAt(), j.startedAt(),
          j.finishedAt(), j.tasks(), j.rerunOf());
    }
  }

  /** Kryos that read format 2: as format 3, with JobRecord (id 57) read in its 8-field form. */
  private static final Pool<Kryo> V2_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = LegacyJobSpec.register(LegacyShapes.beforeShards(ProtocolKryo.create()));
      kryo.register(JobRecord.class, new JobRecordV2Reader(), 57);
      return kryo;
    }
  };

  /** Kryos that read format 1: as format 2, with TaskSpec (id 53) read in its 11-field form. */
  private static final Pool<Kryo> V1_KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      Kryo kryo = LegacyJobSpec.register(LegacyShapes.beforeShards(ProtocolKryo.create()));
      kryo.register(TaskSpec.class, new TaskSpecV1Reader(), 53);
      kryo.register(JobRecord.class, new JobRecordV2Reader(), 57);
      return kryo;
    }
  };

  /** JobRecord as formats 1 and 2 stored it (no rerunOf). */
  private record JobRecordV2(String id, JobSpec spec, String idempotencyKey, JobState state, Instant submittedAt,
      Instant startedAt, Instant finishedAt, List<TaskRecord> tasks) {}

  private static final class JobRecordV2Reader extends Serializer<JobRecord> {
    private final RecordSerializer<JobRecordV2> v2 = new RecordSerializer<>();

    @Override
    public void write(Kryo kryo, Output output, JobRecord job) {
      throw new UnsupportedOperationException("format 2 is read only");
    }

    @Override
    public JobRecord read(Kryo kryo, Input input, Class<? extends JobRecord> type) {
      JobRecordV2 j = v2.read(kryo, input, JobRecordV2.class);
      return new JobRecord(j.id(), j.spec(), j.idempotencyKey(), j.state(), j.submittedAt(), j.startedAt(),
          j.finishedAt(), j.tasks());
    }
  }

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
    if (bytes[0] < FORMAT_V1 || bytes[0] > FORMAT_VERSION) {
      throw new IllegalArgumentException("unknown job record format " + bytes[0] + " (this build reads "
          + FORMAT_V1 + " to " + FORMAT_VERSION + ")");
    }
    Pool<Kryo> pool = switch (bytes[0]) {
      case FORMAT_VERSION -> KRYOS;
      case FORMAT_V4 -> V4_KRYOS;
      case FORMAT_V3 -> V3_KRYOS;
      case FORMAT_V2 -> V2_KRYOS;
      default -> V1_KRYOS;
    };
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
