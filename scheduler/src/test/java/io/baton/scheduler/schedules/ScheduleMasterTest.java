package io.baton.scheduler.schedules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.baton.ha.JobStore;
import io.baton.ha.ScheduleStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import io.baton.protocol.schedule.CronTimes;
import io.baton.protocol.schedule.ScheduleRecord;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.api.MasterApi.ScheduleChange;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.ScheduleView;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobsView;
import io.baton.scheduler.policy.Backoff;
import io.baton.testkit.TestingClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ScheduleMaster at volume, on manual time with a probe for the Dispatcher. It parses every schedule's cron when
 * it loads the schedules and when one is created, never when a fire is due: a new leader with thousands of distinct
 * crons (about 0.5 ms of cron-utils each) would otherwise spend seconds of the first due second parsing. Counted
 * with {@link CronTimes#parsedCount()}; the crons ("0-59 * * * *", every minute, in zones of their own) are used by
 * no other test, so each is new to the JVM.
 */
class ScheduleMasterTest {
  private static final Instant START = Instant.parse("2026-11-28T10:00:30Z");
  private static final Instant DUE = Instant.parse("2026-11-28T10:01:00Z");
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final JobSpec JOB = new JobSpec("j", Map.of(), List.of(TaskSpec.handler("t", "noop", null, List.of())));

  private final ActorTestKit kit = ActorTestKit.create(ManualTime.config());
  private final ManualTime time = ManualTime.get(kit.system());
  private final TestingClock clock = new TestingClock(START);
  private final TestProbe<Dispatcher.Command> dispatcher = kit.createTestProbe(Dispatcher.Command.class);
  private final TestProbe<JobsView.Command> view = kit.createTestProbe(JobsView.Command.class);
  private final TestProbe<Throwable> fatal = kit.createTestProbe(Throwable.class);

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** {@code n} zones, each named by no other test's every-minute "0-59 * * * *" cron. */
  private static List<String> zones(int from, int n) {
    return ZoneId.getAvailableZoneIds().stream().filter(z -> z.contains("/") && !z.startsWith("Etc/")
        && !z.startsWith("SystemV/")).sorted().skip(from).limit(n).toList();
  }

  private static ScheduleSpec everyMinute(String zone) {
    return ScheduleSpec.of("s-" + zone.replace('/', '-').toLowerCase(), "0-59 * * * *", JOB).withTimezone(zone);
  }

  private static SchedulerSettings settings() {
    return new SchedulerSettings(Duration.ofSeconds(1), Duration.ofSeconds(8),
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 0), ASK_TIMEOUT, 1000);
  }

  private ActorRef<ScheduleMaster.Command> master(List<ScheduleStore.Stored> stored) {
    return kit.spawn(ScheduleMaster.create(new Epoch(1), new LoadOnly(stored), dispatcher.ref(), view.ref(), settings(),
        clock, fatal.ref()));
  }

  /** Waits (real time, briefly: the schedules load on a blocking thread) until the master lists {@code n} of them. */
  private void awaitListed(ActorRef<ScheduleMaster.Command> master, int n) {
    TestProbe<List<ScheduleView>> probe = kit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(5), () -> {
      master.tell(new ScheduleMaster.ListSchedules(probe.ref()));
      assertEquals(n, probe.receiveMessage(Duration.ofSeconds(1)).size());
      return null;
    });
  }

  /** Moves manual time to DUE and answers each of {@code n} SubmitFires; returns the schedules that fired. */
  private Set<String> fireAll(int n) {
    for (Instant t = START; t.isBefore(DUE); t = t.plusSeconds(1)) {
      clock.advance(Duration.ofSeconds(1));
      time.timePasses(Duration.ofSeconds(1));
    }
    Set<String> fired = new HashSet<>();
    int i = 0;
    while (i < n) {
      Dispatcher.SubmitFires submit = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
      for (Dispatcher.FireSubmission f : submit.fires()) {
        assertEquals(DUE, f.fire().scheduledAt());
        fired.add(f.fire().schedule());
        submit.replyTo().tell(new Dispatcher.FireSubmitted(f.fire(), "job-" + i++, null));
      }
    }
    return fired;
  }

  @Test
  void a_new_leader_parses_every_cron_when_it_loads_the_schedules_and_none_when_they_fire() {
    List<String> zones = zones(0, 40);
    List<ScheduleStore.Stored> stored = new ArrayList<>();
    for (String zone : zones) {
      stored.add(new ScheduleStore.Stored(new ScheduleRecord(everyMinute(zone), false, START, null),
          List.of()));
    }
    long before = CronTimes.parsedCount();

    ActorRef<ScheduleMaster.Command> master = master(stored);
    awaitListed(master, zones.size());
    assertEquals(zones.size(), CronTimes.parsedCount() - before, "one parse per distinct cron, at load");

    long loaded = CronTimes.parsedCount();
    assertEquals(zones.size(), fireAll(zones.size()).size());
    awaitListed(master, zones.size());
    assertEquals(loaded, CronTimes.parsedCount(), "nothing parsed while firing");
  }

  @Test
  void a_created_schedule_is_parsed_when_it_is_created_not_when_it_first_fires() {
    ActorRef<ScheduleMaster.Command> master = master(List.of());
    awaitListed(master, 0);
    List<String> zones = zones(40, 10);
    long before = CronTimes.parsedCount();
    TestProbe<ScheduleChange> replies = kit.createTestProbe();
    for (String zone : zones) {
      master.tell(new ScheduleMaster.PutSchedule(everyMinute(zone), false, replies.ref()));
      assertInstanceOf(ScheduleChange.Done.class, replies.receiveMessage());
    }
    assertEquals(zones.size(), CronTimes.parsedCount() - before, "one parse per distinct cron, at creation");

    long created = CronTimes.parsedCount();
    assertEquals(zones.size(), fireAll(zones.size()).size());
    awaitListed(master, zones.size());
    assertEquals(created, CronTimes.parsedCount(), "nothing parsed while firing");
  }

  @Test
  void fires_due_in_the_same_second_reach_the_dispatcher_in_one_message() {
    List<String> zones = zones(60, 40);
    ActorRef<ScheduleMaster.Command> master = master(stored(zones));
    awaitListed(master, zones.size());
    advanceTo(DUE.minus(SchedulerSettings.DEFAULT_FIRE_AHEAD)); // overlap allow: submitted ahead

    Dispatcher.SubmitFires submit = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    assertEquals(zones.size(), submit.fires().size(), "every fire due at " + DUE + " in one message");
    int i = 0;
    for (Dispatcher.FireSubmission f : submit.fires()) {
      submit.replyTo().tell(new Dispatcher.FireSubmitted(f.fire(), "job-" + i++, null));
    }
    advanceTo(DUE.plusSeconds(30));
    dispatcher.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void fires_the_dispatcher_does_not_answer_in_time_are_sent_again_and_not_a_third_time() {
    List<String> zones = zones(100, 3);
    ActorRef<ScheduleMaster.Command> master = master(stored(zones));
    awaitListed(master, zones.size());
    Instant ahead = DUE.minus(SchedulerSettings.DEFAULT_FIRE_AHEAD);
    advanceTo(ahead);
    Dispatcher.SubmitFires first = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    assertEquals(3, first.fires().size());

    advanceTo(ahead.plus(ASK_TIMEOUT));
    Dispatcher.SubmitFires again = nextSubmission(10); // the retry, a second after the time-out is handled
    assertEquals(first.fires().stream().map(f -> f.fire().id()).collect(Collectors.toSet()),
        again.fires().stream().map(f -> f.fire().id()).collect(Collectors.toSet()), "the same fires, tried again");
    // the first submission did land after all: the retry is refused, and the late answer changes nothing
    for (Dispatcher.FireSubmission f : again.fires()) {
      again.replyTo().tell(new Dispatcher.FireSubmitted(f.fire(), null, new JobStore.FireExistsException(f.fire())));
    }
    for (Dispatcher.FireSubmission f : first.fires()) {
      first.replyTo().tell(new Dispatcher.FireSubmitted(f.fire(), "job-" + f.fire().schedule(), null));
    }
    advanceTo(DUE.plusSeconds(50));
    dispatcher.expectNoMessage(Duration.ofMillis(200));
    awaitListed(master, zones.size());
  }

  @Test
  void a_new_leader_looks_up_the_newest_fires_job_among_what_is_read_without_waiting_for_the_history() {
    List<String> zones = zones(110, 1);
    ScheduleStore.Stored withAFire = new ScheduleStore.Stored(new ScheduleRecord(everyMinute(zones.get(0)), false,
        START.minusSeconds(600), null), List.of(new ScheduleStore.RecordedFire(START.minusSeconds(30), "job-old")));
    ActorRef<ScheduleMaster.Command> master = master(List.of(withAFire));
    // one lookup for every schedule's newest fire, answered from what is read (not held until the whole finished
    // history is), and one for the last fires' states, answered once the history is read
    JobsView.GetJobs looked = view.expectMessageClass(JobsView.GetJobs.class, Duration.ofSeconds(5));
    assertEquals(List.of("job-old"), List.copyOf(looked.jobIds()));
    assertEquals(true, looked.now());
    JobsView.GetJobs state = view.expectMessageClass(JobsView.GetJobs.class, Duration.ofSeconds(5));
    assertEquals(false, state.now());
    looked.replyTo().tell(new JobsView.JobsFound(true, Map.of())); // not among the unfinished jobs: not running
    state.replyTo().tell(new JobsView.JobsFound(false, Map.of("job-old", io.baton.protocol.job.JobRecord.submitted(
        "job-old", JOB, everyMinute(zones.get(0)).name() + "@" + START.minusSeconds(30), START.minusSeconds(30))
        .withState(io.baton.protocol.JobState.SUCCEEDED, START.minusSeconds(29)))));
    // released by the answer, not by the lookup's time-out: a trigger (held while the schedule is busy) goes at once
    TestProbe<Optional<String>> triggered = kit.createTestProbe();
    master.tell(new ScheduleMaster.TriggerSchedule(everyMinute(zones.get(0)).name(), triggered.ref()));
    Dispatcher.SubmitFires trigger = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class, Duration.ofSeconds(3));
    trigger.replyTo().tell(new Dispatcher.FireSubmitted(trigger.fires().get(0).fire(), "job-triggered", null));
    assertEquals(Optional.of("job-triggered"), triggered.receiveMessage(Duration.ofSeconds(3)));
    TestProbe<List<ScheduleView>> listed = kit.createTestProbe();
    listed.awaitAssert(Duration.ofSeconds(5), () -> {
      master.tell(new ScheduleMaster.ListSchedules(listed.ref()));
      assertEquals(List.of("PENDING", "SUCCEEDED"), listed.receiveMessage(Duration.ofSeconds(1)).get(0).lastFires()
          .stream().map(ScheduleView.FireView::state).toList(), "the trigger's job, then the old one's filled in");
      return null;
    });
    advanceTo(DUE);
    Dispatcher.SubmitFires fires = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    assertEquals(1, fires.fires().size());
  }

  @Test
  void an_allow_schedules_fire_is_submitted_ahead_of_its_time_and_its_job_waits_for_it() {
    List<String> zones = zones(120, 1);
    ActorRef<ScheduleMaster.Command> master = master(stored(zones));
    awaitListed(master, 1);
    advanceTo(DUE.minus(SchedulerSettings.DEFAULT_FIRE_AHEAD).minusSeconds(1));
    dispatcher.expectNoMessage(Duration.ofMillis(200));

    advanceTo(DUE.minus(SchedulerSettings.DEFAULT_FIRE_AHEAD));
    Dispatcher.SubmitFires submit = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    Dispatcher.FireSubmission fire = submit.fires().get(0);
    assertEquals(DUE, fire.fire().scheduledAt());
    assertEquals(DUE, fire.runAt(), "the job waits for the fire's time");
    submit.replyTo().tell(new Dispatcher.FireSubmitted(fire.fire(), "job-ahead", null));
    TestProbe<List<ScheduleView>> listed = kit.createTestProbe();
    listed.awaitAssert(Duration.ofSeconds(5), () -> {
      master.tell(new ScheduleMaster.ListSchedules(listed.ref()));
      ScheduleView v = listed.receiveMessage(Duration.ofSeconds(1)).get(0);
      assertEquals("job-ahead", v.lastFires().get(0).jobId());
      assertEquals(DUE, v.nextFires().get(0), "a fire submitted ahead is still the next fire");
      assertEquals(DUE.plusSeconds(60), v.nextFires().get(1));
      return null;
    });
    advanceTo(DUE.plusSeconds(50));
    dispatcher.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void pausing_cancels_a_fire_submitted_ahead_and_a_new_leader_cancels_it_again() {
    List<String> zones = zones(121, 1);
    ActorRef<ScheduleMaster.Command> master = master(stored(zones));
    awaitListed(master, 1);
    advanceTo(DUE.minusSeconds(3));
    Dispatcher.SubmitFires submit = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    submit.replyTo().tell(new Dispatcher.FireSubmitted(submit.fires().get(0).fire(), "job-ahead", null));
    awaitListed(master, 1);

    TestProbe<ScheduleChange> replies = kit.createTestProbe();
    String name = everyMinute(zones.get(0)).name();
    master.tell(new ScheduleMaster.PauseSchedule(name, true, replies.ref()));
    assertInstanceOf(ScheduleChange.Done.class, replies.receiveMessage());
    assertEquals("job-ahead", dispatcher.expectMessageClass(Dispatcher.Cancel.class).jobId());

    // the next leader reads the paused schedule and the fire it recorded ahead: cancelled again (a no-op if it was)
    ScheduleStore.Stored paused = new ScheduleStore.Stored(new ScheduleRecord(everyMinute(zones.get(0)), true, START,
        null), List.of(new ScheduleStore.RecordedFire(DUE, "job-ahead")));
    kit.spawn(ScheduleMaster.create(new Epoch(2), new LoadOnly(List.of(paused)), dispatcher.ref(), view.ref(),
        settings(), clock, fatal.ref()));
    assertEquals("job-ahead", dispatcher.expectMessageClass(Dispatcher.Cancel.class, Duration.ofSeconds(5)).jobId());
  }

  @Test
  void a_trigger_at_the_millisecond_of_a_recorded_fire_is_submitted_a_millisecond_later_and_answered() {
    List<String> zones = zones(123, 1);
    ScheduleSpec spec = everyMinute(zones.get(0)).withOverlap(io.baton.protocol.schedule.Overlap.SKIP);
    ActorRef<ScheduleMaster.Command> master = master(List.of(new ScheduleStore.Stored(new ScheduleRecord(spec, false,
        START, null), List.of())));
    awaitListed(master, 1);
    TestProbe<Optional<String>> reply = kit.createTestProbe();
    master.tell(new ScheduleMaster.TriggerSchedule(spec.name(), reply.ref()));
    Dispatcher.SubmitFires first = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    Instant at = first.fires().get(0).fire().scheduledAt();
    first.replyTo().tell(new Dispatcher.FireSubmitted(first.fires().get(0).fire(), null,
        new JobStore.FireExistsException(first.fires().get(0).fire())));
    Dispatcher.SubmitFires again = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class);
    assertEquals(at.plusMillis(1), again.fires().get(0).fire().scheduledAt());
    again.replyTo().tell(new Dispatcher.FireSubmitted(again.fires().get(0).fire(), "job-triggered", null));
    assertEquals(Optional.of("job-triggered"), reply.receiveMessage());
  }

  @Test
  void a_schedule_that_skips_overlaps_submits_each_fire_at_its_time() {
    List<String> zones = zones(122, 1);
    ScheduleSpec spec = everyMinute(zones.get(0)).withOverlap(io.baton.protocol.schedule.Overlap.SKIP);
    ActorRef<ScheduleMaster.Command> master = master(List.of(new ScheduleStore.Stored(new ScheduleRecord(spec, false,
        START, null), List.of())));
    awaitListed(master, 1);
    advanceTo(DUE.minusSeconds(1));
    dispatcher.expectNoMessage(Duration.ofMillis(200));
    advanceTo(DUE);
    Dispatcher.FireSubmission fire = dispatcher.expectMessageClass(Dispatcher.SubmitFires.class).fires().get(0);
    assertEquals(DUE, fire.fire().scheduledAt());
    assertEquals(null, fire.runAt(), "submitted at its time: it starts at once");
  }

  private static List<ScheduleStore.Stored> stored(List<String> zones) {
    return zones.stream().map(zone -> new ScheduleStore.Stored(new ScheduleRecord(everyMinute(zone), false, START,
        null), List.<ScheduleStore.RecordedFire>of())).toList();
  }

  /** Moves time a second at a time, up to {@code seconds} times, until the master sends fires. */
  private Dispatcher.SubmitFires nextSubmission(int seconds) {
    for (int i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      time.timePasses(Duration.ofSeconds(1));
      try {
        return dispatcher.expectMessageClass(Dispatcher.SubmitFires.class, Duration.ofMillis(300));
      } catch (AssertionError notYet) {
        // the master handles time passing on its own thread: one more second
      }
    }
    throw new AssertionError("no fires sent again within " + seconds + " s of manual time");
  }

  /** Moves the clock and the actors' timers to {@code at}, a second at a time. */
  private void advanceTo(Instant at) {
    while (clock.instant().isBefore(at)) {
      clock.advance(Duration.ofSeconds(1));
      time.timePasses(Duration.ofSeconds(1));
    }
  }

  /** A store that holds {@code stored} and accepts every write (this test looks at parsing, not at storage). */
  private record LoadOnly(List<Stored> stored) implements ScheduleStore {
    @Override
    public List<Stored> loadAll() {
      return stored;
    }

    @Override
    public CompletableFuture<Void> create(Epoch epoch, ScheduleRecord schedule) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> replace(Epoch epoch, ScheduleRecord schedule) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> delete(Epoch epoch, String name) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> recordSkipped(Epoch epoch, String name, Instant scheduledAt) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> forgetFires(Epoch epoch, String name, List<Instant> scheduledAt) {
      return CompletableFuture.completedFuture(null);
    }
  }
}
