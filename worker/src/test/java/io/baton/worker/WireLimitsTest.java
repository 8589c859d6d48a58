package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.wire.AttemptReport;
import io.baton.wire.KryoSerializer;
import io.baton.wire.LogChunk;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WireKryo;
import io.baton.wire.WireLimits;
import io.baton.wire.WorkerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.util.Try;

/**
 * Inbound wire bytes are untrusted: length bombs, oversized messages and random bytes are refused by Baton's
 * serializer with an exception (Pekko's {@code deserialize} returns a Failure, which only non-fatal throwables
 * become), and messages at the limits still round-trip.
 */
class WireLimitsTest {
  private static final ActorTestKit KIT = ActorTestKit.create("limits", WireSerializationTest.REMOTE);
  private static final int HUGE = Integer.MAX_VALUE - 8;
  private static final AttemptKey KEY = new AttemptKey("job-1", "extract", 1);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static Serialization serialization() {
    return SerializationExtension.get(Adapter.toClassic(KIT.system()));
  }

  static Try<Object> decode(byte[] bytes) {
    return serialization().deserialize(bytes, KryoSerializer.IDENTIFIER, "");
  }

  static byte[] encode(Object message) {
    return serialization().serialize(message).get();
  }

  /** A registered class id, then whatever {@code body} writes (a length), then a few padding bytes. */
  static byte[] bomb(Class<?> type, Consumer<Output> body) {
    Kryo kryo = WireKryo.create(null);
    Output out = new Output(64, -1);
    kryo.writeClass(out, type);
    body.accept(out);
    out.writeBytes(new byte[16]);
    return out.toBytes();
  }

  /** The 6-byte frame of the issue: byte[]'s class id, then a length of 2^31-2 (written as length + 1). */
  static byte[] sixByteAttack() {
    Kryo kryo = WireKryo.create(null);
    Output out = new Output(16, -1);
    kryo.writeClass(out, byte[].class);
    out.writeVarInt(Integer.MAX_VALUE, true);
    return out.toBytes();
  }

  static Map<String, byte[]> bombs() {
    Map<String, byte[]> bombs = new LinkedHashMap<>();
    bombs.put("6-byte byte[]", sixByteAttack());
    bombs.put("String", bomb(String.class, o -> o.writeVarIntFlag(true, HUGE, true)));
    bombs.put("byte[]", bomb(byte[].class, o -> o.writeVarInt(HUGE, true)));
    bombs.put("ArrayList", bomb(ArrayList.class, o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("HashMap", bomb(HashMap.class, o -> o.writeVarInt(400_000_000, true)));
    bombs.put("List.of", bomb(List.of(1).getClass(), o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("Map.of", bomb(Map.of(1, 1).getClass(), o -> o.writeVarInt(400_000_000, true)));
    bombs.put("Set.of", bomb(Set.of(1).getClass(), o -> o.writeVarIntFlag(false, 400_000_000, true)));
    bombs.put("nested list", bomb(ArrayList.class, o -> {
      o.writeVarIntFlag(false, 2, true); // Kryo writes length + 1: one element
      WireKryo.create(null).writeClass(o, List.of(1).getClass());
      o.writeVarIntFlag(false, 400_000_000, true);
    }));
    // a Reports message whose workerId claims a 2 GB string: the message's own fields are read from the frame too
    bombs.put("Reports.workerId", bomb(ToLeader.Reports.class, o -> {
      WireKryo.create(null).writeObject(o, new Epoch(1));
      o.writeVarIntFlag(true, HUGE, true);
    }));
    bombs.put("deep", bomb(ArrayList.class, o -> {
      Kryo kryo = WireKryo.create(null);
      for (int i = 0; i < 10_000; i++) {
        o.writeVarIntFlag(false, 2, true);
        kryo.writeClass(o, ArrayList.class);
      }
      o.writeVarIntFlag(false, 1, true);
    }));
    return bombs;
  }

  /** Pekko hashes a ref's path through Unsafe: a null path (a valid Kryo string) would crash the JVM, not throw. */
  @Test
  void anActorRefWithoutAPathIsRefused() throws Exception {
    byte[] frame = bomb(Class.forName("org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter"),
        out -> out.writeString(null));
    Try<Object> result = decode(frame);
    assertTrue(result.isFailure());
    assertInstanceOf(KryoSerializer.RefusedMessage.class, result.failed().get());
  }

  @Test
  void theSixByteAttackIsSixBytes() {
    assertEquals(6, sixByteAttack().length);
  }

  @Test
  void everyLengthBombIsRefused() {
    bombs().forEach((name, bytes) -> {
      Try<Object> result = decode(bytes);
      assertTrue(result.isFailure(), name);
      assertInstanceOf(KryoSerializer.RefusedMessage.class, result.failed().get(), name);
    });
  }

  static AttemptReport report(String message) {
    Instant t = Instant.parse("2026-11-22T10:00:00Z");
    return new AttemptReport(KEY, AttemptState.FAILED, 1, t, t, message);
  }

  static ToLeader.Reports reports(int n) {
    return new ToLeader.Reports(new Epoch(1), "w1", Collections.nCopies(n, report("x")));
  }

  static WorkerInfo info(String id, Map<String, String> labels) {
    return new WorkerInfo(id, "host", 1, 1, labels);
  }

  @Test
  void messagesAtTheLimitsRoundTrip() {
    ToLeader.Reports most = reports(WireLimits.MAX_ATTEMPTS_PER_MESSAGE);
    assertEquals(most, decode(encode(most)).get());

    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < WireLimits.MAX_LABELS; i++) {
      labels.put(("k" + i + "-").repeat(100).substring(0, WireLimits.MAX_LABEL_CHARS), "v".repeat(WireLimits.MAX_LABEL_CHARS));
    }
    WorkerInfo widest = info("w".repeat(WireLimits.MAX_ID_CHARS), labels);
    ToLeader.RegisterWorker register = new ToLeader.RegisterWorker(new Epoch(1), widest,
        List.of(report("m".repeat(WireLimits.MAX_TEXT_CHARS))), KIT.createTestProbe(ToWorker.class).ref(), 1);
    assertEquals(register, decode(encode(register)).get());

    byte[] data = new byte[WireLimits.MAX_LOG_CHUNK_BYTES];
    data[data.length - 1] = 7;
    LogChunk chunk = assertInstanceOf(LogChunk.class, decode(encode(new LogChunk(KEY, true, data, data.length, false))).get());
    assertArrayEquals(data, chunk.data());
  }

  @Test
  void messagesBeyondTheLimitsAreRefused() {
    List<Object> beyond = List.of(
        reports(WireLimits.MAX_ATTEMPTS_PER_MESSAGE + 1),
        new ToLeader.Heartbeat(new Epoch(1), "w".repeat(WireLimits.MAX_ID_CHARS + 1), 0,
            KIT.createTestProbe(ToWorker.class).ref(), 1),
        new ToLeader.RegisterWorker(new Epoch(1), info("w", Map.of("k", "v".repeat(WireLimits.MAX_LABEL_CHARS + 1))),
            List.of(), KIT.createTestProbe(ToWorker.class).ref(), 1),
        new ToWorker.KillAttempts(new Epoch(1), Collections.nCopies(WireLimits.MAX_ATTEMPTS_PER_MESSAGE + 1, KEY),
            AttemptState.CANCELLED),
        new ToWorker.ForgetJobs(new Epoch(1), Collections.nCopies(WireLimits.MAX_ATTEMPTS_PER_MESSAGE + 1, "j")),
        new ToWorker.ForgetJobs(new Epoch(1), List.of("j".repeat(WireLimits.MAX_ID_CHARS + 1))),
        new LogChunk(KEY, true, new byte[WireLimits.MAX_LOG_CHUNK_BYTES + 1], 0, false));
    for (Object message : beyond) {
      Try<Object> result = decode(encode(message));
      assertTrue(result.isFailure(), message.getClass().getSimpleName());
      assertInstanceOf(KryoSerializer.RefusedMessage.class, result.failed().get());
    }
  }

  @Test
  void aLongReportMessageIsCutBySenders() {
    assertEquals(WireLimits.MAX_TEXT_CHARS, report("e".repeat(100_000)).message().length());
    ToLeader.Reports r = new ToLeader.Reports(new Epoch(1), "w1", List.of(report("e".repeat(100_000))));
    assertEquals(r, decode(encode(r)).get());
  }

  @Test
  void workerSettingsBeyondTheLimitsFailAtStart() {
    assertThrows(IllegalArgumentException.class, () -> WorkerSettings.defaults("w".repeat(WireLimits.MAX_ID_CHARS + 1),
        java.nio.file.Path.of("/tmp")));
  }

  @Provide
  Arbitrary<byte[]> frames() {
    byte[] valid = encode(reports(3));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] r = valid.clone();
          for (int i = 0; i < positions.size(); i++) {
            r[positions.get(i)] = values.get(i);
          }
          return r;
        }));
    return Arbitraries.oneOf(random, mutated);
  }

  /** Pekko's deserialize wraps only non-fatal throwables in a Failure; an Error would propagate and fail this. */
  @Property(tries = 3000)
  void randomFramesNeverThrowAnError(@ForAll("frames") byte[] frame) {
    Try<Object> result = decode(frame);
    assertFalse(result.isFailure() && result.failed().get() instanceof Error);
  }
}
