package io.baton.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Bytes in ZooKeeper are untrusted: a length prefix claiming gigabytes must be refused with an exception, not an
 * OutOfMemoryError. Each bomb is a class id plus a huge length plus a few padding bytes, decoded both as a job
 * record (JobCodec) and as a bare value through ProtocolKryo on a BoundedInput.
 */
class JobCodecLimitsTest {
  private static final int HUGE = Integer.MAX_VALUE - 8;

  /** Writes a registered class id, then lets {@code body} write a length (and nothing much after it). */
  static byte[] bomb(Class<?> type, Consumer<Output> body) {
    Kryo kryo = ProtocolKryo.create();
    Output out = new Output(64, -1);
    kryo.writeClass(out, type);
    body.accept(out);
    out.writeBytes(new byte[16]);
    return out.toBytes();
  }

  static Map<String, byte[]> bombs() {
    Map<String, byte[]> bombs = new java.util.LinkedHashMap<>();
    bombs.put("String", bomb(String.class, o -> o.writeVarIntFlag(true, HUGE, true)));
    bombs.put("byte[]", bomb(byte[].class, o -> o.writeVarInt(HUGE, true)));
    bombs.put("ArrayList", bomb(ArrayList.class, o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("HashMap", bomb(HashMap.class, o -> o.writeVarInt(400_000_000, true)));
    bombs.put("List.of", bomb(List.of(1).getClass(), o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("List.of()", bomb(List.of().getClass(), o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("Map.of", bomb(Map.of(1, 1).getClass(), o -> o.writeVarInt(400_000_000, true)));
    bombs.put("Set.of", bomb(Set.of(1).getClass(), o -> o.writeVarIntFlag(false, 400_000_000, true)));
    // nested: a list of one element that is a huge list (Kryo writes a collection's length + 1; 0 is null)
    bombs.put("nested", bomb(ArrayList.class, o -> {
      o.writeVarIntFlag(false, 2, true);
      ProtocolKryo.create().writeClass(o, ArrayList.class);
      o.writeVarIntFlag(false, 400_000_000, true);
    }));
    // deep: 10,000 nested one-element lists would overflow the stack without the depth cap
    bombs.put("deep", bomb(ArrayList.class, o -> {
      Kryo kryo = ProtocolKryo.create();
      for (int i = 0; i < 10_000; i++) {
        o.writeVarIntFlag(false, 2, true);
        kryo.writeClass(o, ArrayList.class);
      }
      o.writeVarIntFlag(false, 1, true);
    }));
    return bombs;
  }

  @Test
  void everyLengthBombIsRefusedWithAnException() {
    bombs().forEach((name, bytes) -> {
      Kryo kryo = ProtocolKryo.create();
      assertThrows(RuntimeException.class, () -> kryo.readClassAndObject(new BoundedInput(bytes)), name);
    });
  }

  @Test
  void aJobRecordCarryingABombIsRefused() {
    // a job record whose id claims a huge UTF-8 string, and one whose task list claims 400M tasks
    Output id = new Output(64, -1);
    id.writeByte(JobCodec.FORMAT_VERSION);
    id.writeVarIntFlag(true, HUGE, true);
    id.writeBytes(new byte[16]);
    assertThrows(IllegalArgumentException.class, () -> JobCodec.decode(id.toBytes()));

    for (byte[] b : bombs().values()) {
      byte[] record = new byte[b.length + 1];
      record[0] = JobCodec.FORMAT_VERSION;
      System.arraycopy(b, 0, record, 1, b.length);
      assertThrows(IllegalArgumentException.class, () -> JobCodec.decode(record));
    }
  }

  @Test
  void aLargeValidJobStillRoundTrips() {
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      tasks.add(TaskSpec.handler("t" + i, "sleep", "x".repeat(100), i == 0 ? List.of() : List.of("t" + (i - 1))));
    }
    JobRecord job = JobRecord.submitted("job-big", new JobSpec("big", Map.of("k", "v".repeat(10_000)), tasks),
        null, t);
    assertEquals(job, JobCodec.decode(JobCodec.encode(job)));
  }

  @Test
  void stringsAndBytesAsLongAsTheBytesLeftAreAccepted() {
    Kryo kryo = ProtocolKryo.create();
    Output out = new Output(1024, -1);
    String text = "é".repeat(50_000);
    byte[] bytes = new byte[100_000];
    kryo.writeClassAndObject(out, new ArrayList<>(List.of(text, bytes, List.of("a"))));
    @SuppressWarnings("unchecked")
    List<Object> back = (List<Object>) kryo.readClassAndObject(new BoundedInput(out.toBytes()));
    assertEquals(text, back.get(0));
    assertEquals(bytes.length, ((byte[]) back.get(1)).length);
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    byte[] valid = JobCodec.encode(JobCodecTest.sample());
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .map(b -> {
          byte[] r = new byte[b.length + 1];
          r[0] = JobCodec.FORMAT_VERSION;
          System.arraycopy(b, 0, r, 1, b.length);
          return r;
        });
    Arbitrary<byte[]> mutated = Arbitraries.integers().between(1, valid.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] r = valid.clone();
          for (int i = 0; i < positions.size(); i++) {
            r[positions.get(i)] = values.get(i);
          }
          return r;
        }));
    Arbitrary<byte[]> truncated = Arbitraries.integers().between(1, valid.length - 1)
        .map(n -> java.util.Arrays.copyOf(valid, n));
    return Arbitraries.oneOf(random, mutated, truncated);
  }

  /** Random, mutated or truncated records decode or fail with IllegalArgumentException; never an Error. */
  @Property(tries = 2000)
  void garbageNeverThrowsAnError(@ForAll("garbage") byte[] bytes) {
    try {
      JobCodec.decode(bytes);
    } catch (IllegalArgumentException refused) {
      // fine
    }
  }
}
