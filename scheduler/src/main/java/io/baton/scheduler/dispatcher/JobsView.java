package io.baton.scheduler.dispatcher;

import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.scheduler.model.JobIndex;
import io.baton.scheduler.model.JobLogic;
import java.util.List;
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
 * every query (lists, name search, detail, where an attempt ran) from a {@link JobIndex}, so queries never wait
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

  public record Remove(List<String> jobIds) implements Command {
    public Remove {
      jobIds = List.copyOf(jobIds);
    }
  }

  /** Jobs newest first: see {@link JobIndex#list}. */
  public record ListJobs(Optional<JobState> state, Optional<String> name, int limit, Optional<String> beforeId,
      ActorRef<List<JobRecord>> replyTo) implements Command {}

  public record GetJob(String jobId, ActorRef<Optional<JobRecord>> replyTo) implements Command {}

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

  public static Behavior<Command> create() {
    return Behaviors.setup(JobsView::new);
  }

  private JobsView(ActorContext<Command> context) {
    super(context);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Put.class, m -> {
          m.jobs().forEach(index::put);
          return this;
        })
        .onMessage(Remove.class, m -> {
          m.jobIds().forEach(index::remove);
          return this;
        })
        .onMessage(ListJobs.class, m -> reply(m.replyTo(), index.list(m.state(), m.name(), m.beforeId(), m.limit())))
        .onMessage(GetJob.class, m -> reply(m.replyTo(), index.get(m.jobId())))
        .onMessage(GetReruns.class, m -> reply(m.replyTo(), index.reruns(m.jobId())))
        .onMessage(FindAttempt.class, m -> reply(m.replyTo(), lookup(m)))
        .build();
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
