package io.baton.app;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.TaskSpec;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.LogChunk;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import io.baton.wire.WorkerMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Round-trips one of every wire message through the process's serializer at start-up. It fails fast if the
 * serialization config is broken, and it takes class loading and serializer set-up off the first real message:
 * a standby that becomes leader answers its first worker registrations without that delay.
 */
final class WireWarmup {
  private WireWarmup() {}

  @SuppressWarnings("unchecked")
  static void run(ActorSystem<?> system) {
    ActorRef<Object> nobody = (ActorRef<Object>) (ActorRef<?>) system.deadLetters();
    ActorRef<ToWorker> worker = nobody.narrow();
    AttemptKey key = new AttemptKey("warmup", "t", 1);
    Instant now = Instant.now();
    AttemptReport report = new AttemptReport(key, AttemptState.SUCCEEDED, 0, now, now, "warm-up");
    WorkerInfo info = new WorkerInfo("warmup", "localhost", 1, 1, Map.of("k", "v"));
    TaskSpec task = TaskSpec.handler("t", "noop", null, List.of());
    List<Object> messages = List.of(
        new ToLeader.RegisterWorker(new Epoch(1), info, List.of(report), worker, 0),
        new ToLeader.Heartbeat(new Epoch(1), "warmup", 0, worker, 0),
        new ToLeader.Reports(new Epoch(1), "warmup", List.of(report)),
        new ToLeader.ModeChanged(new Epoch(1), "warmup", WorkerMode.STOPPING, 0),
        new ToWorker.RegistrationAccepted(new Epoch(1), "warmup", 0),
        new ToWorker.HeartbeatAck(new Epoch(1), 0),
        new ToWorker.NotRegistered(new Epoch(1)),
        new ToWorker.StartAttempts(new Epoch(1), List.of(new AttemptSpec(key, task))),
        new ToWorker.KillAttempts(new Epoch(1), List.of(key), AttemptState.CANCELLED),
        new ToWorker.AckReports(new Epoch(1), List.of(new ToWorker.Acked(key, AttemptState.SUCCEEDED))),
        new ToWorker.FetchLog(new Epoch(1), key, 0, 1, nobody.narrow()),
        new ToWorker.SetMode(new Epoch(1), WorkerMode.DRAINING),
        new LogChunk(key, true, new byte[] {1}, 1, true));
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    for (Object m : messages) {
      byte[] bytes = serialization.serialize(m).get();
      Object back = serialization.deserialize(bytes, serialization.findSerializerFor(m).identifier(), "").get();
      if (!back.getClass().equals(m.getClass())) {
        throw new IllegalStateException("wire message " + m.getClass().getSimpleName() + " does not round-trip");
      }
    }
  }
}
