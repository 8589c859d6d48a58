package io.baton.scheduler.model;

import static io.baton.scheduler.model.ScheduleLogic.OverlapDecision.CANCEL_PREVIOUS_THEN_FIRE;
import static io.baton.scheduler.model.ScheduleLogic.OverlapDecision.FIRE;
import static io.baton.scheduler.model.ScheduleLogic.OverlapDecision.QUEUE;
import static io.baton.scheduler.model.ScheduleLogic.OverlapDecision.SKIP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.schedule.CronSyntax;
import io.baton.protocol.schedule.CronTimes;
import io.baton.protocol.schedule.Misfire;
import io.baton.protocol.schedule.Overlap;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.model.ScheduleLogic.Due;
import io.baton.scheduler.model.ScheduleLogic.Fire;
import io.baton.scheduler.model.ScheduleLogic.OverlapDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleLogicTest {
  private static final JobSpec JOB = new JobSpec("j", Map.of(), List.of(TaskSpec.command("a", List.of("/bin/true"), List.of())));
  private static final ScheduleSpec EVERY_MINUTE = ScheduleSpec.of("s", "* * * * *", JOB);
  private static final Duration THRESHOLD = Duration.ofSeconds(60);
  private static final int CAP = 3;

  private static Instant t(String hhmmss) {
    return Instant.parse("2026-01-01T" + hhmmss + "Z");
  }

  private static List<Instant> times(String... hhmmss) {
    return Stream.of(hhmmss).map(ScheduleLogicTest::t).toList();
  }

  private static ScheduleState firedAt(ScheduleSpec spec, String lastFire) {
    return ScheduleState.created(spec, t("09:00:00")).recorded(t(lastFire));
  }

  private static List<Instant> scheduled(Due due) {
    return due.fires().stream().map(Fire::scheduledAt).toList();
  }

  @Test
  void aNewScheduleFiresFromItsCreationOnAndSaysWhenToWakeUp() {
    ScheduleState s = ScheduleState.created(EVERY_MINUTE, t("10:00:30"));
    Due early = ScheduleLogic.due(s, t("10:00:50"), THRESHOLD, CAP);
    assertEquals(List.of(), early.fires());
    assertEquals(Optional.of(t("10:01:00")), early.wakeAt());
    Due due = ScheduleLogic.due(s, t("10:01:00"), THRESHOLD, CAP);
    assertEquals(List.of(new Fire(t("10:01:00"), "s@2026-01-01T10:01:00Z")), due.fires());
    assertEquals(Optional.of(t("10:02:00")), due.wakeAt());
    assertEquals(Optional.empty(), due.newestMisfire());
  }

  @Test
  void lookingAheadMakesTheNextFiresDueEarlyButCountsMisfiresFromNow() {
    ScheduleState s = ScheduleState.created(EVERY_MINUTE, t("10:00:30"));
    Duration ahead = Duration.ofSeconds(5);
    Due early = ScheduleLogic.due(s, CronTimes.of(s.spec()), t("10:00:54.999"), ahead, THRESHOLD, CAP);
    assertEquals(List.of(), early.fires());
    assertEquals(Optional.of(t("10:01:00")), early.wakeAt(), "the owner wakes 'ahead' before it");
    Due due = ScheduleLogic.due(s, CronTimes.of(s.spec()), t("10:00:55"), ahead, THRESHOLD, CAP);
    assertEquals(times("10:01:00"), scheduled(due));
    assertEquals(Optional.of(t("10:02:00")), due.wakeAt());
    // a fire 70 s old is still a misfire (threshold 60 s) however far ahead the owner looks
    Due late = ScheduleLogic.due(firedAt(EVERY_MINUTE.withMisfire(Misfire.SKIP), "10:01:00"), CronTimes.of(EVERY_MINUTE),
        t("10:03:10"), ahead, THRESHOLD, CAP);
    assertEquals(Optional.of(t("10:02:00")), late.newestMisfire());
    assertEquals(times("10:03:00"), scheduled(late));
    // never past endAt
    ScheduleState ending = ScheduleState.created(EVERY_MINUTE.withBounds(null, t("10:01:00")), t("10:00:30"));
    assertEquals(times("10:01:00"), scheduled(ScheduleLogic.due(ending, CronTimes.of(ending.spec()), t("10:00:59"),
        Duration.ofMinutes(1), THRESHOLD, CAP)));
  }

  private static CronTimes ScheduleLogic_times(ScheduleState s) {
    return CronTimes.of(s.spec());
  }

  @Test
  void aCreationAtAFireTimeIncludesIt() {
    ScheduleState s = ScheduleState.created(EVERY_MINUTE, t("10:00:00"));
    assertEquals(times("10:00:00"), scheduled(ScheduleLogic.due(s, t("10:00:00.300"), THRESHOLD, CAP)));
  }

  @Test
  void recordedFiresDoNotFireAgain() {
    ScheduleState s = firedAt(EVERY_MINUTE, "10:01:00");
    assertEquals(List.of(), ScheduleLogic.due(s, t("10:01:30"), THRESHOLD, CAP).fires());
    assertEquals(s, s.recorded(t("10:00:00")), "lastFire only moves forward");
  }

  @Test
  void aFireYoungerThanTheThresholdIsLateAndFires() {
    // a failover of 40 s: 10:02 is 40 s old at 10:02:40
    Due due = ScheduleLogic.due(firedAt(EVERY_MINUTE.withMisfire(Misfire.SKIP), "10:01:00"), t("10:02:40"), THRESHOLD, CAP);
    assertEquals(times("10:02:00"), scheduled(due));
    assertEquals(Optional.empty(), due.newestMisfire());
    assertEquals(Optional.of(t("10:03:00")), due.wakeAt());
  }

  @Test
  void aFireExactlyTheThresholdOldIsAMisfire() {
    Due due = ScheduleLogic.due(firedAt(EVERY_MINUTE.withMisfire(Misfire.SKIP), "10:00:00"), t("10:02:00"), THRESHOLD, CAP);
    assertEquals(times("10:02:00"), scheduled(due));
    assertEquals(Optional.of(t("10:01:00")), due.newestMisfire());
  }

  static Stream<Arguments> policies() {
    // no leader from 10:00 to 10:05:30: 10:01..10:04 are misfires (>= 60 s old), 10:05 is late (30 s)
    return Stream.of(
        Arguments.of(Misfire.SKIP, 3, times("10:05:00")),
        Arguments.of(Misfire.FIRE_ONCE, 3, times("10:04:00", "10:05:00")),
        Arguments.of(Misfire.FIRE_ALL, 3, times("10:02:00", "10:03:00", "10:04:00", "10:05:00")),
        Arguments.of(Misfire.FIRE_ALL, 10, times("10:01:00", "10:02:00", "10:03:00", "10:04:00", "10:05:00")),
        Arguments.of(Misfire.FIRE_ALL, 0, times("10:05:00")));
  }

  @ParameterizedTest(name = "{0} cap {1}")
  @MethodSource("policies")
  void misfirePolicies(Misfire policy, int cap, List<Instant> expected) {
    Due due = ScheduleLogic.due(firedAt(EVERY_MINUTE.withMisfire(policy), "10:00:00"), t("10:05:30"), THRESHOLD, cap);
    assertEquals(expected, scheduled(due));
    assertEquals(Optional.of(t("10:04:00")), due.newestMisfire());
    assertEquals(Optional.of(t("10:06:00")), due.wakeAt());
  }

  @Test
  void skippedMisfiresAreSkippedAgainWhenAskedAgain() {
    ScheduleState s = firedAt(EVERY_MINUTE.withMisfire(Misfire.SKIP), "10:00:00");
    assertEquals(List.of(), ScheduleLogic.due(s, t("10:03:10"), Duration.ofSeconds(5), CAP).fires());
    // nothing recorded; a new leader asking later drops them again and fires only the young one
    assertEquals(times("10:04:00"), scheduled(ScheduleLogic.due(s, t("10:04:02"), Duration.ofSeconds(5), CAP)));
  }

  @Test
  void aLongOutageCostsFewStepsAndFiresOnlyWhatThePolicyAllows() {
    ScheduleSpec everySecond = new ScheduleSpec("s", "* * * * * ?", CronSyntax.QUARTZ, "UTC", null, null,
        Misfire.FIRE_ALL, Overlap.ALLOW, JOB);
    ScheduleState s = ScheduleState.created(everySecond, Instant.parse("2025-01-01T00:00:00Z"))
        .recorded(Instant.parse("2025-01-01T00:00:00Z"));
    Due due = ScheduleLogic.due(s, t("10:00:00.500"), Duration.ofSeconds(2), 4);
    // misfires: ... 09:59:57, 09:59:58 (2 s old) -> the newest 4; late: 09:59:59, 10:00:00
    assertEquals(times("09:59:55", "09:59:56", "09:59:57", "09:59:58", "09:59:59", "10:00:00"), scheduled(due));
    ScheduleSpec daily = EVERY_MINUTE.withCron("0 3 * * *");
    Due once = ScheduleLogic.due(ScheduleState.created(daily, Instant.parse("2025-06-01T00:00:00Z")), t("10:00:00"), THRESHOLD, CAP);
    assertEquals(times("03:00:00"), scheduled(once));
  }

  @Test
  void pausedNothingFiresAndResumeDoesNotCatchUp() {
    ScheduleState s = firedAt(EVERY_MINUTE.withMisfire(Misfire.FIRE_ALL), "10:02:00").pause();
    Due paused = ScheduleLogic.due(s, t("10:05:00"), THRESHOLD, 100);
    assertEquals(List.of(), paused.fires());
    assertEquals(Optional.empty(), paused.wakeAt());
    assertEquals(List.of(), ScheduleLogic.nextFires(s, t("10:05:00"), 3));
    ScheduleState resumed = s.resume(t("10:10:30"));
    Due after = ScheduleLogic.due(resumed, t("10:10:30"), THRESHOLD, 100);
    assertEquals(List.of(), after.fires(), "10:03..10:10 were missed while paused, even under fire-all");
    assertEquals(Optional.of(t("10:11:00")), after.wakeAt());
    assertEquals(times("10:11:00"), scheduled(ScheduleLogic.due(resumed, t("10:11:00"), THRESHOLD, 100)));
    // a resume exactly at a fire time includes it; resuming a running schedule changes nothing
    assertEquals(times("10:12:00"), scheduled(ScheduleLogic.due(s.resume(t("10:12:00")), t("10:12:01"), THRESHOLD, 100)));
    assertEquals(resumed, resumed.resume(t("11:00:00")));
  }

  @Test
  void startAtIsTheFirstPossibleFire() {
    ScheduleState s = ScheduleState.created(EVERY_MINUTE.withBounds(t("12:00:00"), null), t("10:00:00"));
    Due before = ScheduleLogic.due(s, t("10:30:00"), THRESHOLD, CAP);
    assertEquals(List.of(), before.fires());
    assertEquals(Optional.of(t("12:00:00")), before.wakeAt());
    assertEquals(times("12:00:00"), scheduled(ScheduleLogic.due(s, t("12:00:00"), THRESHOLD, CAP)));
    assertEquals(times("12:00:00", "12:01:00"), ScheduleLogic.nextFires(s, t("10:30:00"), 2));
  }

  @Test
  void endAtIsTheLastPossibleFire() {
    ScheduleSpec bounded = EVERY_MINUTE.withMisfire(Misfire.FIRE_ALL).withBounds(null, t("10:03:00"));
    Due last = ScheduleLogic.due(firedAt(bounded, "10:02:00"), t("10:03:00"), THRESHOLD, CAP);
    assertEquals(times("10:03:00"), scheduled(last));
    assertEquals(Optional.empty(), last.wakeAt());
    Due late = ScheduleLogic.due(firedAt(bounded, "10:01:00"), t("10:10:00"), THRESHOLD, CAP);
    assertEquals(times("10:02:00", "10:03:00"), scheduled(late));
    assertEquals(Optional.empty(), late.wakeAt());
    assertEquals(Due.NOTHING.fires(), ScheduleLogic.due(firedAt(bounded, "10:03:00"), t("11:00:00"), THRESHOLD, CAP).fires());
    assertEquals(times("10:02:00", "10:03:00"), ScheduleLogic.nextFires(firedAt(bounded, "10:01:00"), t("10:01:00"), 5));
  }

  @Test
  void aCronWithoutFurtherTimesFiresNoMore() {
    ScheduleSpec once = new ScheduleSpec("s", "0 0 10 1 1 ? 2026", CronSyntax.QUARTZ, "UTC", null, null, null, null, JOB);
    Due due = ScheduleLogic.due(ScheduleState.created(once, t("09:00:00")), t("10:00:00"), THRESHOLD, CAP);
    assertEquals(times("10:00:00"), scheduled(due));
    assertEquals(Optional.empty(), due.wakeAt());
  }

  @Test
  void quartzSecondsWithTheThreshold() {
    ScheduleSpec every10s = new ScheduleSpec("q", "*/10 * * * * ?", CronSyntax.QUARTZ, "UTC", null, null,
        Misfire.SKIP, null, JOB);
    ScheduleState s = firedAt(every10s, "10:00:00");
    assertEquals(times("10:00:10", "10:00:20", "10:00:30"), scheduled(ScheduleLogic.due(s, t("10:00:35"), Duration.ofSeconds(30), CAP)));
    Due tight = ScheduleLogic.due(s, t("10:00:35"), Duration.ofSeconds(20), CAP);
    assertEquals(times("10:00:20", "10:00:30"), scheduled(tight));
    assertEquals(Optional.of(t("10:00:40")), tight.wakeAt());
  }

  @Test
  void aFireInTheSpringGapIsLateAfterAFailoverNotMissed() {
    // Berlin 02:30 does not exist on 2026-03-29; it fires at 03:00 CEST (01:00Z); the leader came back 5 s later
    ScheduleSpec berlin = ScheduleSpec.of("b", "30 2 * * *", JOB).withTimezone("Europe/Berlin").withMisfire(Misfire.SKIP);
    ScheduleState s = ScheduleState.created(berlin, Instant.parse("2026-03-20T00:00:00Z")).recorded(Instant.parse("2026-03-28T01:30:00Z"));
    Due due = ScheduleLogic.due(s, Instant.parse("2026-03-29T01:00:05Z"), THRESHOLD, CAP);
    assertEquals(List.of(Fire.of("b", Instant.parse("2026-03-29T01:00:00Z"))), due.fires());
    assertEquals(Optional.of(Instant.parse("2026-03-30T00:30:00Z")), due.wakeAt());
  }

  @Test
  void fireAllAcrossTheFallBackHourFiresEachLocalTimeOnce() {
    // New York 2026-11-01: 01:00-01:59 happen twice (EDT 05:00Z-05:59Z, then EST 06:00Z-06:59Z). No leader from
    // 01:00 EDT to 02:10 EST: the misfires are 01:30 EDT and 02:00 EST; the second pass's 01:00 and 01:30 are not fires
    ScheduleSpec ny = ScheduleSpec.of("ny", "*/30 * * * *", JOB).withTimezone("America/New_York").withMisfire(Misfire.FIRE_ALL);
    ScheduleState s = ScheduleState.created(ny, Instant.parse("2026-10-01T00:00:00Z")).recorded(Instant.parse("2026-11-01T05:00:00Z"));
    Due due = ScheduleLogic.due(s, Instant.parse("2026-11-01T07:10:00Z"), THRESHOLD, 10);
    assertEquals(Stream.of("2026-11-01T05:30:00Z", "2026-11-01T07:00:00Z").map(Instant::parse).toList(), scheduled(due));
    assertEquals(Optional.of(Instant.parse("2026-11-01T07:30:00Z")), due.wakeAt());
  }

  @Test
  void nextFiresFollowTheZone() {
    ScheduleSpec howe = ScheduleSpec.of("h", "15 2 * * *", JOB).withTimezone("Australia/Lord_Howe");
    ScheduleState s = ScheduleState.created(howe, Instant.parse("2026-10-01T00:00:00Z"));
    // 02:15 at +10:30 on 10-03, at the end of the gap (02:30 +11) on 10-04, at +11 on 10-05
    assertEquals(Stream.of("2026-10-02T15:45:00Z", "2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z").map(Instant::parse).toList(),
        ScheduleLogic.nextFires(s, Instant.parse("2026-10-02T00:00:00Z"), 3));
  }

  static Stream<Arguments> overlaps() {
    return Stream.of(
        Arguments.of(Overlap.ALLOW, false, false, FIRE), Arguments.of(Overlap.ALLOW, true, false, FIRE),
        Arguments.of(Overlap.SKIP, false, false, FIRE), Arguments.of(Overlap.SKIP, true, false, SKIP),
        Arguments.of(Overlap.QUEUE, false, false, FIRE), Arguments.of(Overlap.QUEUE, true, false, QUEUE),
        Arguments.of(Overlap.QUEUE, true, true, SKIP),
        Arguments.of(Overlap.CANCEL_PREVIOUS, false, false, FIRE),
        Arguments.of(Overlap.CANCEL_PREVIOUS, true, false, CANCEL_PREVIOUS_THEN_FIRE));
  }

  @ParameterizedTest(name = "{0} running={1} queued={2} -> {3}")
  @MethodSource("overlaps")
  void overlapPolicies(Overlap policy, boolean running, boolean queued, OverlapDecision expected) {
    assertEquals(expected, ScheduleLogic.overlap(policy, running, queued));
    if (!queued) {
      assertEquals(expected, ScheduleLogic.overlap(policy, running));
    }
  }
}
