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
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Everything the leader runs for one epoch. It loads the jobs from the store, starts the ResourceManager and
 * the Dispatcher, then publishes itself as leader ({@link LeaderElection#confirmLeadership}) and tells its
 * parent it is {@link Ready}. Any failure (a fenced or failed write, a failed load or confirmation) is reported
 * as {@link Failed} and the session stops; stopping the session stops all it started.
 */
public final class LeaderSession {
  public sealed interface Command {}

  private record Loaded(JobStore.Loaded loaded, Throwable failure) implements Command {}

  private record Confirmed(Throwable failure) implements Command {}

  private record Fatal(Throwable cause) implements Command {}

  /** What the session's parent hears. */
  public sealed interface Event {}

  /** The ResourceManager runs: workers may register (even before /leader names this master). */
  public record Started(Epoch epoch, ActorRef<ResourceManager.Command> resourceManager) implements Event {}

  public record Ready(Epoch epoch, Handles handles) implements Event {}

  public record Failed(Epoch epoch, Throwable cause) implements Event {}

  /** The running session's actors, for the REST facade and the worker gateway. */
  public record Handles(
      Epoch epoch, LeaderInfo info, ActorRef<Dispatcher.Command> dispatcher, ActorRef<JobsView.Command> jobsView,
      ActorRef<ScheduleMaster.Command> schedules, ActorRef<ResourceManager.Command> resourceManager,
      AtomicInteger aliveWorkers, List<JobStore.Quarantined> quarantined) {

    public Handles {
      quarantined = List.copyOf(quarantined);
    }
  }

  private LeaderSession() {}

  public static Behavior<Command> create(
      Epoch epoch, String address, String restUrl, JobStore store, ScheduleStore schedules, LeaderElection election,
      SchedulerSettings settings, Clock clock, ActorRef<Event> parent) {
    return Behaviors.setup(ctx -> {
      Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
        try {
          return store.loadForLeader(epoch);
        } catch (Exception e) {
          throw new IllegalStateException("could not load jobs", e);
        }
      }, blocking), Loaded::new);
      // an alert's link points at the leader that raised it, unless baton.alerts.link-base says otherwise
      SchedulerSettings linked = settings.withAlerts(settings.alerts().withDefaultLinkBase(restUrl));
      return loading(ctx, epoch, new LeaderInfo(epoch, UUID.randomUUID().toString(), address, restUrl),
          store, schedules, election, linked, clock, parent);
    });
  }

  private static Behavior<Command> loading(
      ActorContext<Command> ctx, Epoch epoch, LeaderInfo info, JobStore store, ScheduleStore scheduleStore,
      LeaderElection election, SchedulerSettings settings, Clock clock, ActorRef<Event> parent) {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, loaded -> {
          if (loaded.failure() != null) {
            return fail(parent, epoch, loaded.failure());
          }
          List<JobStore.Quarantined> quarantined = loaded.loaded().quarantined();
          if (!quarantined.isEmpty()) {
            ctx.getLog().warn("{} serves {} jobs; {} job records are quarantined and not served (GET /cluster lists "
                + "them): {}", epoch, loaded.loaded().jobs().size(), quarantined.size(), quarantined);
          }
          AtomicInteger alive = new AtomicInteger();
          ActorRef<ResourceManager.Command> rm =
              ctx.spawn(ResourceManager.create(epoch, info.sessionId(), settings, clock, alive), "resourcemanager");
          ActorRef<Throwable> fatal = ctx.messageAdapter(Throwable.class, Fatal::new);
          ActorRef<JobsView.Command> view = ctx.spawn(JobsView.create(), "jobs-view");
          ActorRef<Dispatcher.Command> dispatcher = ctx.spawn(
              Dispatcher.create(epoch, loaded.loaded(), store, rm, view, settings, clock, fatal), "dispatcher");
          ActorRef<ScheduleMaster.Command> schedules = ctx.spawn(ScheduleMaster.create(epoch, scheduleStore, dispatcher,
              view, settings, clock, fatal), "schedules");
          ctx.spawn(AlertCourier.create(epoch, store, settings.alerts(), clock), "alerts");
          parent.tell(new Started(epoch, rm));
          // Done, not the Void result: a null piped to a stopped actor makes Pekko's dead-letter logger throw
          ctx.pipeToSelf(election.confirmLeadership(epoch, info).thenApply(ok -> Done.getInstance()),
              (ok, failure) -> new Confirmed(failure));
          Handles handles = new Handles(epoch, info, dispatcher, view, schedules, rm, alive, loaded.loaded().quarantined());
          return confirming(epoch, handles, parent);
        })
        .onMessage(Fatal.class, f -> fail(parent, epoch, f.cause()))
        .build();
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
