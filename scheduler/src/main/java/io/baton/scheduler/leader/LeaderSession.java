package io.baton.scheduler.leader;

import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.ScheduleStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.alerts.AlertCourier;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobsView;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.scheduler.schedules.ScheduleMaster;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Everything the leader runs for one epoch. It starts the ResourceManager, publishes itself as leader
 * ({@link LeaderElection#confirmLeadership}), starts the read model, the Dispatcher and the schedules, and tells its
 * parent it is {@link Ready}: workers register and keep their heartbeats answered, and REST serves, while the
 * Dispatcher reads the unfinished jobs (once the publication is written: its reads would queue ahead of it) ({@link Dispatcher#recovering}; it and the read model hold what they are asked until
 * then, and the ResourceManager holds workers' reports of attempts no JobMaster claims yet). Any failure (a fenced
 * or failed write, a failed read or confirmation) is reported as {@link Failed} and the session stops; stopping the
 * session stops all it started.
 */
public final class LeaderSession {
  public sealed interface Command {}

  private record Confirmed(Throwable failure) implements Command {}

  private record Fatal(Throwable cause) implements Command {}

  /** What the session's parent hears. */
  public sealed interface Event {}

  /** The ResourceManager runs: workers may register (even before /leader names this master). */
  public record Started(Epoch epoch, ActorRef<ResourceManager.Command> resourceManager) implements Event {}

  public record Ready(Epoch epoch, Handles handles) implements Event {}

  public record Failed(Epoch epoch, Throwable cause) implements Event {}

  /**
   * The running session's actors, for the REST facade and the worker gateway; {@code quarantined}: the job records
   * the session could not read (empty until the Dispatcher has read them).
   */
  public record Handles(
      Epoch epoch, LeaderInfo info, ActorRef<Dispatcher.Command> dispatcher, ActorRef<JobsView.Command> jobsView,
      ActorRef<ScheduleMaster.Command> schedules, ActorRef<ResourceManager.Command> resourceManager,
      AtomicInteger aliveWorkers, AtomicReference<List<JobStore.Quarantined>> quarantined) {}

  private LeaderSession() {}

  public static Behavior<Command> create(
      Epoch epoch, String address, String restUrl, JobStore store, ScheduleStore schedules, LeaderElection election,
      SchedulerSettings settings, Clock clock, ActorRef<Event> parent) {
    // an alert's link points at the leader that raised it, unless baton.alerts.link-base says otherwise
    SchedulerSettings linked = settings.withAlerts(settings.alerts().withDefaultLinkBase(restUrl));
    return Behaviors.setup(ctx -> {
      LeaderInfo info = new LeaderInfo(epoch, UUID.randomUUID().toString(), address, restUrl);
      AtomicInteger alive = new AtomicInteger();
      ActorRef<ResourceManager.Command> rm =
          ctx.spawn(ResourceManager.create(epoch, info.sessionId(), linked, clock, alive), "resourcemanager");
      parent.tell(new Started(epoch, rm));
      ActorRef<Throwable> fatal = ctx.messageAdapter(Throwable.class, Fatal::new);
      // published first: the jobs are read on the same ZooKeeper session, and thousands of reads queued ahead of
      // the /leader write held it (and so every worker's registration) back by about a second
      CompletableFuture<Void> published = election.confirmLeadership(epoch, info);
      ActorRef<JobsView.Command> view = ctx.spawn(JobsView.createRecovering(), "jobs-view");
      AtomicReference<List<JobStore.Quarantined>> quarantined = new AtomicReference<>(List.of());
      // the finished history is read last: the schedules' fires due now come first
      CompletableFuture<Void> schedulesLoaded = new CompletableFuture<>();
      ActorRef<Dispatcher.Command> dispatcher = ctx.spawn(Dispatcher.recovering(epoch, store, rm, view, linked, clock,
          fatal, quarantined, published, schedulesLoaded), "dispatcher");
      ActorRef<ScheduleMaster.Command> scheduleMaster = ctx.spawn(ScheduleMaster.create(epoch, schedules, dispatcher,
          view, linked, clock, fatal, published, schedulesLoaded), "schedules");
      ctx.spawn(AlertCourier.create(epoch, store, linked.alerts(), clock), "alerts");
      // Done, not the Void result: a null piped to a stopped actor makes Pekko's dead-letter logger throw
      ctx.pipeToSelf(published.thenApply(ok -> Done.getInstance()),
          (ok, failure) -> new Confirmed(failure));
      Handles handles = new Handles(epoch, info, dispatcher, view, scheduleMaster, rm, alive, quarantined);
      return confirming(epoch, handles, parent);
    });
  }

  private static Behavior<Command> confirming(Epoch epoch, Handles handles, ActorRef<Event> parent) {
    return Behaviors.receive(Command.class)
        .onMessage(Confirmed.class, c -> {
          if (c.failure() != null) {
            return fail(parent, epoch, c.failure());
          }
          parent.tell(new Ready(epoch, handles));
          return running(epoch, parent);
        })
        .onMessage(Fatal.class, f -> fail(parent, epoch, f.cause()))
        .build();
  }

  private static Behavior<Command> running(Epoch epoch, ActorRef<Event> parent) {
    return Behaviors.receive(Command.class)
        .onMessage(Fatal.class, f -> fail(parent, epoch, f.cause()))
        .build();
  }

  private static Behavior<Command> fail(ActorRef<Event> parent, Epoch epoch, Throwable cause) {
    parent.tell(new Failed(epoch, cause));
    return Behaviors.stopped();
  }
}
