package io.baton.ha;

import io.baton.protocol.Epoch;
import io.baton.protocol.schedule.ScheduleRecord;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable store of schedules and their fires. Only the leader writes, every write fenced by its epoch like the job
 * store's ({@link FencedException} once a newer epoch was granted). A fire is recorded with the job it creates by
 * {@link JobStore#putFired}; this store records the fires that create no job (skipped) and reads them all back.
 * Thread-safe; the futures complete on a store thread.
 */
public interface ScheduleStore {
  /** A stored schedule and its recorded fires, oldest first. */
  record Stored(ScheduleRecord schedule, List<RecordedFire> fires) {
    public Stored {
      fires = List.copyOf(fires);
    }
  }

  /**
   * A recorded fire: the instant it was due and the job it created (null when it was skipped); {@code jobRead}
   * false when {@link #loadAll} did not read which (see there).
   */
  record RecordedFire(Instant scheduledAt, String jobId, boolean jobRead) {
    public RecordedFire(Instant scheduledAt, String jobId) {
      this(scheduledAt, jobId, true);
    }

    /** A fire whose record was not read: only its instant is known. */
    public static RecordedFire unread(Instant scheduledAt) {
      return new RecordedFire(scheduledAt, null, false);
    }
  }

  /**
   * How many of a schedule's newest fires {@link #loadAll} reads the job of (a leader shows the last ten fires with
   * their jobs and needs the newest one's; the older records only mark instants as fired).
   */
  int FIRES_READ = 10;

  /** The name is taken ({@link #create}). */
  final class ScheduleExistsException extends Exception {
    public ScheduleExistsException(String name) {
      super("a schedule named '" + name + "' exists");
    }
  }

  /** No such schedule ({@link #replace}, {@link #delete}, {@link #recordSkipped}). */
  final class NoScheduleException extends Exception {
    public NoScheduleException(String name) {
      super("no schedule named '" + name + "'");
    }
  }

  /**
   * Every schedule with its fires, of which only the newest {@link #FIRES_READ} come with their job (the others are
   * {@link RecordedFire#unread}): a schedule keeps 20 to 40 fire records, and reading all of them made a new leader
   * with 10,000 schedules read up to 400,000 znodes before its first fire. Blocking; the leader calls it once when
   * its session starts. A record it cannot read is skipped and logged (it never stops a leader); fenced by nothing
   * (a read).
   */
  List<Stored> loadAll() throws Exception;

  /** Creates a schedule; fails with {@link ScheduleExistsException} when the name is taken. */
  CompletableFuture<Void> create(Epoch epoch, ScheduleRecord schedule);

  /** Replaces a stored schedule's record (its fires stay); {@link NoScheduleException} when there is none. */
  CompletableFuture<Void> replace(Epoch epoch, ScheduleRecord schedule);

  /** Deletes a schedule and its fire records; {@link NoScheduleException} when there is none. */
  CompletableFuture<Void> delete(Epoch epoch, String name);

  /**
   * Records a fire that creates no job (overlap {@code skip}): it counts as done, so no leader fires it again.
   * Completes normally also when that fire was recorded before.
   */
  CompletableFuture<Void> recordSkipped(Epoch epoch, String name, Instant scheduledAt);

  /** Deletes the records of these fires (keeping a schedule's fire records bounded); absent ones are ignored. */
  CompletableFuture<Void> forgetFires(Epoch epoch, String name, List<Instant> scheduledAt);
}
