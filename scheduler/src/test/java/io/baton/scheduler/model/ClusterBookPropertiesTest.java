package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.model.ClusterBook.Decision;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The book's safety rules under random sequences of events: workers registering (again, or as a new process),
 * heartbeating or falling silent, reporting; an owner requesting, launching, cancelling and acknowledging;
 * time passing. After every event: no worker holds more than its capacity, no task has two live attempts, and
 * an attempt is declared LOST only after its worker was silent for the heartbeat timeout or proven never started.
 */
class ClusterBookPropertiesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(6);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Epoch EPOCH = new Epoch(5);
  private static final List<String> WORKERS = List.of("w0", "w1", "w2");

  @Property(tries = 300)
  void theSafetyRulesHoldForAnySequenceOfEvents(
      @ForAll @IntRange(min = 1, max = 300) int steps, @ForAll boolean afterFailover, @ForAll long seed) {
    new Simulation(new Random(seed), afterFailover).run(steps);
  }

  private static final class Simulation {
    final Random random;
    final ClusterBook book = new ClusterBook(EPOCH, TIMEOUT, T0);
    Instant now = T0;
    final Map<String, WorkerInfo> infos = new HashMap<>();
    final Map<String, Integer> incarnation = new HashMap<>();
    /** When the book last heard from each worker (the session's start for one it has not heard from). */
    final Map<String, Instant> lastContact = new HashMap<>();
    final Set<String> silent = new HashSet<>();
    /** What each worker was asked to run and has not reported finished. */
    final Map<String, Set<AttemptKey>> running = new HashMap<>();
    final Set<AttemptKey> killed = new HashSet<>();
    /** The owner's side: attempts placed (or tracked) and not yet reported terminal, their specs, cancelled tasks. */
    final Set<AttemptKey> live = new HashSet<>();
    final Map<AttemptKey, String> placedOn = new HashMap<>();
    final Map<String, Integer> nextAttempt = new HashMap<>();
    final Set<String> cancelledTasks = new HashSet<>();
    final Set<AttemptKey> ended = new HashSet<>();
    final Map<String, AttemptSpec> specs = new HashMap<>();

    Simulation(Random random, boolean afterFailover) {
      this.random = random;
      for (String id : WORKERS) {
        infos.put(id, new WorkerInfo(id, "h", 1 + random.nextInt(4), 500L * (1 + random.nextInt(4)),
            Map.of("zone", random.nextBoolean() ? "a" : "b")));
        incarnation.put(id, 1);
        lastContact.put(id, T0);
        running.put(id, new HashSet<>());
      }
      if (afterFailover) {
        // the store says these ran before the failover: within each worker's capacity, as the old leader placed them
        List<ClusterBook.Tracked> tracked = new ArrayList<>();
        for (String id : WORKERS) {
          long cpu = infos.get(id).milliCpus();
          long memory = infos.get(id).memoryMb();
          for (int i = 0; cpu >= 500 && memory >= 100 && random.nextBoolean(); i++, cpu -= 500, memory -= 100) {
            AttemptKey key = new AttemptKey("j" + random.nextInt(3), "old-" + id + "-" + i, 1);
            tracked.add(new ClusterBook.Tracked(key, id, 500, 100));
            running.get(id).add(key);
            live.add(key);
            placedOn.put(key, id);
            nextAttempt.put(task(key), 2);
            specs.put(task(key), ClusterBookTest.spec(key.jobId(), key.taskId(), 1, 0.5, 100, Map.of()));
          }
        }
        step(new ClusterBook.Track(tracked));
      }
    }

    void run(int steps) {
      for (int i = 0; i < steps; i++) {
        now = now.plusMillis(random.nextInt(2500));
        step(nextEvent());
      }
    }

    ClusterBook.Event nextEvent() {
      String w = WORKERS.get(random.nextInt(WORKERS.size()));
      switch (random.nextInt(9)) {
        case 0: {
          boolean restart = random.nextInt(4) == 0;
          if (restart) {
            incarnation.merge(w, 1, Integer::sum);
            running.get(w).clear();
          }
          silent.remove(w);
          List<AttemptReport> reports = running.get(w).stream()
              .map(k -> new AttemptReport(k, AttemptState.RUNNING, null, T0, null, null)).toList();
          // a restarted worker proves its id with its certificate (an unproven one waits until the old is DEAD)
          return new ClusterBook.Register(Epoch.NONE, infos.get(w), reports, w + "#" + incarnation.get(w), 0,
              ClusterBook.IdProof.CERTIFIED);
        }
        case 1:
          return silent.contains(w) ? new ClusterBook.Tick() : new ClusterBook.Heartbeat(EPOCH, w, 0);
        case 2: {
          List<AttemptReport> reports = new ArrayList<>();
          for (AttemptKey k : new ArrayList<>(running.get(w))) {
            if (killed.contains(k) || random.nextInt(3) == 0) {
              AttemptState end = killed.contains(k) ? AttemptState.CANCELLED
                  : random.nextBoolean() ? AttemptState.SUCCEEDED : AttemptState.FAILED;
              reports.add(new AttemptReport(k, end, 0, T0, T0, null));
              running.get(w).remove(k);
            }
          }
          return silent.contains(w) ? new ClusterBook.Tick() : new ClusterBook.Reports(EPOCH, w, reports);
        }
        case 3:
          return request();
        case 4:
          return new ClusterBook.Launch(someOf(placedOn.keySet()));
        case 5: {
          List<AttemptKey> keys = someOf(specs.values().stream().map(AttemptSpec::key).toList());
          keys.forEach(k -> cancelledTasks.add(task(k)));
          return new ClusterBook.Cancel(keys);
        }
        case 6:
          return new ClusterBook.Ack(w, new AttemptKey("j0", "t0", 1), AttemptState.SUCCEEDED);
        case 7:
          silent.add(w);
          return new ClusterBook.Tick();
        default:
          return new ClusterBook.Tick();
      }
    }

    /** The owner asks for the next attempt of a task whose last one ended (or again for one not yet ended). */
    ClusterBook.Event request() {
      List<AttemptSpec> asked = new ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(3); i++) {
        String job = "j" + random.nextInt(3);
        String taskId = "t" + random.nextInt(4);
        String task = job + "/" + taskId;
        AttemptSpec current = specs.get(task);
        if (cancelledTasks.contains(task)) {
          continue;
        }
        if (current != null && !ended.contains(current.key())) {
          if (random.nextInt(4) == 0) {
            asked.add(current);   // asked again while waiting or placed: must not be placed twice
          }
          continue;
        }
        int attempt = nextAttempt.getOrDefault(task, 1);
        nextAttempt.put(task, attempt + 1);
        AttemptSpec spec = ClusterBookTest.spec(job, taskId, attempt, 0.5 * (1 + random.nextInt(4)),
            100L * (1 + random.nextInt(6)), random.nextInt(3) == 0 ? Map.of("zone", "a") : Map.of());
        specs.put(task, spec);
        asked.add(spec);
      }
      return new ClusterBook.RequestAttempts(asked);
    }

    void step(ClusterBook.Event event) {
      List<Decision> decisions = book.apply(event, now);
      if (decisions.stream().noneMatch(d -> d instanceof ClusterBook.NotRegistered)) {
        // a message from an unregistered worker is no sign of life to the book
        if (event instanceof ClusterBook.Register r) {
          lastContact.put(r.info().workerId(), now);
        } else if (event instanceof ClusterBook.Heartbeat h) {
          lastContact.put(h.workerId(), now);
        } else if (event instanceof ClusterBook.Reports r) {
          lastContact.put(r.workerId(), now);
        }
      }
      for (Decision d : decisions) {
        if (d instanceof ClusterBook.Place p) {
          for (ClusterBook.Placed placed : p.placements()) {
            assertFalse(live.contains(placed.key()), "placed twice: " + placed.key());
            assertTrue(live.stream().noneMatch(k -> task(k).equals(task(placed.key()))),
                "a second live attempt of " + task(placed.key()));
            live.add(placed.key());
            placedOn.put(placed.key(), placed.workerId());
          }
        } else if (d instanceof ClusterBook.StartAttempts s) {
          s.specs().forEach(spec -> {
            assertTrue(live.contains(spec.key()), "started but not placed: " + spec.key());
            running.get(s.workerId()).add(spec.key());
          });
        } else if (d instanceof ClusterBook.Kill k) {
          killed.addAll(k.keys());
        } else if (d instanceof ClusterBook.RouteReport r && r.report().state().isTerminal()) {
          AttemptKey key = r.report().key();
          if (r.report().state() == AttemptState.LOST) {
            assertLostFairly(event, r);
          }
          live.remove(key);
          placedOn.remove(key);
          ended.add(key);
        }
      }
      for (WorkerView v : book.workers()) {
        WorkerInfo info = infos.get(v.id());
        assertTrue(Math.round(v.cpusUsed() * 1000) <= info.milliCpus(), "cpu over-committed on " + v);
        assertTrue(v.memoryMbUsed() <= info.memoryMb(), "memory over-committed on " + v);
      }
    }

    void assertLostFairly(ClusterBook.Event event, ClusterBook.RouteReport r) {
      if (r.provenNotStarted()) {
        assertTrue(event instanceof ClusterBook.Register || event instanceof ClusterBook.Track,
            "proven never started only when its worker registered: " + event);
        return;
      }
      Duration silence = Duration.between(lastContact.get(r.workerId()), now);
      assertTrue(silence.compareTo(TIMEOUT) >= 0,
          r.report().key() + " LOST after " + r.workerId() + " was silent only " + silence);
    }

    <T> List<T> someOf(java.util.Collection<T> all) {
      List<T> out = new ArrayList<>();
      for (T t : all) {
        if (random.nextBoolean()) {
          out.add(t);
        }
      }
      return out;
    }

    static String task(AttemptKey key) {
      return key.jobId() + "/" + key.taskId();
    }
  }
}
