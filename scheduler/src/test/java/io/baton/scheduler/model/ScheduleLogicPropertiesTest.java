package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.CronTimes;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.model.ScheduleLogic.Due;
import io.baton.scheduler.model.ScheduleLogic.Fire;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * For random crons, zones (started near their DST transitions), policies, and random runs of "time passes",
 * "the leader fails over (possibly after recording only some of a tick's fires; the new one has only the
 * durable state)", "pause" and "resume": every fire is one of cron's own times in unpaused time, no instant fires
 * twice, none is missed while the leader served within the misfire threshold, each policy fires only the misfires
 * it allows, and with fire-all (no cap reached) the fires are exactly cron's sequence over the unpaused time.
 */
class ScheduleLogicPropertiesTest {
  private static final JobSpec JOB = new JobSpec("j", Map.of(), List.of(TaskSpec.command("a", List.of("/bin/true"), List.of())));
  private static final String[] ZONES = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"};
  /** Instants near which the zones above change their clocks in 2026. */
  private static final Instant[] TRANSITIONS = Stream.of(
      "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z", "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z",
      "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z").map(Instant::parse).toArray(Instant[]::new);
  private static final int BIG_CAP = 1_000_000;

  private record Segment(Instant start, List<Tick> ticks) {}

  private record Tick(Instant at, boolean complete) {}

  @Property(tries = 200)
  void firesFollowCronExactlyOnceThroughFailoversAndPauses(@ForAll long seed) {
    Random r = new Random(seed);
    String cron;
    CronSyntax syntax = CronSyntax.UNIX;
    Duration period;
    switch (r.nextInt(3)) {
      case 0 -> {
        int k = new int[] {1, 2, 5, 7, 10, 15, 30}[r.nextInt(7)];
        cron = "*/" + k + " * * * *";
        period = Duration.ofMinutes(k);
      }
      case 1 -> {
        int hour = r.nextBoolean() ? 1 + r.nextInt(3) : r.nextInt(24);
        cron = r.nextInt(60) + " " + hour + " * * *";
        period = Duration.ofDays(1);
      }
      default -> {
        int s = new int[] {5, 10, 15, 20, 30}[r.nextInt(5)];
        cron = "*/" + s + " * * * * ?";
        syntax = CronSyntax.QUARTZ;
        period = Duration.ofSeconds(s);
      }
    }
    Misfire policy = Misfire.values()[r.nextInt(3)];
    int cap = policy == Misfire.FIRE_ALL && r.nextBoolean() ? BIG_CAP : 1 + r.nextInt(4);
    Duration threshold = Duration.ofMillis(Math.max(1000, (long) (period.toMillis() * new double[] {0.5, 1.5, 4}[r.nextInt(3)])));
    String zone = ZONES[r.nextInt(ZONES.length)];
    ScheduleSpec spec = new ScheduleSpec("p", cron, syntax, zone, null, null, policy, Overlap.ALLOW, JOB);
    CronTimes times = CronTimes.of(spec);
    Instant start = TRANSITIONS[r.nextInt(TRANSITIONS.length)]
        .minusMillis((long) (r.nextDouble() * 20 * period.toMillis())).plusMillis(r.nextInt(1000));
    String context = cron + " in " + zone + ", " + policy + " cap " + cap + ", threshold " + threshold + ", from " + start;

    ScheduleState state = ScheduleState.created(spec, start);
    Instant now = start;
    List<Segment> segments = new ArrayList<>(List.of(new Segment(start, new ArrayList<>())));
    Map<Instant, Instant> firedAtTick = new TreeMap<>();
    Instant newestFired = null;
    int steps = 20 + r.nextInt(40);
    for (int step = 0; step < steps; step++) {
      int kind = r.nextInt(10);
      if (kind < 6) { // time passes; the leader looks
        now = now.plusMillis((long) (r.nextDouble() * 3 * period.toMillis()));
      } else if (kind < 8) { // the leader fails: maybe mid-tick, then no leader for a while
        if (!state.paused() && r.nextBoolean()) {
          now = now.plusMillis((long) (r.nextDouble() * period.toMillis()));
          state = tick(state, now, threshold, cap, r, false, firedAtTick, segments, context);
        }
        now = now.plusMillis((long) (r.nextDouble() * 10 * period.toMillis()));
        state = new ScheduleState(state.spec(), state.paused(), state.lastFire(), state.createdAt(), state.resumedAt());
      } else if (kind == 8) {
        state = state.pause();
        continue;
      } else {
        if (state.paused()) {
          now = now.plusMillis((long) (r.nextDouble() * 5 * period.toMillis()));
          state = state.resume(now);
          segments.add(new Segment(now, new ArrayList<>()));
        }
        continue;
      }
      if (!state.paused()) {
        state = tick(state, now, threshold, cap, r, true, firedAtTick, segments, context);
      }
    }

    // cron's own sequence over the run
    List<Instant> cronTimes = new ArrayList<>();
    for (Optional<Instant> next = times.nextAfter(start.minusNanos(1)); next.isPresent() && !next.get().isAfter(now);
        next = times.nextAfter(next.get())) {
      cronTimes.add(next.get());
    }
    for (var e : firedAtTick.entrySet()) {
      assertTrue(cronTimes.contains(e.getKey()), context + ": fired " + e.getKey() + ", not a cron time");
      assertTrue(!e.getKey().isAfter(e.getValue()), context + ": fired " + e.getKey() + " early, at " + e.getValue());
      Segment seg = segmentOf(segments, e.getValue());
      assertTrue(!e.getKey().isBefore(seg.start()), context + ": fired " + e.getKey() + " from before its resume/creation " + seg.start());
    }
    for (int i = 0; i < segments.size(); i++) {
      Segment seg = segments.get(i);
      Instant end = i + 1 < segments.size() ? segments.get(i + 1).start() : Instant.MAX;
      for (Instant f : cronTimes) {
        if (f.isBefore(seg.start()) || !f.isBefore(end)) {
          continue;
        }
        boolean servedInTime = seg.ticks().stream().anyMatch(t -> t.complete() && !t.at().isBefore(f)
            && Duration.between(f, t.at()).compareTo(threshold) < 0);
        if (servedInTime) {
          assertTrue(firedAtTick.containsKey(f), context + ": " + f + " missed although a leader looked in time");
        }
        boolean servedAtAll = seg.ticks().stream().anyMatch(t -> t.complete() && !t.at().isBefore(f));
        if (policy == Misfire.FIRE_ALL && cap == BIG_CAP) {
          assertEquals(servedAtAll, firedAtTick.containsKey(f), context + ": fire-all and cron's sequence differ at " + f);
        }
      }
    }
  }

  /** One look of a leader at {@code now}: it records all the fires ({@code complete}) or only the oldest few. */
  private static ScheduleState tick(ScheduleState state, Instant now, Duration threshold, int cap, Random r,
      boolean complete, Map<Instant, Instant> firedAtTick, List<Segment> segments, String context) {
    Due due = ScheduleLogic.due(state, now, threshold, cap);
    int misfires = 0;
    Instant previous = state.lastFire();
    for (Fire f : due.fires()) {
      assertTrue(previous == null || f.scheduledAt().isAfter(previous), context + ": fires out of order or again at " + f);
      assertEquals("p@" + f.scheduledAt(), f.id());
      previous = f.scheduledAt();
      if (Duration.between(f.scheduledAt(), now).compareTo(threshold) >= 0) {
        misfires++;
      }
    }
    int allowed = switch (state.spec().misfire()) {
      case SKIP -> 0;
      case FIRE_ONCE -> 1;
      case FIRE_ALL -> cap;
    };
    assertTrue(misfires <= allowed, context + ": " + misfires + " misfires fired at " + now + " under " + state.spec().misfire());
    due.wakeAt().ifPresent(w -> assertTrue(w.isAfter(now), context + ": wake-up " + w + " not after " + now));
    int recorded = complete ? due.fires().size() : r.nextInt(due.fires().size() + 1);
    for (Fire f : due.fires().subList(0, recorded)) {
      assertNull(firedAtTick.put(f.scheduledAt(), now), context + ": " + f.id() + " fired twice");
      state = state.recorded(f.scheduledAt());
    }
    segments.get(segments.size() - 1).ticks().add(new Tick(now, complete));
    return state;
  }

  private static Segment segmentOf(List<Segment> segments, Instant at) {
    Segment found = segments.get(0);
    for (Segment s : segments) {
      if (!s.start().isAfter(at)) {
        found = s;
      }
    }
    return found;
  }
}
