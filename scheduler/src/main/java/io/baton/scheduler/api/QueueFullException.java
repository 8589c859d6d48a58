package io.baton.scheduler.api;

/**
 * A submission refused because the tasks of this master's unfinished jobs plus the new job's would exceed
 * {@link SchedulerSettings#maxQueuedTasks()}; nothing was created. The client should retry later.
 */
public final class QueueFullException extends RuntimeException {
  private final long queued;
  private final int submitted;
  private final long limit;

  public QueueFullException(long queued, int submitted, long limit) {
    super("the master holds " + queued + " tasks of unfinished jobs; " + submitted + " more would exceed the limit of "
        + limit + "; retry once jobs have finished");
    this.queued = queued;
    this.submitted = submitted;
    this.limit = limit;
  }

  public long queued() {
    return queued;
  }

  public int submitted() {
    return submitted;
  }

  public long limit() {
    return limit;
  }
}
