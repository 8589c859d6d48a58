package io.baton.app;

import io.baton.ha.JobStore;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.ha.zookeeper.ZooKeeperHaServices;
import io.baton.ha.zookeeper.ZooKeeperSettings;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.protocol.JobState;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.TaskSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fills a cluster's ZooKeeper with jobs for the recovery benchmark, far faster than submitting them: it contends for
 * leadership like a master (with the masters' secret, {@code BATON_ZK_SECRET}), and once granted writes, through the
 * job store a leader uses, {@code --finished} one-task jobs that SUCCEEDED (named {@code etl-<i mod 1000>}, so a name
 * matches 100 of every 100,000) and {@code --pending} one-task jobs that wait for a worker labelled
 * {@code zone=nowhere} (none is). Ids are a leader's (time-ordered), so a master that leads afterwards continues
 * above them. Run it before any master starts, or while none leads: it takes the leadership and leaves it.
 */
@Command(name = "bench-seed", mixinStandardHelpOptions = true, hidden = true,
    description = "Benchmark helper: store finished and waiting jobs directly (see bench/recovery.sh).")
final class SeedBenchCommand implements Callable<Integer> {
  @Option(names = "--zk", required = true) String zk;

  @Option(names = "--finished", defaultValue = "100000") int finished;

  @Option(names = "--pending", defaultValue = "0") int pending;

  @Option(names = "--in-flight", defaultValue = "8000") int inFlight;

  @Override
  public Integer call() throws Exception {
    String secret = System.getenv("BATON_ZK_SECRET");
    ZooKeeperSettings settings = ZooKeeperSettings.of(zk);
    if (secret != null && !secret.isBlank()) {
      settings = settings.withSecret(secret.strip());
    }
    try (ZooKeeperHaServices ha = ZooKeeperHaServices.start(settings);
        LeaderElection election = ha.leaderElection("http://bench-seed.invalid")) {
      CompletableFuture<Epoch> granted = new CompletableFuture<>();
      AtomicReference<Throwable> lost = new AtomicReference<>();
      election.start(new LeaderContender() {
        @Override
        public void grantLeadership(Epoch epoch) {
          granted.complete(epoch);
        }

        @Override
        public void revokeLeadership() {
          lost.set(new IllegalStateException("leadership revoked while seeding"));
        }

        @Override
        public void handleError(Throwable error) {
          lost.set(error);
          granted.completeExceptionally(error);
        }
      });
      Epoch epoch = granted.get(60, TimeUnit.SECONDS);
      JobStore store = ha.jobStore();
      long t0 = System.nanoTime();
      long base = (Instant.now().toEpochMilli() - 60_000) << 16;
      Semaphore window = new Semaphore(inFlight);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Instant at = Instant.now().minus(Duration.ofMinutes(1));
      for (int i = 0; i < finished + pending; i++) {
        window.acquire();
        if (failed.get() != null || lost.get() != null) {
          break;
        }
        String id = String.format("%016x", base + i);
        JobRecord job = i < finished ? succeeded(id, "etl-" + (i % 1000), at) : waiting(id, "waits-" + i, at);
        store.put(epoch, job).whenComplete((ok, e) -> {
          if (e != null) {
            failed.compareAndSet(null, e);
          }
          window.release();
        });
      }
      window.acquire(inFlight);
      Throwable problem = failed.get() != null ? failed.get() : lost.get();
      if (problem != null) {
        throw new IllegalStateException("seeding failed: " + problem, problem);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("seeded %d finished and %d waiting one-task jobs in %.1f s (%.0f jobs/s) as epoch %d%n",
          finished, pending, seconds, (finished + pending) / seconds, epoch.value());
    }
    return 0;
  }

  private static JobRecord succeeded(String id, String name, Instant at) {
    JobRecord job = JobRecord.submitted(id, new JobSpec(name, Map.of(), List.of(
        TaskSpec.handler("t", "noop", null, List.of()))), null, at).withState(JobState.RUNNING, at);
    job = job.withTask(job.tasks().get(0).withAttempt(
        new AttemptRecord(1, AttemptState.SUCCEEDED, "w1", 0, at, at.plusMillis(5), null)));
    return job.withState(JobState.SUCCEEDED, at.plusMillis(6));
  }

  private static JobRecord waiting(String id, String name, Instant at) {
    return JobRecord.submitted(id, new JobSpec(name, Map.of(), List.of(
        TaskSpec.handler("t", "noop", null, List.of()).withConstraints(Map.of("zone", "nowhere")))), null, at);
  }
}
