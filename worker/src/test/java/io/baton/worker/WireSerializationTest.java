package io.baton.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.TaskSpec;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.KryoSerializer;
import io.baton.wire.LogChunk;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.wire.WorkerMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every wire message goes through Baton's Kryo serializer in a remoting-enabled system, and comes back equal. */
class WireSerializationTest {
  static final Config REMOTE = ConfigFactory.parseString("""
      pekko.actor.provider = remote
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.remote.warn-about-direct-use = off
      pekko.remote.warn-unsafe-watch-outside-cluster = off
      """).withFallback(ConfigFactory.load());

  private static final ActorTestKit KIT = ActorTestKit.create("wire", REMOTE);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** An actor that hands out a message adapter ref, like the worker's inbox. */
  private record GiveAdapter(ActorRef<ActorRef<ToWorker>> replyTo) {}

  private static Behavior<Object> adapterOwner(ActorRef<ToWorker> sink) {
    return Behaviors.setup(ctx -> {
      ActorRef<ToWorker> adapter = ctx.messageAdapter(ToWorker.class, m -> m);
      return Behaviors.receiveMessage(m -> {
        if (m instanceof GiveAdapter g) {
          g.replyTo().tell(adapter);
        } else if (m instanceof ToWorker t) {
          sink.tell(t);
        }
        return Behaviors.same();
      });
    });
  }

  private static Object roundTrip(Object message) {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals(KryoSerializer.IDENTIFIER, serializer.identifier(), message.getClass() + " must use Baton's Kryo");
    byte[] bytes = serialization.serialize(message).get();
    return serialization.deserialize(bytes, serializer.identifier(), "").get();
  }

  @Test
  void everyWireMessageRoundTrips() {
    TestProbe<ToWorker> workerProbe = KIT.createTestProbe(ToWorker.class);
    TestProbe<ToLeader> leaderProbe = KIT.createTestProbe(ToLeader.class);
    TestProbe<LogChunk> logProbe = KIT.createTestProbe(LogChunk.class);
    AttemptKey key = new AttemptKey("job-1", "extract", 2);
    Instant t = Instant.parse("2026-11-22T10:15:30.123456789Z");
    AttemptReport running = new AttemptReport(key, AttemptState.RUNNING, null, t, null, null);
    AttemptReport failed = new AttemptReport(key, AttemptState.FAILED, 3, t, t.plusSeconds(1), "exit code 3");
    TaskSpec command = new TaskSpec("extract", List.of("/bin/sh", "-c", "echo x"), null, null, Map.of("A", "1"),
        0.5, 256, 2, 600, Map.of("zone", "a"), List.of("other"));
    TaskSpec handler = TaskSpec.handler("h", "sleep", "{\"millis\":5}", List.of());
    WorkerInfo info = new WorkerInfo("w1", "host", 2.5, 4096, Map.of("zone", "a", "disk", "ssd"));

    List<Object> messages = List.of(
        new ToLeader.RegisterWorker(new Epoch(7), info, List.of(running, failed), workerProbe.ref(), 123_456_789L),
        new ToLeader.RegisterWorker(new Epoch(7), new WorkerInfo("w2", "h", 1, 1, Map.of()), List.of(), workerProbe.ref(), -5),
        new ToLeader.Heartbeat(new Epoch(7), "w1", 12, workerProbe.ref(), 42),
        new ToLeader.Reports(new Epoch(7), "w1", List.of(running, failed)),
        new ToLeader.RegisterWorker(new Epoch(7), info, List.of(), workerProbe.ref(), 1, WorkerMode.STOPPING),
        new ToLeader.ModeChanged(new Epoch(7), "w1", WorkerMode.STOPPED, 99),
        new ToWorker.RegistrationAccepted(new Epoch(7), "session-uuid", 123_456_789L),
        new ToWorker.RegistrationRejected(new Epoch(7), "draining"),
        new ToWorker.HeartbeatAck(new Epoch(7), 42),
        new ToWorker.NotRegistered(new Epoch(7)),
        new ToWorker.StartAttempts(new Epoch(7), List.of(new AttemptSpec(key, command), new AttemptSpec(key, handler))),
        new ToWorker.KillAttempts(new Epoch(7), List.of(key), AttemptState.CANCELLED),
        new ToWorker.AckReports(new Epoch(7), List.of(new ToWorker.Acked(key, AttemptState.RUNNING),
            new ToWorker.Acked(key, AttemptState.FAILED))),
        new ToWorker.FetchLog(new Epoch(7), key, 100, 65536, logProbe.ref()),
        new ToWorker.ForgetJobs(new Epoch(7), List.of("job-1", "job-2")),
        new ToWorker.SetMode(new Epoch(7), WorkerMode.DRAINING));
    for (Object m : messages) {
      assertEquals(m, roundTrip(m), m.getClass().getSimpleName());
    }
    // one of each concrete type was covered
    assertEquals(4, messages.stream().filter(m -> m instanceof ToLeader).map(Object::getClass).distinct().count());
    assertEquals(10, messages.stream().filter(m -> m instanceof ToWorker).map(Object::getClass).distinct().count());
    assertEquals(4, ToLeader.class.getPermittedSubclasses().length);
    assertEquals(10, ToWorker.class.getPermittedSubclasses().length);

    LogChunk chunk = new LogChunk(key, true, "hello\n".getBytes(), 6, true);
    LogChunk back = assertInstanceOf(LogChunk.class, roundTrip(chunk));
    assertEquals(chunk.key(), back.key());
    assertArrayEquals(chunk.data(), back.data());
    assertEquals(6, back.nextOffset());
    assertEquals(true, back.found() && back.eof());
    LogChunk missing = assertInstanceOf(LogChunk.class, roundTrip(new LogChunk(key, false, new byte[0], 0, true)));
    assertEquals(false, missing.found());
    leaderProbe.expectNoMessage(Duration.ZERO);
  }

  @Test
  void bytesThatDecodeToNullOrToANonMessageAreRefused() {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
    byte[] kryoNull = {0};
    assertTrue(serialization.deserialize(kryoNull, KryoSerializer.IDENTIFIER, "").isFailure(),
        "a null would reach Pekko's dead-letter listener");
    byte[] message = serialization.serialize(new ToWorker.NotRegistered(new Epoch(3))).get();
    assertTrue(serialization.deserialize(new byte[] {1, 1, 1}, KryoSerializer.IDENTIFIER, "").isFailure());
    assertEquals(new ToWorker.NotRegistered(new Epoch(3)), serialization.deserialize(message, KryoSerializer.IDENTIFIER, "").get());
  }

  @Test
  void aMessageAdapterRefSurvivesSerializationAndStillDelivers() {
    TestProbe<ToWorker> sink = KIT.createTestProbe(ToWorker.class);
    ActorRef<Object> owner = KIT.spawn(adapterOwner(sink.ref()));
    TestProbe<ActorRef<ToWorker>> refProbe = KIT.createTestProbe();
    owner.tell(new GiveAdapter(refProbe.ref()));
    ActorRef<ToWorker> adapter = refProbe.receiveMessage();
    ToLeader.RegisterWorker reg = new ToLeader.RegisterWorker(new Epoch(1),
        new WorkerInfo("w", "h", 1, 1, Map.of()), List.of(), adapter, 1);
    ToLeader.RegisterWorker back = (ToLeader.RegisterWorker) roundTrip(reg);
    assertEquals(adapter, back.worker());
    back.worker().tell(new ToWorker.HeartbeatAck(new Epoch(1), 9));
    assertEquals(new ToWorker.HeartbeatAck(new Epoch(1), 9), sink.receiveMessage());
  }
}
