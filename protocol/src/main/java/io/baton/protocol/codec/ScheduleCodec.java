package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.schedule.ScheduleRecord;

/**
 * The persisted form of a {@link ScheduleRecord}: one format-version byte, then Kryo bytes (classes registered in
 * {@link ProtocolKryo}). Thread-safe. Writes format 2; reads 2 and 1 (format 1 is format 2 without the job's
 * {@code notify} and with its tasks in their shape before shards). Reading an unknown format or bytes that are not a
 * valid record fails with {@link IllegalArgumentException}, never with an Error: the bytes come from ZooKeeper.
 */
public final class ScheduleCodec {
  public static final byte FORMAT_VERSION = 2;
  static final byte FORMAT_V1 = 1;

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 4) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

  private static final Pool<Kryo> V1_KRYOS = new Pool<>(true, false, 2) {
    @Override
    protected Kryo create() {
      return LegacyJobSpec.register(LegacyShapes.beforeShards(ProtocolKryo.create()));
    }
  };

  private ScheduleCodec() {}

  public static byte[] encode(ScheduleRecord schedule) {
    Kryo kryo = KRYOS.obtain();
    try {
      Output output = new Output(512, -1);
      output.writeByte(FORMAT_VERSION);
      kryo.writeObject(output, schedule);
      return output.toBytes();
    } finally {
      KRYOS.free(kryo);
    }
  }

  public static ScheduleRecord decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty schedule record");
    }
    if (bytes[0] != FORMAT_VERSION && bytes[0] != FORMAT_V1) {
      throw new IllegalArgumentException("unknown schedule record format " + bytes[0] + " (this build reads "
          + FORMAT_V1 + " and " + FORMAT_VERSION + ")");
    }
    Pool<Kryo> pool = bytes[0] == FORMAT_VERSION ? KRYOS : V1_KRYOS;
    Kryo kryo = pool.obtain();
    try {
      return kryo.readObject(new BoundedInput(bytes, 1, bytes.length - 1), ScheduleRecord.class);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("unreadable schedule record: " + e.getMessage(), e);
    } finally {
      pool.free(kryo);
    }
  }
}
