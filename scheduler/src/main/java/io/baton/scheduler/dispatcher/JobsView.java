package io.baton.scheduler.dispatcher;

import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.api.JobFilter;
import io.baton.scheduler.model.JobIndex;
import io.baton.scheduler.model.JobLogic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The read model of one leader session: the latest version of every retained job, fed by the {@link Dispatcher}
 * (each accepted job and change, the recovered jobs, the history as it is read, each deletion) and answering
 * every query (lists filtered by state, name, worker and labels, detail, where an attempt ran) from a {@link JobIndex}, so queries never wait
 * behind submissions and the Dispatcher holds only unfinished jobs.
 */
public final class JobsView extends AbstractBehavior<JobsView.Command> {
  public sealed interface Command {}

  /** New or changed jobs. */
  public record Put(List<JobRecord> jobs) implements Command {
    public Put {
      jobs = List.copyOf(jobs);
    }
  }

  /**
   * The unfinished jobs a new leader read from the store: a view made by {@link #createRecovering} answers no query
   * before it has them (queries wait, so a job is never "not found" only because it was not read yet).
   */
  public record Recovered(List<JobRecord> jobs) implements Command {
    public Recovered {
      jobs = List.copyOf(jobs);
    }
  }

  /** The Dispatcher has read the whole finished history: a job not found now is not there. */
  public record HistoryRead() implements Command {}

  public record Remove(List<String> jobIds) implements Command {
    public Remove {
      jobIds = List.copyOf(jobIds);
    }
  }

  /** The jobs {@code filter} keeps, newest first: see {@link JobIndex#list(JobFilter, Optional, int)}. */
  public record ListJobs(JobFilter filter, int limit, Optional<String> beforeId, ActorRef<List<JobRecord>> replyTo)
      implements Command {
    /** By state and name only. */
    public ListJobs(Optional<JobState> state, Optional<String> name, int limit, Optional<String> beforeId,
        ActorRef<List<JobRecord>> replyTo) {
      this(new JobFilter(state, name, Optional.empty(), Map.of()), limit, beforeId, replyTo);
    }
  }

  public record GetJob(String jobId, ActorRef<Optional<JobRecord>> replyTo) implements Command {}

  /**
   * Many jobs at once, by id (those not found are left out): with {@code now}, as read so far, answered at once
   * (every unfinished job is read before any query is answered, so a job not found is not running); else once the
   * history is read, as {@link GetJob}. One message for a new leader's thousands of schedules instead
   * of an ask each.
   */
  public record GetJobs(java.util.Collection<String> jobIds, boolean now, ActorRef<JobsFound> replyTo)
      implements Command {}

  /** The answer to {@link GetJobs}: which lookup ({@code now}) and the jobs found, by id. */
  public record JobsFound(boolean now, Map<String, JobRecord> jobs) {}

  /** The ids of the jobs that rerun {@code jobId}, oldest first. */
  public record GetReruns(String jobId, ActorRef<List<String>> replyTo) implements Command {}

  /** Finds an attempt (the latest when none is named) to fetch its log. */
  public record FindAttempt(String jobId, String taskId, OptionalInt attempt, ActorRef<AttemptLookup> replyTo)
      implements Command {}

  public sealed interface AttemptLookup {}

  /** {@code handler}: a Java-handler task, whose worker writes a log file only if the handler printed something. */
  public record AttemptFound(String workerId, int attempt, boolean handler) implements AttemptLookup {}

  public record AttemptMissing(String detail) implements AttemptLookup {}

  private final JobIndex index = new JobIndex();
  /**
   * Whether every retained job is in the index. Until the history is read, a job that is not found may be a
   * finished one not read yet: such lookups wait ({@link #waitingForHistory}, at most
   * {@link #MAX_HELD_WHILE_RECOVERING}) instead of answering "not found".
   */
  private boolean historyRead;
  private final List<Command> waitingForHistory = new ArrayList<>();

  /** Queries held while a new leader reads its unfinished jobs; more are not answered (their asks time out). */
  static final int MAX_HELD_WHILE_RECOVERING = 10_000;

  /** A view of a complete store: what it is not told of does not exist (tests, and the Dispatcher's own). */
  public static Behavior<Command> create() {
    return Behaviors.setup(ctx -> new JobsView(ctx, true));
  }

  /** A view that holds every query until the Dispatcher has read the unfinished jobs ({@link Recovered}). */
  public static Behavior<Command> createRecovering() {
    return Behaviors.withStash(MAX_HELD_WHILE_RECOVERING, stash -> Behaviors.receive(Command.class)
        .onMessage(Recovered.class, m -> stash.unstashAll(Behaviors.setup(ctx -> {
          JobsView view = new JobsView(ctx, false);
          m.jobs().forEach(view.index::put);
          return view;
        })))
        .onMessage(Command.class, m -> {
          if (!stash.isFull()) {
            stash.stash(m);
          }
          return Behaviors.same();
        })
        .build());
  }

  private JobsView(ActorContext<Command> context, boolean historyRead) {
    super(context);
    this.historyRead = historyRead;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Put.class, m -> {
          m.jobs().forEach(index::put);
          return this;
        })
        .onMessage(Recovered.class, m -> {
          m.jobs().forEach(index::put);
          return this;
        })
        .onMessage(Remove.class, m -> {
          m.jobIds().forEach(index::remove);
          return this;
        })
        .onMessage(ListJobs.class, m -> reply(m.replyTo(), index.list(m.filter(), m.beforeId(), m.limit())))
        .onMessage(HistoryRead.class, m -> {
          historyRead = true;
          List<Command> waiting = List.copyOf(waitingForHistory);
          waitingForHistory.clear();
          waiting.forEach(getContext().getSelf()::tell);
          return this;
        })
        .onMessage(GetJob.class, m -> waitIfUnread(m, m.jobId()) ? this : reply(m.replyTo(), index.get(m.jobId())))
        .onMessage(GetJobs.class, m -> {
          if (!m.now() && !historyRead && waitingForHistory.size() < MAX_HELD_WHILE_RECOVERING) {
            waitingForHistory.add(m);
            return this;
          }
          Map<String, JobRecord> found = new java.util.HashMap<>();
          m.jobIds().forEach(id -> index.get(id).ifPresent(job -> found.put(id, job)));
          return reply(m.replyTo(), new JobsFound(m.now(), found));
        })
        .onMessage(GetReruns.class, m -> reply(m.replyTo(), index.reruns(m.jobId())))
        .onMessage(FindAttempt.class, m -> waitIfUnread(m, m.jobId()) ? this : reply(m.replyTo(), lookup(m)))
        .build();
  }

  /** Holds a lookup of a job not in the index until the history is read; whether it was held. */
  private boolean waitIfUnread(Command lookup, String jobId) {
    if (historyRead || index.get(jobId).isPresent() || waitingForHistory.size() >= MAX_HELD_WHILE_RECOVERING) {
      return false;
    }
    waitingForHistory.add(lookup);
    return true;
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T value) {
    to.tell(value);
    return this;
  }

  private AttemptLookup lookup(FindAttempt msg) {
    Optional<JobRecord> job = index.get(msg.jobId());
    if (job.isEmpty()) {
      return new AttemptMissing("no job " + msg.jobId());
    }
    Optional<TaskRecord> task = job.get().task(msg.taskId());
    if (task.isEmpty()) {
      return new AttemptMissing("job " + msg.jobId() + " has no task " + msg.taskId());
    }
    Optional<AttemptRecord> attempt = msg.attempt().isPresent()
        ? task.get().attempt(msg.attempt().getAsInt()) : task.get().latest();
    if (attempt.isEmpty()) {
      return new AttemptMissing(msg.attempt().isPresent()
          ? "task " + msg.taskId() + " has no attempt " + msg.attempt().getAsInt()
          : "task " + msg.taskId() + " has not started yet");
    }
    String message = attempt.get().message();
    if (message != null && message.startsWith(JobLogic.REUSED) && job.get().rerunOf() != null) {
      return new AttemptMissing("attempt " + attempt.get().attempt() + " of task " + msg.taskId() + " was not run in "
          + "this job (" + message + "): its log is that job's");
    }
    if (attempt.get().workerId() == null) {
      return new AttemptMissing("attempt " + attempt.get().attempt() + " was never placed on a worker");
    }
    boolean handler = job.get().spec().task(io.baton.protocol.job.Units.taskOf(msg.taskId()))
        .map(t -> t.isHandler()).orElse(false);
    return new AttemptFound(attempt.get().workerId(), attempt.get().attempt(), handler);
  }
}
