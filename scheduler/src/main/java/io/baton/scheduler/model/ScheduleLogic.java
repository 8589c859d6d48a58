package io.baton.scheduler.model;

import io.baton.protocol.schedule.CronTimes;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a schedule fires, as pure functions of its {@link ScheduleState} and {@code now}. Fire times come from
 * {@link CronTimes} (with its DST rule). The rules:
 * <ul>
 *   <li><b>Window.</b> A schedule fires at each cron time after {@code lastFire}, at or after the latest of
 *       {@code createdAt}, {@code startAt} and the last resume, at or before {@code now}, and never after
 *       {@code endAt}. While paused nothing fires; a resume means "from now on": fires missed while paused (and
 *       fires due but not yet fired when it was paused) are not caught up.</li>
 *   <li><b>Late, not missed.</b> A due fire less than {@code misfireThreshold} old is late and always fires: a
 *       failover of a few seconds must not skip anything.</li>
 *   <li><b>Misfires.</b> Due fires at least {@code misfireThreshold} old are misfires and follow the spec's policy:
 *       {@code skip} drops them, {@code fire-once} fires only the newest of them, {@code fire-all} fires them all,
 *       oldest first, but at most {@code fireAllCap}: then only the newest {@code fireAllCap} of them. Dropped
 *       misfires are not recorded; asked again (after a failover, say) they are dropped again, being older
 *       still, so the outcome does not depend on how often {@link #due} is called.</li>
 *   <li><b>Identity.</b> A fire is (schedule, scheduled instant); its id {@code <name>@<ISO-8601 instant>} is the
 *       idempotency key of the job it submits, so recording it twice creates one job.</li>
 * </ul>
 * Cost: a call on time takes two cron steps (the fire and the next wake-up; a step is about 15 to 70 us with
 * cron-utils 9.2.1). The misfire search looks back from {@code now} in windows growing from a minute, so a
 * schedule that missed a year of every-second fires costs a few hundred steps, not millions.
 */
public final class ScheduleLogic {
  private static final Duration FIRST_LOOK_BACK = Duration.ofMinutes(1);

  private ScheduleLogic() {}

  /** One fire: the cron time it stands for and its id, {@code <name>@<scheduledAt>}. */
  public record Fire(Instant scheduledAt, String id) {
    public static Fire of(String scheduleName, Instant scheduledAt) {
      return new Fire(scheduledAt, scheduleName + "@" + scheduledAt);
    }
  }

  /**
   * What {@link #due} decided: the fires to submit now, oldest first; the newest due fire that was a misfire
   * (fired or dropped by the policy), to tell the owner; and when to ask again (empty: never, until the schedule is
   * resumed or changed).
   */
  public record Due(List<Fire> fires, Optional<Instant> newestMisfire, Optional<Instant> wakeAt) {
    public Due {
      fires = List.copyOf(fires);
    }

    static final Due NOTHING = new Due(List.of(), Optional.empty(), Optional.empty());
  }

  /** What to do with a fire while the job of the previous fire may still run. */
  public enum OverlapDecision {
    /** Submit the fire's job. */
    FIRE,
    /** Drop the fire (record it as skipped, so that it is not silently missed). */
    SKIP,
    /** Keep the fire waiting; submit it when the previous job ends. */
    QUEUE,
    /** Cancel the previous job, then submit the fire's job. */
    CANCEL_PREVIOUS_THEN_FIRE
  }

  /** The fires due at {@code now} and the next instant to wake up at; see the class comment for the rules. */
  public static Due due(ScheduleState state, Instant now, Duration misfireThreshold, int fireAllCap) {
    return due(state, CronTimes.of(state.spec()), now, misfireThreshold, fireAllCap);
  }

  /**
   * {@link #due(ScheduleState, Instant, Duration, int)} with the spec's cron already parsed into {@code times}
   * (the owner parses it once, when it loads or creates the schedule, not when it fires).
   */
  public static Due due(ScheduleState state, CronTimes times, Instant now, Duration misfireThreshold, int fireAllCap) {
    return due(state, times, now, Duration.ZERO, misfireThreshold, fireAllCap);
  }

  /**
   * {@link #due(ScheduleState, CronTimes, Instant, Duration, int)} looking {@code ahead} past {@code now}: fires up
   * to {@code now + ahead} are due too (to be submitted ahead of their instant, to wait for it), and the owner wakes
   * {@code ahead} before {@code wakeAt}. Misfires are still counted from {@code now}.
   */
  public static Due due(ScheduleState state, CronTimes times, Instant now, Duration ahead, Duration misfireThreshold,
      int fireAllCap) {
    if (state.paused()) {
      return Due.NOTHING;
    }
    ScheduleSpec spec = state.spec();
    Instant after = lowerBound(state);
    Instant horizon = now.plus(ahead);
    Instant until = spec.endAt() != null && spec.endAt().isBefore(horizon) ? spec.endAt() : horizon;
    Instant misfireLimit = now.minus(misfireThreshold); // fires at or before it are misfires

    Optional<Instant> next = times.nextAfter(after);
    List<Instant> misfires = List.of();
    if (next.isPresent() && !next.get().isAfter(min(until, misfireLimit))) {
      misfires = newest(times, after, min(until, misfireLimit),
          switch (spec.misfire()) {
            case SKIP, FIRE_ONCE -> 1;
            case FIRE_ALL -> Math.max(1, fireAllCap);
          });
      next = times.nextAfter(max(after, misfireLimit));
    }
    Optional<Instant> newestMisfire = misfires.isEmpty() ? Optional.empty() : Optional.of(misfires.get(misfires.size() - 1));
    List<Fire> fires = new ArrayList<>();
    switch (spec.misfire()) {
      case SKIP -> { }
      case FIRE_ONCE -> newestMisfire.ifPresent(i -> fires.add(Fire.of(spec.name(), i)));
      case FIRE_ALL -> misfires.subList(Math.max(0, misfires.size() - fireAllCap), misfires.size())
          .forEach(i -> fires.add(Fire.of(spec.name(), i)));
    }
    while (next.isPresent() && !next.get().isAfter(until)) {
      fires.add(Fire.of(spec.name(), next.get()));
      next = times.nextAfter(next.get());
    }
    Optional<Instant> wakeAt = next.filter(i -> spec.endAt() == null || !i.isAfter(spec.endAt()));
    return new Due(fires, newestMisfire, wakeAt);
  }

  /**
   * What a fire does under {@code policy} when the previous fire's job {@code previousRunning} and, for
   * {@link Overlap#QUEUE}, whether a fire is {@code alreadyQueued}. QUEUE means: at most one fire waits for the
   * previous job to end; a fire that comes while one already waits is skipped.
   */
  public static OverlapDecision overlap(Overlap policy, boolean previousRunning, boolean alreadyQueued) {
    if (!previousRunning) {
      return OverlapDecision.FIRE;
    }
    return switch (policy) {
      case ALLOW -> OverlapDecision.FIRE;
      case SKIP -> OverlapDecision.SKIP;
      case QUEUE -> alreadyQueued ? OverlapDecision.SKIP : OverlapDecision.QUEUE;
      case CANCEL_PREVIOUS -> OverlapDecision.CANCEL_PREVIOUS_THEN_FIRE;
    };
  }

  /** {@link #overlap(Overlap, boolean, boolean)} with no fire waiting. */
  public static OverlapDecision overlap(Overlap policy, boolean previousRunning) {
    return overlap(policy, previousRunning, false);
  }

  /**
   * Up to {@code n} fire times after {@code from} that the schedule will have, in the window rules of
   * {@link #due} (so never before its floor or after {@code endAt}); none while paused.
   */
  public static List<Instant> nextFires(ScheduleState state, Instant from, int n) {
    return nextFires(state, CronTimes.of(state.spec()), from, n);
  }

  /** {@link #nextFires(ScheduleState, Instant, int)} with the spec's cron already parsed into {@code times}. */
  public static List<Instant> nextFires(ScheduleState state, CronTimes times, Instant from, int n) {
    List<Instant> out = new ArrayList<>();
    if (state.paused()) {
      return out;
    }
    Instant endAt = state.spec().endAt();
    Optional<Instant> next = times.nextAfter(max(from, lowerBound(state)));
    while (out.size() < n && next.isPresent() && (endAt == null || !next.get().isAfter(endAt))) {
      out.add(next.get());
      next = times.nextAfter(next.get());
    }
    return out;
  }

  /** Fires are strictly after this instant: {@code lastFire}, or just before the floor (which may fire). */
  private static Instant lowerBound(ScheduleState state) {
    Instant beforeFloor = state.floor().minusNanos(1);
    return state.lastFire() == null ? beforeFloor : max(state.lastFire(), beforeFloor);
  }

  /**
   * The newest {@code k} fire times in {@code (after, until]}, oldest first: looks back from {@code until} in
   * windows four times longer each time until it has {@code k} of them or reaches {@code after}.
   */
  static List<Instant> newest(CronTimes times, Instant after, Instant until, int k) {
    if (!until.isAfter(after)) {
      return List.of();
    }
    Duration span = Duration.between(after, until);
    Duration window = FIRST_LOOK_BACK;
    while (true) {
      boolean whole = window.compareTo(span) >= 0;
      Instant start = whole ? after : until.minus(window);
      List<Instant> found = new ArrayList<>();
      Optional<Instant> next = times.nextAfter(start);
      while (next.isPresent() && !next.get().isAfter(until)) {
        found.add(next.get());
        next = times.nextAfter(next.get());
      }
      if (found.size() >= k || whole) {
        return found.subList(Math.max(0, found.size() - k), found.size());
      }
      window = window.multipliedBy(4);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
