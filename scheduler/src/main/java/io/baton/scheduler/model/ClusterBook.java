package io.baton.scheduler.model;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.protocol.Epoch;
import io.baton.scheduler.api.WorkerView;
import io.baton.scheduler.policy.Placement;
import io.baton.wire.AttemptReport;
import io.baton.wire.AttemptSpec;
import io.baton.wire.WireLimits;
import io.baton.wire.WorkerInfo;
import io.baton.wire.WorkerMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leader's book of the cluster for one epoch: which workers there are and whether they are ALIVE, what each
 * has free (one capacity ledger), the attempts waiting for capacity, the attempts placed or running on each worker,
 * the attempts recovered from the store that their workers have yet to confirm, and the acknowledgements waiting to
 * be sent. Pure: {@link #apply(Event, Instant)} takes an event and the time, changes the book and returns the
 * decisions for the caller to carry out, in order. Workers are named by id, attempt owners by job id (one owner per
 * job per epoch); the book never sends anything and never reads a clock.
 *
 * <p>Threading: owned by one actor (the ResourceManager), which applies every event on its own thread. Not
 * thread-safe; nothing else may touch it.
 *
 * <p>The rules it keeps:
 * <ul>
 *   <li>a worker is never given more than its capacity: placed and running attempts hold their cpus and memory
 *       from placement until a terminal report;</li>
 *   <li>an attempt placed is started on its worker only once its owner recorded it ({@link Launch}), so after a
 *       failover the store knows every attempt that may run ({@link Track}, {@link Reconciliation});</li>
 *   <li>an attempt is declared LOST only when its worker was silent for the heartbeat timeout, or when its worker
 *       re-registered without it (it provably never started there);</li>
 *   <li>a registration is refused when the certificate at the worker's address names another node, and when it
 *       takes the id of a live worker process without a certificate proving it is that worker ({@link IdProof}).</li>
 * </ul>
 */
public final class ClusterBook {

  /** What happened: a worker's message, an owner's request, or the passage of time. */
  public sealed interface Event {}

  /**
   * A worker (re)registered, reporting every attempt it has not had acknowledged. {@code incarnation} names the
   * worker process (a new one after a restart); {@code sentAtNanos} is echoed back.
   */
  public record Register(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, String incarnation,
      long sentAtNanos, IdProof proof, long token, WorkerMode mode) implements Event {
    public Register {
      mode = mode == null ? WorkerMode.ACTIVE : mode;
    }

    /** An ACTIVE worker's registration. */
    public Register(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, String incarnation, long sentAtNanos,
        IdProof proof, long token) {
      this(epoch, info, attempts, incarnation, sentAtNanos, proof, token, WorkerMode.ACTIVE);
    }

    /** A registration the transport proved nothing about (plaintext, or its address not yet verified). */
    public Register(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, String incarnation, long sentAtNanos) {
      this(epoch, info, attempts, incarnation, sentAtNanos, IdProof.UNPROVEN, 0);
    }

    public Register(Epoch epoch, WorkerInfo info, List<AttemptReport> attempts, String incarnation, long sentAtNanos,
        IdProof proof) {
      this(epoch, info, attempts, incarnation, sentAtNanos, proof, 0);
    }
  }

  /**
   * What the transport proved about a registration's worker id: the certificate at the worker's address names
   * this id ({@code CERTIFIED}), names another node ({@code CONFLICT}), or nothing is known ({@code UNPROVEN}:
   * plaintext, or no connection verified yet; the TLS layer then holds the address to the id once accepted).
   */
  public enum IdProof { CERTIFIED, UNPROVEN, CONFLICT }

  /** {@code token}: the capability the worker's registration was accepted with. */
  public record Heartbeat(Epoch epoch, String workerId, long sentAtNanos, long token) implements Event {
    public Heartbeat(Epoch epoch, String workerId, long sentAtNanos) {
      this(epoch, workerId, sentAtNanos, 0);
    }
  }

  /** {@code token}: the capability the worker's registration was accepted with. */
  public record Reports(Epoch epoch, String workerId, List<AttemptReport> reports, long token) implements Event {
    public Reports(Epoch epoch, String workerId, List<AttemptReport> reports) {
      this(epoch, workerId, reports, 0);
    }
  }

  /**
   * The worker told its own change of mode (SIGTERM: STOPPING; drained and exiting: STOPPED, which makes it DEAD
   * at once), or confirmed one the leader set. {@code token}: its registration's capability.
   */
  public record ModeChanged(Epoch epoch, String workerId, WorkerMode mode, long token) implements Event {}

  /**
   * An operator drains ({@code DRAINING}) or undrains ({@code ACTIVE}) a worker: answered with {@link ModeSet} or
   * {@link ModeRefused}; the worker is told ({@link TellMode}) so it keeps the mode for its next registrations.
   */
  public record SetMode(String workerId, WorkerMode mode) implements Event {
    public SetMode {
      if (mode != WorkerMode.DRAINING && mode != WorkerMode.ACTIVE) {
        throw new IllegalArgumentException("an operator sets DRAINING or ACTIVE, not " + mode);
      }
    }
  }

  /** Owners ask for these attempts to be placed; one already placed is ignored. */
  public record RequestAttempts(List<AttemptSpec> attempts) implements Event {}

  /** Owners recorded these placed attempts durably: their workers may be asked to start them. */
  public record Launch(List<AttemptKey> keys) implements Event {}

  /** After a failover: attempts the store says are active on some worker. */
  public record Track(List<Tracked> attempts) implements Event {}

  public record Tracked(AttemptKey key, String workerId, long milliCpus, long memoryMb) {}

  /** Drop these attempts if waiting, end them if placed but not launched, kill them if launched. */
  public record Cancel(List<AttemptKey> keys) implements Event {}

  /** An owner durably recorded this report: acknowledge it to the worker (batched). */
  public record Ack(String workerId, AttemptKey key, AttemptState state) implements Event {}

  /** Kill an attempt no owner tracks. */
  public record KillUntracked(String workerId, AttemptKey key) implements Event {}

  /** Send the acknowledgements batched so far. */
  public record FlushAcks() implements Event {}

  /** Time passed: silent workers become DEAD, unconfirmed attempts past the grace period LOST. */
  public record Tick() implements Event {}

  /** What the caller must do, in the order returned. */
  public sealed interface Decision {}

  /** A message to send to worker {@code workerId} (or to the sender of the message being applied). */
  public sealed interface ForWorker extends Decision {
    String workerId();
  }

  /** {@code token}: the capability the worker's heartbeats and reports must carry from now on. */
  public record RegistrationAccepted(String workerId, long echoNanos, long token) implements ForWorker {}

  /**
   * A heartbeat or reports naming a registered worker without its registration's capability: not from that
   * worker (e.g. another certificate holder naming it), or from one of its earlier registrations. Ignored.
   */
  public record Unauthenticated(String workerId, String what) implements Decision {}

  public record RegistrationRejected(String workerId, String reason) implements ForWorker {}

  public record HeartbeatAccepted(String workerId, long echoNanos) implements ForWorker {}

  /** The book does not know this worker in this epoch: it must register again. */
  public record NotRegistered(String workerId) implements ForWorker {}

  /** Tell worker {@code workerId} the mode an operator set. */
  public record TellMode(String workerId, WorkerMode mode) implements ForWorker {}

  /** A {@link SetMode} was applied (or changed nothing): the worker as it is now. */
  public record ModeSet(WorkerView view) implements Decision {}

  /** A {@link SetMode} refused: {@code notFound} when no such worker is known, else a conflict. */
  public record ModeRefused(String workerId, boolean notFound, String reason) implements Decision {}

  /** A worker changed (registered, DEAD, ALIVE again): publish its view. */
  public record WorkerChanged(WorkerView view, boolean saidStopped) implements Decision {
    public WorkerChanged(WorkerView view) {
      this(view, false);
    }
  }

  /** Tell the owner of these attempts (job {@code jobId}) where they were placed. */
  public record Place(String jobId, List<Placed> placements) implements Decision {
    public Place {
      placements = List.copyOf(placements);
    }
  }

  public record Placed(AttemptKey key, String workerId) {}

  public record StartAttempts(String workerId, List<AttemptSpec> specs) implements ForWorker {}

  /** Kill these attempts on their worker (they end CANCELLED). */
  public record Kill(String workerId, List<AttemptKey> keys) implements ForWorker {}

  public record AckReports(String workerId, List<Acked> acked) implements ForWorker {}

  public record Acked(AttemptKey key, AttemptState state) {}

  /** The first acknowledgement of a batch is waiting: apply {@link FlushAcks} soon. */
  public record FlushAcksSoon() implements Decision {}

  /**
   * Route a report to the owner of its attempt (job {@code report.key().jobId()}) when {@code owned}, else to
   * whoever handles attempts nobody owns. A LOST report made by the book itself is routed this way too.
   */
  public record RouteReport(AttemptReport report, String workerId, boolean provenNotStarted, boolean owned)
      implements Decision {}

  /** The book holds nothing more of job {@code jobId}: its owner may be forgotten. */
  public record OwnerIdle(String jobId) implements Decision {}

  /** A re-registering worker settled attempts recovered from the store (for the log). */
  public record Reconciled(String workerId, Reconciliation.Outcome outcome) implements Decision {}

  /** Acknowledgements are sent at once when this many are waiting for one worker. */
  public static final int MAX_ACK_BATCH = 1000;

  private static final class Worker {
    WorkerInfo info;
    String incarnation;
    long token;
    boolean alive;
    WorkerMode mode = WorkerMode.ACTIVE;
    Instant lastHeartbeat;
    List<Acked> pendingAcks = new ArrayList<>();
  }

  /** An attempt holding capacity on a worker; {@code launched} once its worker was asked to run it. */
  private record Held(String workerId, long milliCpus, long memoryMb, AttemptSpec spec, boolean launched) {}

  /** Cpus, memory and attempts held on one worker. */
  private record Usage(long milliCpus, long memoryMb, int attempts) {
    static final Usage NONE = new Usage(0, 0, 0);

    Usage plus(Held h, int sign) {
      return new Usage(milliCpus + sign * h.milliCpus(), memoryMb + sign * h.memoryMb(), attempts + sign);
    }
  }

  private final Epoch epoch;
  private final Duration heartbeatTimeout;
  private final Instant sessionStart;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  private final Map<AttemptKey, Held> held = new HashMap<>();
  private final Map<String, Usage> usage = new HashMap<>();
  /** Attempts waiting for capacity, by shape; within a shape, round-robin between jobs ({@link WaitingQueue}). */
  private final LinkedHashMap<Placement.Shape, WaitingQueue> waiting = new LinkedHashMap<>();
  /** Attempts waiting or held, by job: an owner is idle at zero. */
  private final Map<String, Integer> attemptsByJob = new HashMap<>();
  /** Tracked (recovered) attempts not yet confirmed by a registration of their worker, with that worker. */
  private final Map<AttemptKey, String> unconfirmed = new HashMap<>();
  /** Attempts to kill once their worker registers (it was not ALIVE when they were cancelled). */
  private final Set<AttemptKey> killOnRegistration = new HashSet<>();
  /** What each worker reported when it first registered in this epoch. */
  private final Map<String, Set<AttemptKey>> reportedAtRegistration = new HashMap<>();
  /**
   * Attempts a worker reported ended while no owner claimed them, newest last: a new leader's workers register
   * (and report) before it has read its jobs, so a JobMaster may {@link Track} an attempt after its end was
   * routed; it must not be held then (it would take its worker's capacity forever). At most
   * {@link #MAX_ENDED_UNOWNED}, the oldest forgotten first.
   */
  private final Set<AttemptKey> endedUnowned = new java.util.LinkedHashSet<>();
  static final int MAX_ENDED_UNOWNED = 100_000;

  public ClusterBook(Epoch epoch, Duration heartbeatTimeout, Instant sessionStart) {
    this.epoch = epoch;
    this.heartbeatTimeout = heartbeatTimeout;
    this.sessionStart = sessionStart;
  }

  public List<Decision> apply(Event event, Instant now) {
    List<Decision> out = new ArrayList<>();
    if (event instanceof Register e) {
      register(e, now, out);
    } else if (event instanceof Heartbeat e) {
      heartbeat(e, now, out);
    } else if (event instanceof Reports e) {
      reports(e, now, out);
    } else if (event instanceof ModeChanged e) {
      modeChanged(e, now, out);
    } else if (event instanceof SetMode e) {
      setMode(e, out);
    } else if (event instanceof RequestAttempts e) {
      e.attempts().forEach(this::enqueue);
      place(out);
    } else if (event instanceof Launch e) {
      launch(e, out);
    } else if (event instanceof Track e) {
      track(e, now, out);
    } else if (event instanceof Cancel e) {
      cancel(e, now, out);
    } else if (event instanceof Ack e) {
      ack(e, out);
    } else if (event instanceof KillUntracked e) {
      if (workers.containsKey(e.workerId())) {
        out.add(new Kill(e.workerId(), List.of(e.key())));
      }
    } else if (event instanceof FlushAcks) {
      workers.values().forEach(w -> flushAcks(w, out));
    } else if (event instanceof Tick) {
      tick(now, out);
    }
    return out;
  }

  public List<WorkerView> workers() {
    return workers.values().stream().map(this::view).toList();
  }

  public Optional<WorkerView> worker(String workerId) {
    return Optional.ofNullable(workers.get(workerId)).map(this::view);
  }

  public int aliveWorkers() {
    return (int) workers.values().stream().filter(w -> w.alive).count();
  }

  private void register(Register r, Instant now, List<Decision> out) {
    String workerId = r.info().workerId();
    if (r.epoch().compareTo(epoch) > 0) {
      out.add(new RegistrationRejected(workerId, "this leader's " + epoch + " is older than " + r.epoch()));
      return;
    }
    if (r.proof() == IdProof.CONFLICT) {
      out.add(new RegistrationRejected(workerId, "the certificate at this worker's address is not worker " + workerId + "'s"));
      return;
    }
    Worker existing = workers.get(workerId);
    if (existing != null && existing.alive && !existing.incarnation.equals(r.incarnation())
        && r.proof() != IdProof.CERTIFIED) {
      // another process claims the id of a live worker: only its certificate could prove it is the same worker
      // restarted; unproven, it waits until the live one is DEAD
      out.add(new RegistrationRejected(workerId, "worker id " + workerId + " is taken by a live worker ("
          + existing.incarnation + ")"));
      return;
    }
    Worker w = workers.computeIfAbsent(workerId, id -> new Worker());
    boolean newIncarnation = w.incarnation != null && !w.incarnation.equals(r.incarnation());
    if (newIncarnation || w.incarnation == null) {
      w.token = r.token();   // the same process registering again keeps its capability
    }
    w.info = r.info();
    w.incarnation = r.incarnation();
    w.mode = r.mode() == WorkerMode.STOPPED ? WorkerMode.STOPPING : r.mode();
    w.alive = true;
    w.lastHeartbeat = now;
    out.add(new RegistrationAccepted(workerId, r.sentAtNanos(), w.token));
    if (w.mode == WorkerMode.STOPPING) {
      stopping(w, now, out);   // after the acceptance: the worker takes commands only once registered
    }
    out.add(new WorkerChanged(view(w)));
    List<AttemptKey> trackedHere = unconfirmed.entrySet().stream()
        .filter(e -> e.getValue().equals(workerId)).map(Map.Entry::getKey).toList();
    Reconciliation.Outcome outcome = Reconciliation.onRegistration(trackedHere, r.attempts());
    Set<AttemptKey> reported = new HashSet<>(r.attempts().stream().map(AttemptReport::key).toList());
    reportedAtRegistration.putIfAbsent(workerId, reported);
    reported.forEach(unconfirmed::remove);
    for (AttemptReport report : r.attempts()) {
      route(report, workerId, false, out);
    }
    List<AttemptKey> toKill = r.attempts().stream()
        .filter(a -> !a.state().isTerminal() && killOnRegistration.remove(a.key())).map(AttemptReport::key).toList();
    if (!toKill.isEmpty()) {
      out.add(new Kill(workerId, toKill));
    }
    for (AttemptKey key : outcome.lost()) {
      unconfirmed.remove(key);
      routeNeverStarted(key, workerId, now, out);
    }
    if (newIncarnation) {
      // A new process of the same worker: attempts launched to the earlier one that it does not report never
      // started (messages to the dead process went nowhere; had it read them it would have written run records,
      // which the new one reports). A worker that merely registers again is the same process.
      List<AttemptKey> vanished = held.entrySet().stream()
          .filter(e -> e.getValue().workerId().equals(workerId) && e.getValue().launched()
              && !reported.contains(e.getKey()) && !unconfirmed.containsKey(e.getKey()))
          .map(Map.Entry::getKey).toList();
      vanished.forEach(key -> routeNeverStarted(key, workerId, now, out));
    }
    if (!trackedHere.isEmpty()) {
      out.add(new Reconciled(workerId, outcome));
    }
    place(out);
  }

  /**
   * The worker behind a message, if it is registered in this epoch and the message carries its capability; else
   * a {@link NotRegistered} (unknown) or an {@link Unauthenticated} (wrong capability: nothing is answered).
   */
  private Worker registered(Epoch messageEpoch, String workerId, long token, String what, List<Decision> out) {
    Worker w = workers.get(workerId);
    if (w == null || !messageEpoch.equals(epoch)) {
      out.add(new NotRegistered(workerId));
      return null;
    }
    if (token != w.token) {
      out.add(new Unauthenticated(workerId, what));
      return null;
    }
    return w;
  }

  private void heartbeat(Heartbeat h, Instant now, List<Decision> out) {
    Worker w = registered(h.epoch(), h.workerId(), h.token(), "heartbeat", out);
    if (w == null) {
      return;
    }
    w.lastHeartbeat = now;
    if (!w.alive) {
      w.alive = true;
      out.add(new WorkerChanged(view(w)));
    }
    out.add(new HeartbeatAccepted(h.workerId(), h.sentAtNanos()));
  }

  private void reports(Reports r, Instant now, List<Decision> out) {
    Worker w = registered(r.epoch(), r.workerId(), r.token(), "reports", out);
    if (w == null) {
      return;
    }
    w.lastHeartbeat = now;
    for (AttemptReport report : r.reports()) {
      route(report, r.workerId(), false, out);
    }
    place(out);
  }

  private void modeChanged(ModeChanged m, Instant now, List<Decision> out) {
    Worker w = registered(m.epoch(), m.workerId(), m.token(), "mode change", out);
    if (w == null || w.mode == m.mode()) {
      return;
    }
    w.mode = m.mode();
    if (m.mode() == WorkerMode.STOPPING) {
      stopping(w, now, out);
    }
    boolean stopped = m.mode() == WorkerMode.STOPPED && w.alive;
    if (stopped) {
      // it has drained and exits now: gone at once, not after the heartbeat timeout
      w.alive = false;
      loseAttemptsOf(w, now, "worker " + m.workerId() + " stopped", out);
    }
    out.add(new WorkerChanged(view(w), stopped));
    place(out);
  }

  /**
   * A worker's process is stopping: what was placed on it but not launched goes elsewhere now (it never started:
   * it was never sent), and the worker hears {@link TellMode} STOPPING, after every start it will ever be sent
   * (messages to a worker keep their order), so it knows when nothing more can arrive.
   */
  private void stopping(Worker w, Instant now, List<Decision> out) {
    String workerId = w.info.workerId();
    List<AttemptKey> unlaunched = held.entrySet().stream()
        .filter(e -> e.getValue().workerId().equals(workerId) && !e.getValue().launched())
        .map(Map.Entry::getKey).toList();
    for (AttemptKey key : unlaunched) {
      route(lostReport(key, now, "worker " + workerId + " is stopping; placed there, never started"), workerId, true,
          out);
    }
    out.add(new TellMode(workerId, WorkerMode.STOPPING));
  }

  private void setMode(SetMode m, List<Decision> out) {
    Worker w = workers.get(m.workerId());
    if (w == null) {
      out.add(new ModeRefused(m.workerId(), true, "no worker with id '" + m.workerId() + "' is registered"));
      return;
    }
    if (!w.alive) {
      out.add(new ModeRefused(m.workerId(), false, "worker '" + m.workerId() + "' is DEAD"));
      return;
    }
    if (w.mode == WorkerMode.STOPPING || w.mode == WorkerMode.STOPPED) {
      if (m.mode() == WorkerMode.DRAINING) {
        out.add(new ModeSet(view(w)));   // already draining, as its process stops
      } else {
        out.add(new ModeRefused(m.workerId(), false, "worker '" + m.workerId()
            + "' is stopping (its process was asked to exit); it cannot be undrained"));
      }
      return;
    }
    if (w.mode != m.mode()) {
      w.mode = m.mode();
      out.add(new TellMode(m.workerId(), m.mode()));
      out.add(new WorkerChanged(view(w)));
      place(out);
    }
    out.add(new ModeSet(view(w)));
  }

  private void launch(Launch l, List<Decision> out) {
    Map<String, List<AttemptSpec>> starts = new LinkedHashMap<>();
    for (AttemptKey key : l.keys()) {
      Held h = held.get(key);
      if (h != null && !h.launched()) {
        held.put(key, new Held(h.workerId(), h.milliCpus(), h.memoryMb(), h.spec(), true));
        starts.computeIfAbsent(h.workerId(), id -> new ArrayList<>()).add(h.spec());
      }
    }
    starts.forEach((workerId, specs) -> {
      if (workers.containsKey(workerId)) {
        // inputs ride in starts: a batch carrying many goes as several messages (see WireLimits)
        for (List<AttemptSpec> part : WireLimits.splitByPayload(specs, AttemptSpec::inputBytes)) {
          out.add(new StartAttempts(workerId, part));
        }
      }
    });
  }

  private void track(Track t, Instant now, List<Decision> out) {
    for (Tracked a : t.attempts()) {
      if (held.containsKey(a.key()) || endedUnowned.remove(a.key())) {
        continue; // held already, or its end was reported before its owner claimed it (and routed to the owner)
      }
      hold(a.key(), new Held(a.workerId(), a.milliCpus(), a.memoryMb(), null, true), false);
      Set<AttemptKey> reported = reportedAtRegistration.get(a.workerId());
      if (reported == null) {
        unconfirmed.put(a.key(), a.workerId());
      } else if (!reported.contains(a.key())) {
        routeNeverStarted(a.key(), a.workerId(), now, out);
      }
    }
  }

  private void cancel(Cancel c, Instant now, List<Decision> out) {
    Map<String, List<AttemptKey>> kills = new LinkedHashMap<>();
    for (AttemptKey key : c.keys()) {
      dequeue(key, out);
      Held h = held.get(key);
      if (h != null && h.launched()) {
        kills.computeIfAbsent(h.workerId(), id -> new ArrayList<>()).add(key);
      } else if (h != null) {
        // never sent to its worker: it ends here
        route(new AttemptReport(key, AttemptState.CANCELLED, null, null, now, "cancelled before it started"),
            h.workerId(), false, out);
      }
    }
    kills.forEach((workerId, keys) -> {
      Worker w = workers.get(workerId);
      if (w != null && w.alive) {
        out.add(new Kill(workerId, keys));
      } else {
        killOnRegistration.addAll(keys);
      }
    });
  }

  private void ack(Ack a, List<Decision> out) {
    Worker w = workers.get(a.workerId());
    if (w == null) {
      return;
    }
    if (w.pendingAcks.isEmpty()) {
      out.add(new FlushAcksSoon());
    }
    w.pendingAcks.add(new Acked(a.key(), a.state()));
    if (w.pendingAcks.size() >= MAX_ACK_BATCH) {
      flushAcks(w, out);
    }
  }

  private void flushAcks(Worker w, List<Decision> out) {
    if (!w.pendingAcks.isEmpty()) {
      out.add(new AckReports(w.info.workerId(), List.copyOf(w.pendingAcks)));
      w.pendingAcks = new ArrayList<>();
    }
  }

  private void tick(Instant now, List<Decision> out) {
    Instant deadline = now.minus(heartbeatTimeout);
    boolean changed = false;
    for (Worker w : workers.values()) {
      if (w.alive && w.lastHeartbeat.isBefore(deadline)) {
        w.alive = false;
        changed = true;
        out.add(new WorkerChanged(view(w)));
        loseAttemptsOf(w, now, "worker " + w.info.workerId() + " missed heartbeats for " + heartbeatTimeout.toMillis()
            + " ms", out);
      }
    }
    for (AttemptKey key : Reconciliation.lostAfterGrace(unconfirmed, reportedAtRegistration.keySet(), sessionStart,
        heartbeatTimeout, now)) {
      String workerId = unconfirmed.remove(key);
      route(lostReport(key, now, "worker " + workerId + " did not re-register within " + heartbeatTimeout.toMillis()
          + " ms of the new leader"), workerId, false, out);
      changed = true;
    }
    if (changed) {
      place(out);
    }
  }

  private void loseAttemptsOf(Worker w, Instant now, String why, List<Decision> out) {
    String workerId = w.info.workerId();
    List<AttemptKey> lost = held.entrySet().stream()
        .filter(e -> e.getValue().workerId().equals(workerId)).map(Map.Entry::getKey).toList();
    for (AttemptKey key : lost) {
      route(lostReport(key, now, why), workerId, false, out);
    }
  }

  /**
   * The attempt's worker re-registered without it: it never started there (a worker writes its run record before
   * it starts an attempt and reports every recorded attempt until acknowledged), so it is LOST and may run again
   * without counting against its retries.
   */
  private void routeNeverStarted(AttemptKey key, String workerId, Instant now, List<Decision> out) {
    route(lostReport(key, now, "worker " + workerId + " re-registered without it"), workerId, true, out);
  }

  private static AttemptReport lostReport(AttemptKey key, Instant now, String why) {
    return new AttemptReport(key, AttemptState.LOST, null, null, now, why);
  }

  private void route(AttemptReport report, String workerId, boolean provenNotStarted, List<Decision> out) {
    boolean owned = held.containsKey(report.key());
    if (!owned && report.state().isTerminal()) {
      endedUnowned.add(report.key());
      if (endedUnowned.size() > MAX_ENDED_UNOWNED) {
        endedUnowned.remove(endedUnowned.iterator().next());
      }
    }
    out.add(new RouteReport(report, workerId, provenNotStarted, owned));
    if (owned && report.state().isTerminal()) {
      release(report.key(), out);   // after the report: its owner may become idle
    }
  }

  private void place(List<Decision> out) {
    Map<String, List<Placed>> byJob = new LinkedHashMap<>();
    Iterator<Map.Entry<Placement.Shape, WaitingQueue>> shapes = waiting.entrySet().iterator();
    while (shapes.hasNext()) {
      Map.Entry<Placement.Shape, WaitingQueue> entry = shapes.next();
      WaitingQueue queue = entry.getValue();
      for (String workerId : Placement.placeUniform(freeCapacity(), entry.getKey(), queue.size())) {
        AttemptSpec spec = queue.poll();
        hold(spec.key(), new Held(workerId, spec.task().milliCpus(), spec.task().memoryMb(), spec, false), true);
        byJob.computeIfAbsent(spec.key().jobId(), j -> new ArrayList<>()).add(new Placed(spec.key(), workerId));
      }
      if (queue.isEmpty()) {
        shapes.remove();
      }
    }
    byJob.forEach((jobId, placements) -> out.add(new Place(jobId, placements)));
  }

  private List<Placement.Worker> freeCapacity() {
    List<Placement.Worker> free = new ArrayList<>(workers.size());
    for (Worker w : workers.values()) {
      Usage u = usage.getOrDefault(w.info.workerId(), Usage.NONE);
      free.add(new Placement.Worker(w.info.workerId(), w.alive && w.mode.takesAttempts(), w.info.milliCpus() - u.milliCpus(),
          w.info.memoryMb() - u.memoryMb(), w.info.labels()));
    }
    return free;
  }

  // The ledger: every change to waiting and held attempts goes through these four.

  private void enqueue(AttemptSpec spec) {
    if (held.containsKey(spec.key())) {
      return;
    }
    Placement.Shape shape = new Placement.Shape(spec.task().milliCpus(), spec.task().memoryMb(), spec.task().constraints());
    if (waiting.computeIfAbsent(shape, s -> new WaitingQueue()).add(spec)) {
      attemptsByJob.merge(spec.key().jobId(), 1, Integer::sum);
    }
  }

  private void dequeue(AttemptKey key, List<Decision> out) {
    boolean removed = false;
    for (WaitingQueue queue : waiting.values()) {
      removed |= queue.remove(key);
    }
    waiting.values().removeIf(WaitingQueue::isEmpty);
    if (removed) {
      forget(key.jobId(), out);
    }
  }

  /** Holds capacity for an attempt ({@code wasWaiting}: {@link #place} took it out of the queue). */
  private void hold(AttemptKey key, Held h, boolean wasWaiting) {
    if (!wasWaiting) {
      attemptsByJob.merge(key.jobId(), 1, Integer::sum);
    }
    held.put(key, h);
    usage.merge(h.workerId(), Usage.NONE.plus(h, 1), (a, b) -> a.plus(h, 1));
  }

  private void release(AttemptKey key, List<Decision> out) {
    Held h = held.remove(key);
    usage.computeIfPresent(h.workerId(), (id, u) -> u.plus(h, -1));
    forget(key.jobId(), out);
  }

  private void forget(String jobId, List<Decision> out) {
    if (attemptsByJob.merge(jobId, -1, Integer::sum) <= 0) {
      attemptsByJob.remove(jobId);
      out.add(new OwnerIdle(jobId));
    }
  }

  private WorkerView view(Worker w) {
    Usage u = usage.getOrDefault(w.info.workerId(), Usage.NONE);
    String state = !w.alive ? "DEAD" : w.mode.takesAttempts() ? "ALIVE" : "DRAINING";
    return new WorkerView(w.info.workerId(), w.info.host(), state, w.info.cpus(),
        w.info.memoryMb(), u.milliCpus() / 1000.0, u.memoryMb(), w.info.labels(), u.attempts(), w.lastHeartbeat);
  }
}
