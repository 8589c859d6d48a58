package io.baton.protocol.codec;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.baton.protocol.job.JobRecord;

/**
 * The persisted form of a {@link JobRecord}: one format-version byte, then Kryo bytes. Thread-safe.
 * Reading a format this build does not know, or bytes that are not a valid record (truncated, garbage, lengths
 * beyond {@link BoundedInput}'s bounds), fails with {@link IllegalArgumentException}, never with an Error: the
 * bytes come from ZooKeeper, which anyone with write access can fill.
 */
public final class JobCodec {
  public static final byte FORMAT_VERSION = 1;

  private static final Pool<Kryo> KRYOS = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return ProtocolKryo.create();
    }
  };

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
    if (bytes[0] != FORMAT_VERSION) {
      throw new IllegalArgumentException("unknown job record format " + bytes[0] + " (this build reads " + FORMAT_VERSION + ")");
    }
    Kryo kryo = KRYOS.obtain();
    try {
      return kryo.readObject(new BoundedInput(bytes, 1, bytes.length - 1), JobRecord.class);
    } catch (RuntimeException e) { // Kryo (KryoException) or a record's constructor refused the bytes
      throw new IllegalArgumentException("unreadable job record: " + e.getMessage(), e);
    } finally {
      KRYOS.free(kryo);
    }
  }
}
