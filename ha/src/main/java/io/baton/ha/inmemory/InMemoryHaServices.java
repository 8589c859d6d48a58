package io.baton.ha.inmemory;

import io.baton.ha.FencedException;
import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.JobStore.Fire;
import io.baton.ha.JobStore.FireExistsException;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderListener;
import io.baton.ha.LeaderRetrieval;
import io.baton.ha.ScheduleStore;
import io.baton.protocol.schedule.ScheduleRecord;
import java.util.HashMap;
import io.baton.ha.StoredJobs;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.alert.AlertCodec;
import io.baton.protocol.codec.JobCodec;
import io.baton.protocol.job.JobRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * HA services held in one JVM, for tests and single-process use: the first contender leads, the next one
 * takes over when it closes. Every callback runs on one event thread, in order. Jobs are kept encoded with
 * {@link JobCodec}, so what is read back went through the persisted format.
 */
public final class InMemoryHaServices implements HaServices {
  private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "inmemory-ha");
    t.setDaemon(true);
    return t;
  });
  private final Object lock = new Object();
  private final List<Election> contenders = new ArrayList<>();
  private final List<Retrieval> retrievals = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> jobs = new ConcurrentHashMap<>();
  /** Results by job id, then by attempt key. */
  private final Map<String, Map<AttemptKey, String>> results = new ConcurrentHashMap<>();
  private final Map<String, JobStore.Quarantined> quarantine = new java.util.TreeMap<>();
  private final Map<String, byte[]> quarantinedBytes = new ConcurrentHashMap<>();
  /** The alert outbox, by id, in the order raised, encoded with {@link AlertCodec}. Guarded by {@code lock}. */
  private final Map<String, byte[]> outbox = new java.util.LinkedHashMap<>();
  private long epochCounter;
  private Election leader;
  private Epoch leaderEpoch = Epoch.NONE;
  private LeaderInfo published;

  @Override
  public LeaderElection leaderElection(String participantId) {
    return new Election(participantId);
  }

  @Override
  public LeaderRetrieval leaderRetrieval() {
    return new Retrieval();
  }

  @Override
  public JobStore jobStore() {
    return store;
  }

  @Override
  public String connectionState() {
    return "CONNECTED";
  }

  /** The epoch of the current leader, or {@link Epoch#NONE}. */
  public Epoch currentEpoch() {
    synchronized (lock) {
      return leaderEpoch;
    }
  }

  /**
   * Returns once every callback queued so far (grants, revocations, leader changes) has run, so a test sees their
   * effects without waiting on a clock.
   */
  public void awaitEvents() {
    try {
      events.submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Stores {@code bytes} as the record of job {@code id}, bypassing the codec: tests plant corrupt records. */
  public void plantStoredRecord(String id, byte[] bytes) {
    jobs.put(id, bytes.clone());
  }

  /** The original bytes of a quarantined record, if {@code id} was quarantined. */
  public Optional<byte[]> quarantinedBytes(String id) {
    return Optional.ofNullable(quarantinedBytes.get(id)).map(byte[]::clone);
  }

  /** Takes leadership away from the current leader (as a lost session would) and grants it to the next one. */
  public void revokeCurrentLeader() {
    synchronized (lock) {
      if (leader != null) {
        Election old = leader;
        contenders.remove(old);
        contenders.add(old);
        leader = null;
        publish(null);
        events.execute(old.contender::revokeLeadership);
        electNext();
      }
    }
  }

  @Override
  public void close() {
    events.shutdownNow();
  }

  private void electNext() {
    if (leader == null && !contenders.isEmpty()) {
      leader = contenders.get(0);
      leaderEpoch = new Epoch(++epochCounter);
      Election granted = leader;
      Epoch epoch = leaderEpoch;
      events.execute(() -> granted.contender.grantLeadership(epoch));
    }
  }

  private void publish(LeaderInfo info) {
    published = info;
    Optional<LeaderInfo> value = Optional.ofNullable(info);
    for (Retrieval r : retrievals) {
      events.execute(() -> r.tell(value));
    }
  }

  private final JobStore store = new JobStore() {
    @Override
    public List<JobRecord> loadAll() {
      return jobs.values().stream().map(JobCodec::decode).toList();
    }

    @Override
    public Loaded loadForLeader(Epoch epoch) throws FencedException {
      synchronized (lock) {
        List<JobRecord> unsettled = new ArrayList<>();
        String newest = null;
        for (JobRecord job : readable(epoch)) {
          newest = newest == null || job.id().compareTo(newest) > 0 ? job.id() : newest;
          if (!job.settled()) {
            unsettled.add(job);
          }
        }
        return new Loaded(unsettled, new ArrayList<>(quarantine.values()), newest);
      }
    }

    @Override
    public List<Quarantined> loadHistory(Epoch epoch, int batchSize, Consumer<List<JobRecord>> batches)
        throws FencedException {
      List<JobRecord> settled;
      Set<String> before;
      synchronized (lock) {
        before = new HashSet<>(quarantine.keySet());
        settled = readable(epoch).stream().filter(JobRecord::settled)
            .sorted(java.util.Comparator.comparing(JobRecord::id).reversed()).toList();
      }
      for (int from = 0; from < settled.size(); from += batchSize) {
        batches.accept(settled.subList(from, Math.min(settled.size(), from + batchSize)));
      }
      synchronized (lock) {
        return quarantine.values().stream().filter(q -> !before.contains(q.id())).toList();
      }
    }

    /** Every readable record, quarantining the others; fenced by {@code epoch}. Holds the lock. */
    private List<JobRecord> readable(Epoch epoch) throws FencedException {
      if (!epoch.equals(leaderEpoch) || leader == null) {
        throw new FencedException(epoch, "current is " + leaderEpoch);
      }
      List<JobRecord> readable = new ArrayList<>();
      for (Map.Entry<String, byte[]> e : new ArrayList<>(jobs.entrySet())) {
        try {
          readable.add(StoredJobs.read(e.getKey(), e.getValue()));
        } catch (IllegalArgumentException bad) {
          jobs.remove(e.getKey());
          quarantine.put(e.getKey(), new Quarantined(e.getKey(), bad.getMessage(), Instant.now()));
          quarantinedBytes.put(e.getKey(), e.getValue());
        }
      }
      return readable;
    }

    @Override
    public CompletableFuture<Void> put(Epoch epoch, JobRecord job) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        jobs.put(job.id(), JobCodec.encode(job));
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> put(Epoch epoch, JobRecord job, List<Alert> alerts) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        jobs.put(job.id(), JobCodec.encode(job));
        for (Alert alert : alerts.stream().sorted(java.util.Comparator.comparing(Alert::id)).toList()) {
          if (!outbox.containsKey(alert.id()) && outbox.size() >= MAX_OUTBOX) {
            org.slf4j.LoggerFactory.getLogger(InMemoryHaServices.class).error(
                "alert outbox full ({} alerts): dropping alert {} of job {}", MAX_OUTBOX, alert.id(), job.id());
          } else {
            outbox.putIfAbsent(alert.id(), AlertCodec.encode(alert));
          }
        }
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<Alert> pendingAlerts() {
      synchronized (lock) {
        return outbox.values().stream().map(AlertCodec::decode).toList();
      }
    }

    @Override
    public CompletableFuture<Void> deleteAlert(Epoch epoch, String alertId) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        outbox.remove(alertId);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> putFired(Epoch epoch, JobRecord job, Fire fire) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        java.util.TreeMap<Instant, String> recorded = scheduleFires.get(fire.schedule());
        if (recorded == null) {
          return CompletableFuture.failedFuture(new IllegalStateException(
              "schedule " + fire.schedule() + " is not stored: cannot record " + fire.id()));
        }
        if (recorded.containsKey(fire.scheduledAt())) {
          return CompletableFuture.failedFuture(new FireExistsException(fire));
        }
        recorded.put(fire.scheduledAt(), job.id());
        jobs.put(job.id(), JobCodec.encode(job));
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> delete(Epoch epoch, String jobId) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        jobs.remove(jobId);
        results.remove(jobId);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> putResult(Epoch epoch, AttemptKey key, String result) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        results.computeIfAbsent(key.jobId(), id -> new ConcurrentHashMap<>()).putIfAbsent(key, result);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Map<AttemptKey, String>> results(java.util.Collection<AttemptKey> keys) {
      Map<AttemptKey, String> out = new java.util.HashMap<>();
      for (AttemptKey key : keys) {
        String r = results.getOrDefault(key.jobId(), Map.of()).get(key);
        if (r != null) {
          out.put(key, r);
        }
      }
      return CompletableFuture.completedFuture(out);
    }
  };

  @Override
  public ScheduleStore scheduleStore() {
    return schedules;
  }

  /** Schedules by name with their fires (instant to job id, "" when skipped). Guarded by lock. */
  private final Map<String, ScheduleRecord> scheduleRecords = new java.util.TreeMap<>();
  private final Map<String, java.util.TreeMap<Instant, String>> scheduleFires = new HashMap<>();

  private final ScheduleStore schedules = new ScheduleStore() {
    @Override
    public List<Stored> loadAll() {
      synchronized (lock) {
        List<Stored> out = new ArrayList<>();
        scheduleRecords.forEach((name, record) -> {
          java.util.TreeMap<Instant, String> fires = scheduleFires.getOrDefault(name, new java.util.TreeMap<>());
          int unread = Math.max(0, fires.size() - FIRES_READ); // as the ZooKeeper store: the newest are read
          List<RecordedFire> own = new ArrayList<>(fires.size());
          for (Map.Entry<Instant, String> e : fires.entrySet()) {
            own.add(unread-- > 0 ? RecordedFire.unread(e.getKey())
                : new RecordedFire(e.getKey(), e.getValue().isEmpty() ? null : e.getValue()));
          }
          out.add(new Stored(record, own));
        });
        return out;
      }
    }

    private CompletableFuture<Void> fenced(Epoch epoch, java.util.concurrent.Callable<Void> write) {
      synchronized (lock) {
        if (!epoch.equals(leaderEpoch) || leader == null) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "current is " + leaderEpoch));
        }
        try {
          write.call();
          return CompletableFuture.completedFuture(null);
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      }
    }

    @Override
    public CompletableFuture<Void> create(Epoch epoch, ScheduleRecord schedule) {
      return fenced(epoch, () -> {
        if (scheduleRecords.putIfAbsent(schedule.name(), schedule) != null) {
          throw new ScheduleExistsException(schedule.name());
        }
        scheduleFires.put(schedule.name(), new java.util.TreeMap<>());
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> replace(Epoch epoch, ScheduleRecord schedule) {
      return fenced(epoch, () -> {
        if (scheduleRecords.replace(schedule.name(), schedule) == null) {
          throw new NoScheduleException(schedule.name());
        }
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> delete(Epoch epoch, String name) {
      return fenced(epoch, () -> {
        if (scheduleRecords.remove(name) == null) {
          throw new NoScheduleException(name);
        }
        scheduleFires.remove(name);
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> recordSkipped(Epoch epoch, String name, Instant scheduledAt) {
      return fenced(epoch, () -> {
        if (!scheduleRecords.containsKey(name)) {
          throw new NoScheduleException(name);
        }
        scheduleFires.get(name).putIfAbsent(scheduledAt, "");
        return null;
      });
    }

    @Override
    public CompletableFuture<Void> forgetFires(Epoch epoch, String name, List<Instant> scheduledAt) {
      return fenced(epoch, () -> {
        java.util.TreeMap<Instant, String> fires = scheduleFires.get(name);
        if (fires != null) {
          scheduledAt.forEach(fires::remove);
        }
        return null;
      });
    }
  };

  private final class Election implements LeaderElection {
    private final String participantId;
    private LeaderContender contender;

    Election(String participantId) {
      this.participantId = participantId;
    }

    @Override
    public void start(LeaderContender c) {
      synchronized (lock) {
        if (contender != null) {
          throw new IllegalStateException("election already started");
        }
        contender = java.util.Objects.requireNonNull(c);
        contenders.add(this);
        electNext();
      }
    }

    @Override
    public CompletableFuture<Void> confirmLeadership(Epoch epoch, LeaderInfo info) {
      synchronized (lock) {
        if (leader != this || !leaderEpoch.equals(epoch)) {
          return CompletableFuture.failedFuture(new FencedException(epoch, "not the current leader"));
        }
        publish(info);
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean hasLeadership(Epoch epoch) {
      synchronized (lock) {
        return leader == this && leaderEpoch.equals(epoch);
      }
    }

    @Override
    public List<String> participants() {
      synchronized (lock) {
        return contenders.stream().map(e -> e.participantId).toList();
      }
    }

    @Override
    public void stepDown(boolean rejoin) {
      if (!rejoin) {
        close();
        return;
      }
      synchronized (lock) {
        if (leader == this) {
          contenders.remove(this);
          contenders.add(this);
          leader = null;
          publish(null);
          events.execute(contender::revokeLeadership);
          electNext();
        }
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (!contenders.remove(this)) {
          return;
        }
        if (leader == this) {
          leader = null;
          publish(null);
          LeaderContender c = contender;
          events.execute(c::revokeLeadership);
          electNext();
        }
      }
    }
  }

  private final class Retrieval implements LeaderRetrieval {
    private LeaderListener listener;
    private Optional<LeaderInfo> told; // on the event thread only

    @Override
    public void start(LeaderListener l) {
      synchronized (lock) {
        if (listener != null) {
          throw new IllegalStateException("retrieval already started");
        }
        listener = java.util.Objects.requireNonNull(l);
        retrievals.add(this);
        Optional<LeaderInfo> now = Optional.ofNullable(published);
        events.execute(() -> tell(now));
      }
    }

    /** On the event thread: tells the listener of a change (an unchanged value is not one, as with ZooKeeper). */
    private void tell(Optional<LeaderInfo> value) {
      if (!value.equals(told)) {
        told = value;
        listener.leaderChanged(value);
      }
    }

    @Override
    public Optional<LeaderInfo> current() {
      synchronized (lock) {
        return Optional.ofNullable(published);
      }
    }

    @Override
    public void close() {
      retrievals.remove(this);
    }
  }
}
