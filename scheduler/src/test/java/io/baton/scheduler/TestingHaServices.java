package io.baton.scheduler;

import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import io.baton.ha.ScheduleStore;
import io.baton.ha.inmemory.InMemoryHaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.job.JobRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The in-memory HA services with two faults a test can switch on: the job store's puts fail ({@link #storeFails},
 * which ends the leader's session), and a new leader's read of its unfinished jobs or of its history waits for a
 * latch ({@link #holdLoads}, {@link #holdHistory}).
 */
final class TestingHaServices implements HaServices {
  final InMemoryHaServices inMemory = new InMemoryHaServices();
  final AtomicBoolean storeFails = new AtomicBoolean();
  /** While set, {@link JobStore#loadForLeader} waits until the latch is counted down. */
  final AtomicReference<CountDownLatch> holdLoads = new AtomicReference<>();
  /** While set, {@link JobStore#loadHistory} waits until the latch is counted down. */
  final AtomicReference<CountDownLatch> holdHistory = new AtomicReference<>();
  /** While set, a leader's publication ({@link LeaderElection#confirmLeadership}) waits until it is counted down. */
  final AtomicReference<CountDownLatch> holdPublish = new AtomicReference<>();
  /** In order: "publishing <epoch>" when a leader asks to be published, "published <epoch>" when a leader's publication completes, "read <epoch>" when its job read starts. */
  final List<String> steps = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  private final JobStore store = new JobStore() {
    @Override
    public List<JobRecord> loadAll() throws Exception {
      return inMemory.jobStore().loadAll();
    }

    @Override
    public Loaded loadForLeader(Epoch epoch) throws Exception {
      steps.add("read " + epoch.value());
      CountDownLatch hold = holdLoads.get();
      if (hold != null) {
        hold.await();
      }
      return inMemory.jobStore().loadForLeader(epoch);
    }

    @Override
    public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches)
        throws Exception {
      CountDownLatch hold = holdHistory.get();
      if (hold != null) {
        hold.await();
      }
      return inMemory.jobStore().loadHistory(epoch, batchSize, batches);
    }

    @Override
    public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
      return storeFails.get()
          ? CompletableFuture.failedFuture(new java.io.IOException("disk on fire"))
          : inMemory.jobStore().put(epoch, job);
    }

    @Override
    public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
      return inMemory.jobStore().putFired(epoch, job, fire);
    }

    @Override
    public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
      return inMemory.jobStore().delete(epoch, jobId);
    }

    @Override
    public CompletableFuture<Void> putResult(Epoch epoch, io.baton.protocol.AttemptKey key, String result) {
      return inMemory.jobStore().putResult(epoch, key, result);
    }

    @Override
    public CompletableFuture<java.util.Map<io.baton.protocol.AttemptKey, String>> results(
        java.util.Collection<io.baton.protocol.AttemptKey> keys) {
      return inMemory.jobStore().results(keys);
    }
  };

  @Override
  public ScheduleStore scheduleStore() {
    return inMemory.scheduleStore();
  }

  @Override
  public LeaderElection leaderElection(String participantId) {
    LeaderElection election = inMemory.leaderElection(participantId);
    return new LeaderElection() {
      @Override
      public void start(io.baton.ha.LeaderContender contender) throws Exception {
        election.start(contender);
      }

      @Override
      public CompletableFuture<Void> confirmLeadership(Epoch epoch, io.baton.protocol.LeaderInfo info) {
        steps.add("publishing " + epoch.value());
        CountDownLatch hold = holdPublish.get();
        CompletableFuture<Void> held = hold == null ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(() -> {
              try {
                hold.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
        return held.thenCompose(x -> election.confirmLeadership(epoch, info))
            .thenRun(() -> steps.add("published " + epoch.value()));
      }

      @Override
      public boolean hasLeadership(Epoch epoch) {
        return election.hasLeadership(epoch);
      }

      @Override
      public List<String> participants() {
        return election.participants();
      }

      @Override
      public void stepDown(boolean rejoin) {
        election.stepDown(rejoin);
      }

      @Override
      public void close() {
        election.close();
      }
    };
  }

  @Override
  public LeaderRetrieval leaderRetrieval() {
    return inMemory.leaderRetrieval();
  }

  @Override
  public JobStore jobStore() {
    return store;
  }

  @Override
  public String connectionState() {
    return inMemory.connectionState();
  }

  @Override
  public void close() {
    inMemory.close();
  }
}
