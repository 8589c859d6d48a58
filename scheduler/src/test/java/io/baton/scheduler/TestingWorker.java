package io.baton.scheduler;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.ToLeader;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A worker stand-in for scheduler tests: registers with the gateway, runs handler "noop" (succeeds), "fail"
 * (exit 1), "result" (succeeds with the result {@code <unit> <sorted inputs>}), "huge-result" (succeeds with a
 * 70,000-byte result) and anything else (runs until killed) instantly, heartbeats while {@code heartbeating} is set, and
 * records what it was told. State is shared with the test through thread-safe collections.
 */
final class TestingWorker {
  final String id;
  final List<AttemptSpec> started = new CopyOnWriteArrayList<>();
  final List<AttemptKey> killed = new CopyOnWriteArrayList<>();
  final Map<AttemptKey, AttemptState> acked = new ConcurrentHashMap<>();
  /** Attempts this worker is running (reported on every registration); a test may clear it to fake a restart. */
  final Map<AttemptKey, AttemptReport> running = new ConcurrentHashMap<>();
  volatile boolean heartbeating = true;
  /** Set by a test that stopped this worker's actor. */
  volatile boolean stopped;
  /** Drops StartAttempts unread, as a process that died before reading them. */
  volatile boolean deaf;
  volatile Epoch epoch = Epoch.NONE;
  /** Heartbeats answered (acknowledged, or answered NotRegistered): the leader has seen the latest one. */
  final java.util.concurrent.atomic.AtomicInteger heartbeatsAnswered = new java.util.concurrent.atomic.AtomicInteger();

  TestingWorker(String id) {
    this.id = id;
  }

  private record Beat() {}

  /** Register again (what a real worker does when retrieval shows a new leader). */
  record Reregister() {}

  volatile ActorRef<Object> ref;
  /** The capability of the newest accepted registration, carried by heartbeats and reports. */
  volatile long token;

  Behavior<Object> behavior(ActorRef<ToLeader> gateway, double cpus, Map<String, String> labels) {
    WorkerInfo info = new WorkerInfo(id, "localhost", cpus, 4096, labels);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<ToWorker> self = ctx.getSelf().narrow();
      gateway.tell(new ToLeader.RegisterWorker(Epoch.NONE, info, List.of(), self, 0));
      timers.startTimerWithFixedDelay(new Beat(), Duration.ofMillis(100));
      return Behaviors.receive(Object.class)
          .onMessage(Beat.class, b -> {
            if (heartbeating && epoch.compareTo(Epoch.NONE) > 0) {
              gateway.tell(new ToLeader.Heartbeat(epoch, id, 0, self, 0, token));
            }
            return Behaviors.same();
          })
          .onMessage(Reregister.class, x -> {
            gateway.tell(new ToLeader.RegisterWorker(Epoch.NONE, info, List.copyOf(running.values()), self, 0));
            return Behaviors.same();
          })
          .onMessage(ToWorker.RegistrationAccepted.class, a -> {
            epoch = a.epoch();
            token = a.token();
            return Behaviors.same();
          })
          .onMessage(ToWorker.HeartbeatAck.class, a -> {
            heartbeatsAnswered.incrementAndGet();
            return Behaviors.same();
          })
          .onMessage(ToWorker.NotRegistered.class, n -> {
            heartbeatsAnswered.incrementAndGet();
            gateway.tell(new ToLeader.RegisterWorker(n.epoch(), info, List.copyOf(running.values()), self, 0));
            return Behaviors.same();
          })
          .onMessage(ToWorker.StartAttempts.class, s -> {
            if (deaf) {
              return Behaviors.same();
            }
            List<AttemptReport> reports = new ArrayList<>();
            for (AttemptSpec a : s.attempts()) {
              started.add(a);
              Instant now = Instant.now();
              AttemptReport runningReport = new AttemptReport(a.key(), AttemptState.RUNNING, null, now, null, null);
              reports.add(runningReport);
              String handler = a.task().handler();
              if (!"noop".equals(handler) && !"fail".equals(handler) && !(handler != null && handler.endsWith("result"))) {
                running.put(a.key(), runningReport);
              }
              if ("result".equals(handler)) {
                reports.add(new AttemptReport(a.key(), AttemptState.SUCCEEDED, 0, now, now, null,
                    a.key().taskId() + " " + new java.util.TreeMap<>(a.inputs())));
              } else if ("huge-result".equals(handler)) {
                reports.add(new AttemptReport(a.key(), AttemptState.SUCCEEDED, 0, now, now, null, "x".repeat(70_000)));
              } else if ("noop".equals(handler)) {
                reports.add(new AttemptReport(a.key(), AttemptState.SUCCEEDED, 0, now, now, null));
              } else if ("fail".equals(handler)) {
                reports.add(new AttemptReport(a.key(), AttemptState.FAILED, 1, now, now, "failed on purpose"));
              }
            }
            gateway.tell(new ToLeader.Reports(s.epoch(), id, reports, token));
            return Behaviors.same();
          })
          .onMessage(ToWorker.KillAttempts.class, k -> {
            killed.addAll(k.keys());
            k.keys().forEach(running::remove);
            Instant now = Instant.now();
            gateway.tell(new ToLeader.Reports(k.epoch(), id, k.keys().stream()
                .map(key -> new AttemptReport(key, k.reason(), null, null, now, "killed")).toList(), token));
            return Behaviors.same();
          })
          .onMessage(ToWorker.AckReports.class, a -> {
            a.acked().forEach(x -> acked.merge(x.key(), x.state(), (old, neu) -> neu.isTerminal() ? neu : old));
            return Behaviors.same();
          })
          .onAnyMessage(m -> Behaviors.same())
          .build();
    }));
  }
}
