package io.baton.scheduler.leader;

import io.baton.ha.FencedException;
import io.baton.ha.HaServices;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.JobState;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.JobFilter;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.NotLeaderException;
import io.baton.scheduler.api.SchedulerSettings;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.dispatcher.Dispatcher;
import io.baton.scheduler.dispatcher.JobsView;
import io.baton.scheduler.model.JobLogic;
import io.baton.scheduler.schedules.ScheduleMaster;
import io.baton.scheduler.api.ScheduleView;
import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.resourcemanager.ResourceManager;
import io.baton.wire.LogChunk;
import io.baton.wire.ToWorker;
import io.baton.wire.WorkerMode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The REST facade of one master. Calls go to the current leader session's actors by ask; without a ready
 * session, or once the election says this master no longer leads for the session's epoch, they fail with
 * {@link NotLeaderException}. Leadership is read from {@link LeaderElection#hasLeadership} on every call, the same
 * source the job store's fencing uses, so it ends at the first sign of loss, before the guardian has stopped the
 * session. A call that fails because its write was fenced, or that fails after leadership was lost, fails with
 * {@link NotLeaderException} too. The leader a NotLeaderException names is never this master. Thread-safe: the
 * session handles are swapped atomically by {@link io.baton.scheduler.MasterGuardian} ({@link #sessionReady},
 * {@link #sessionEnded}) and read by any HTTP thread; the published leader is kept current by a
 * {@link LeaderRetrieval} this facade starts.
 */
public final class DefaultMasterApi implements MasterApi, AutoCloseable {
  private static final int LOG_CHUNK_BYTES = 128 * 1024;
  private static final long LOG_MAX_BYTES = 64L * 1024 * 1024;

  private final ActorSystem<?> system;
  private final SchedulerSettings settings;
  private final HaServices ha;
  private final LeaderRetrieval retrieval;
  private volatile LeaderSession.Handles current;
  private volatile Optional<LeaderInfo> published = Optional.empty();
  private volatile LeaderElection election;
  private volatile String selfRestUrl = "";
  private volatile StepDowner stepDowner = rejoin -> CompletableFuture.completedFuture(Optional.empty());

  /** How the master's guardian steps down: the epoch it gave up, or empty when it did not lead. */
  @FunctionalInterface
  public interface StepDowner {
    CompletionStage<Optional<io.baton.protocol.Epoch>> stepDown(boolean rejoin);
  }

  public DefaultMasterApi(ActorSystem<?> system, SchedulerSettings settings, HaServices ha) throws Exception {
    this.system = system;
    this.settings = settings;
    this.ha = ha;
    this.retrieval = ha.leaderRetrieval();
    retrieval.start(new LeaderListener() {
      @Override
      public void leaderChanged(Optional<LeaderInfo> leader) {
        published = leader;
        leader.ifPresent(DefaultMasterApi.this::warmUpRemoting);
      }
    });
  }

  /**
   * A standby says hello to the leader's gateway over Artery once per leader: this loads and compiles the
   * remoting path in the standby's JVM ahead of time, so when it takes over, its first worker registrations
   * are not slowed by cold code. The answer is ignored.
   */
  private void warmUpRemoting(LeaderInfo leader) {
    String own = ((org.apache.pekko.actor.ExtendedActorSystem) system.classicSystem()).provider().getDefaultAddress().toString();
    if (!leader.address().equals(own)) {
      system.classicSystem().actorSelection(leader.address() + "/user/" + WorkerGateway.NAME)
          .resolveOne(java.time.Duration.ofSeconds(5));
    }
  }

  /** Called by the guardian once it contends. */
  public void started(String restUrl, LeaderElection leaderElection) {
    this.selfRestUrl = restUrl;
    this.election = leaderElection;
  }

  /** Called by the guardian once it contends: how {@link #stepDown} and {@link #leave} reach it. */
  public void stepsDownWith(StepDowner guardian) {
    this.stepDowner = guardian;
  }

  @Override
  public CompletionStage<StepDownResult> stepDown() {
    Optional<LeaderSession.Handles> h = leading();
    if (h.isEmpty()) {
      return CompletableFuture.failedFuture(new NotLeaderException(otherLeader()));
    }
    LeaderElection e = election;
    if (e.participants().stream().allMatch(p -> ClusterView.sameUrl(p, selfRestUrl))) {
      return CompletableFuture.completedFuture(new StepDownResult.NoStandby());
    }
    return stepDowner.stepDown(true).thenApply(gaveUp -> gaveUp
        .<StepDownResult>map(StepDownResult.HandedOver::new)
        .orElseThrow(() -> new NotLeaderException(otherLeader())));
  }

  /**
   * Before this master's process stops: a leader hands over as {@link #stepDown} does, a standby leaves the
   * election; either way it contends no more. Waits up to {@code timeout}.
   */
  public void leave(java.time.Duration timeout) {
    try {
      stepDowner.stepDown(false).toCompletableFuture().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(DefaultMasterApi.class).warn("could not step down before stopping: {}",
          e.toString());
    }
  }

  public void sessionReady(LeaderSession.Handles handles) {
    current = handles;
  }

  public void sessionEnded() {
    current = null;
  }

  /** The epoch this master leads for, if it leads with a ready session. */
  public Optional<LeaderSession.Handles> session() {
    return Optional.ofNullable(current);
  }

  /** The session this master leads with, if it is ready and the election still grants its epoch. */
  private Optional<LeaderSession.Handles> leading() {
    LeaderSession.Handles h = current;
    LeaderElection e = election;
    return h != null && e != null && e.hasLeadership(h.epoch()) ? Optional.of(h) : Optional.empty();
  }

  /** The leader as published, unless that is this master itself (a deposed master's stale entry). */
  private Optional<LeaderInfo> otherLeader() {
    return published.or(retrieval::current).filter(l -> !ClusterView.sameUrl(l.restUrl(), selfRestUrl));
  }

  private <T> CompletionStage<T> onLeader(java.util.function.Function<LeaderSession.Handles, CompletionStage<T>> call) {
    Optional<LeaderSession.Handles> h = leading();
    if (h.isEmpty()) {
      return CompletableFuture.failedFuture(new NotLeaderException(otherLeader()));
    }
    CompletionStage<T> stage;
    try {
      stage = call.apply(h.get());
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> answer = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        answer.complete(value);
      } else if (FencedException.isIn(failure) || leading().filter(now -> now == h.get()).isEmpty()) {
        answer.completeExceptionally(new NotLeaderException(otherLeader()));
      } else {
        answer.completeExceptionally(failure);
      }
    });
    return answer;
  }

  @Override
  public CompletionStage<SubmitResult> submit(JobSpec spec, Optional<String> idempotencyKey) {
    return onLeader(h -> AskPattern.askWithStatus(h.dispatcher(),
        replyTo -> new Dispatcher.Submit(spec, idempotencyKey, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<List<JobRecord>> listJobs(JobFilter filter, int limit, Optional<String> beforeId) {
    return onLeader(h -> AskPattern.ask(h.jobsView(),
        replyTo -> new JobsView.ListJobs(filter, limit, beforeId, replyTo), settings.askTimeout(),
        system.scheduler()));
  }

  @Override
  public CompletionStage<Optional<List<UnitResult>>> results(String jobId, String taskId) {
    return job(jobId).thenCompose(found -> {
      if (found.isEmpty() || found.get().spec().task(taskId).isEmpty()) {
        return java.util.concurrent.CompletableFuture.completedFuture(Optional.<List<UnitResult>>empty());
      }
      List<AttemptKey> keys = new java.util.ArrayList<>();
      for (var unit : found.get().unitsOf(taskId)) {
        unit.latest().filter(a -> a.state() == io.baton.protocol.AttemptState.SUCCEEDED && a.resultBytes() != null)
            .ifPresent(a -> keys.add(new AttemptKey(jobId, unit.taskId(), a.attempt())));
      }
      return ha.jobStore().results(keys).thenApply(stored -> Optional.of(keys.stream()
          .filter(stored::containsKey)
          .map(k -> new UnitResult(k.taskId(), io.baton.protocol.job.Units.shardOf(k.taskId()), k.attempt(),
              stored.get(k)))
          .toList()));
    });
  }

  @Override
  public CompletionStage<Optional<JobRecord>> job(String jobId) {
    return onLeader(h -> AskPattern.ask(h.jobsView(),
        replyTo -> new JobsView.GetJob(jobId, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<RerunResult> rerun(String jobId) {
    return onLeader(h -> AskPattern.<JobsView.Command, Optional<JobRecord>>ask(h.jobsView(),
            replyTo -> new JobsView.GetJob(jobId, replyTo), settings.askTimeout(), system.scheduler())
        .thenCompose(found -> {
          if (found.isEmpty()) {
            return CompletableFuture.completedFuture(new RerunResult.NotFound("no job with id '" + jobId + "'"));
          }
          Optional<String> why = JobLogic.whyNotRerun(found.get());
          if (why.isPresent()) {
            return CompletableFuture.completedFuture(new RerunResult.Conflict(why.get()));
          }
          return AskPattern.<Dispatcher.Command, SubmitResult>askWithStatus(h.dispatcher(),
                  replyTo -> new Dispatcher.Rerun(found.get(), replyTo), settings.askTimeout(), system.scheduler())
              .thenApply(r -> (RerunResult) new RerunResult.Created(r.jobId(), r.state()));
        }));
  }

  @Override
  public CompletionStage<List<String>> reruns(String jobId) {
    return onLeader(h -> AskPattern.ask(h.jobsView(),
        replyTo -> new JobsView.GetReruns(jobId, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<CancelResult> cancel(String jobId) {
    return onLeader(h -> AskPattern.ask(h.dispatcher(),
        replyTo -> new Dispatcher.Cancel(jobId, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<List<ScheduleView>> schedules() {
    return onLeader(h -> AskPattern.ask(h.schedules(), ScheduleMaster.ListSchedules::new, settings.askTimeout(),
        system.scheduler()));
  }

  @Override
  public CompletionStage<Optional<ScheduleView>> schedule(String name) {
    return onLeader(h -> AskPattern.ask(h.schedules(), replyTo -> new ScheduleMaster.GetSchedule(name, replyTo),
        settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<ScheduleChange> putSchedule(ScheduleSpec spec, boolean replace) {
    return onLeader(h -> AskPattern.ask(h.schedules(), replyTo -> new ScheduleMaster.PutSchedule(spec, replace, replyTo),
        settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<ScheduleChange> pauseSchedule(String name, boolean paused) {
    return onLeader(h -> AskPattern.ask(h.schedules(), replyTo -> new ScheduleMaster.PauseSchedule(name, paused, replyTo),
        settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<ScheduleChange> deleteSchedule(String name) {
    return onLeader(h -> AskPattern.ask(h.schedules(), replyTo -> new ScheduleMaster.DeleteSchedule(name, replyTo),
        settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<Optional<String>> triggerSchedule(String name) {
    return onLeader(h -> AskPattern.ask(h.schedules(), replyTo -> new ScheduleMaster.TriggerSchedule(name, replyTo),
        settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<DeleteResult> delete(String jobId) {
    return onLeader(h -> AskPattern.ask(h.dispatcher(),
        replyTo -> new Dispatcher.Delete(jobId, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<LogResult> log(String jobId, String taskId, OptionalInt attempt) {
    return onLeader(h -> AskPattern.<JobsView.Command, JobsView.AttemptLookup>ask(h.jobsView(),
            replyTo -> new JobsView.FindAttempt(jobId, taskId, attempt, replyTo), settings.askTimeout(), system.scheduler())
        .thenCompose(lookup -> {
          if (lookup instanceof JobsView.AttemptMissing missing) {
            return CompletableFuture.completedFuture(new LogResult.NotFound(missing.detail()));
          }
          JobsView.AttemptFound found = (JobsView.AttemptFound) lookup;
          AttemptKey key = new AttemptKey(jobId, taskId, found.attempt());
          return AskPattern.<ResourceManager.Command, Optional<ActorRef<ToWorker>>>ask(h.resourceManager(),
                  replyTo -> new ResourceManager.GetWorker(found.workerId(), replyTo), settings.askTimeout(), system.scheduler())
              .thenCompose(worker -> worker.isEmpty()
                  ? CompletableFuture.completedFuture(new LogResult.Unavailable("worker " + found.workerId() + " is not registered"))
                  : readLog(h, worker.get(), key, found.handler(), 0, new ByteArrayOutputStream()));
        }));
  }

  private CompletionStage<LogResult> readLog(
      LeaderSession.Handles h, ActorRef<ToWorker> worker, AttemptKey key, boolean handler, long offset,
      ByteArrayOutputStream into) {
    return AskPattern.<ToWorker, LogChunk>ask(worker,
            replyTo -> new ToWorker.FetchLog(h.epoch(), key, offset, LOG_CHUNK_BYTES, replyTo),
            settings.askTimeout(), system.scheduler())
        .handle((chunk, failure) -> {
          if (failure != null) {
            return CompletableFuture.<LogResult>completedFuture(
                new LogResult.Unavailable("worker did not send the log of " + key + ": " + failure.getMessage()));
          }
          if (!chunk.found() && handler) {
            // a handler that printed nothing leaves no file
            return CompletableFuture.<LogResult>completedFuture(new LogResult.Found(new byte[0]));
          }
          if (!chunk.found()) {
            return CompletableFuture.<LogResult>completedFuture(new LogResult.NotFound("the worker keeps no log for " + key));
          }
          into.writeBytes(chunk.data());
          if (chunk.eof() || chunk.data().length == 0 || into.size() >= LOG_MAX_BYTES) {
            return CompletableFuture.<LogResult>completedFuture(new LogResult.Found(into.toByteArray()));
          }
          return readLog(h, worker, key, handler, chunk.nextOffset(), into);
        })
        .thenCompose(stage -> stage);
  }

  @Override
  public CompletionStage<List<WorkerView>> workers() {
    return onLeader(h -> AskPattern.ask(h.resourceManager(),
        ResourceManager.ListWorkers::new, settings.askTimeout(), system.scheduler()));
  }

  @Override
  public CompletionStage<DrainResult> drain(String workerId, boolean drain) {
    WorkerMode mode = drain ? WorkerMode.DRAINING : WorkerMode.ACTIVE;
    return onLeader(h -> AskPattern.ask(h.resourceManager(),
        replyTo -> new ResourceManager.SetWorkerMode(workerId, mode, replyTo), settings.askTimeout(), system.scheduler()));
  }

  @Override
  public ClusterView cluster() {
    Optional<LeaderSession.Handles> h = leading();
    Optional<LeaderInfo> leader = h.isPresent() ? Optional.of(h.get().info()) : published.or(retrieval::current);
    LeaderElection e = election;
    List<String> masters = e == null ? List.of() : e.participants();
    return new ClusterView(leader, selfRestUrl, h.isPresent(), masters, ha.connectionState(),
        h.map(x -> x.quarantined().get()).orElse(List.of()));
  }

  @Override
  public Optional<java.util.Set<String>> alertSecretNames() {
    return Optional.of(settings.alerts().secrets().keySet());
  }

  @Override
  public boolean ready() {
    return leading().map(h -> h.aliveWorkers().get() > 0).orElse(false);
  }

  @Override
  public void close() {
    retrieval.close();
  }
}
