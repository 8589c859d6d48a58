package io.baton.ha.zookeeper;

import io.baton.ha.FencedException;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a Curator {@link LeaderLatch} at {@link ZkPaths#leaderLatch()}.
 *
 * <p>Threading: one single-threaded executor per election runs every latch callback, every contender callback
 * and every ZooKeeper write of the election, so grant, revoke and confirm happen in one order. On a grant the
 * epoch is bumped in one transaction (check our latch node, set {@code /epoch}); the new data version of
 * {@code /epoch} is the epoch. {@code SUSPENDED} counts as not leader (Curator's default error policy).
 * {@link #confirmLeadership} writes the ephemeral {@code /leader} in a transaction that checks our latch node
 * and the {@code /epoch} version. {@link #hasLeadership} may be called from any thread.
 *
 * <p>Loss is noticed before it is delivered: a connection listener of our own, on Curator's connection-state
 * thread, ends the current term in {@link Terms} the moment the connection is SUSPENDED or LOST, and
 * {@link #hasLeadership} also asks whether the client is connected right now. So {@link #hasLeadership} and the
 * job store's writes stop at the first sign of loss, even while the event thread is still busy and the contender
 * has not yet been told (it is told, as before, when the latch reports it).
 *
 * <p>A process that was paused (SIGSTOP, a long GC pause, a frozen VM) cannot know at once that its session
 * expired meanwhile: the client notices only when it next talks to ZooKeeper. A pause detector ticks on a thread of
 * its own; {@link #hasLeadership} is false while the last tick is older than half the session timeout (so every
 * thread that wakes from a pause sees it before the detector has run again), and after such a gap it stays false
 * until ZooKeeper confirms that this process's latch node still exists (the session is alive). Half, because a
 * client that pings every third of the timeout cannot lose its session to a shorter pause. A gap that long
 * happens only if the whole process stalls: leadership is then re-confirmed, not given up.
 *
 * <p>While a term lasts, {@code /epoch} and (once published) {@code /leader} are watched: if another client bumps
 * {@code /epoch} or rewrites or deletes {@code /leader}, the term ends once, loudly (one revocation), and this
 * master rejoins the election with a new latch node, so leadership comes back as a new epoch.
 */
public final class ZooKeeperLeaderElection implements LeaderElection {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperLeaderElection.class);
  static final Duration PAUSE_TICK = Duration.ofMillis(50);
  private static final long RETRY_MILLIS = 300;

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final String participantId;
  private final Terms terms;
  private final ScheduledExecutorService events;
  private LeaderContender contender;
  private LeaderLatch latch;
  /** The participants as last read; refreshed in the background whenever the latch's children change. */
  private volatile List<String> participants = List.of();
  /** Reads the participants (blocking reads) off the election's event thread, which must stay free for grants. */
  private final ExecutorService participantReader = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "zk-election-participants");
    t.setDaemon(true);
    return t;
  });
  private long generation;
  /** Counts publishes of /leader; only the newest one's watch acts (event thread). */
  private long leaderWatch;
  /** What the newest publish wrote to /leader (event thread). */
  private byte[] published;
  private boolean closed;
  private String grantedLatchPath;
  private volatile Epoch granted;
  private final ConnectionStateListener lossListener = (c, state) -> onConnectionState(state);
  private final ScheduledExecutorService pauseDetector;
  private final LongSupplier nanoClock;
  private volatile long lastTickNanos;
  /** When the latch last said this master leads, and when the term was granted (event thread; for the log). */
  private long latchSaidAt;
  private long grantedAt;
  /** The term that a pause put in doubt, until ZooKeeper has confirmed its latch node (or it is revoked). */
  private volatile Epoch unconfirmed;

  public ZooKeeperLeaderElection(CuratorFramework client, ZkPaths paths, String participantId) {
    this(client, paths, participantId, new Terms(), PAUSE_TICK, System::nanoTime);
  }

  /**
   * @param tick      how often the pause detector ticks (far below half the session timeout)
   * @param nanoClock a monotonic clock ({@link System#nanoTime} but in tests)
   */
  ZooKeeperLeaderElection(CuratorFramework client, ZkPaths paths, String participantId, Terms terms, Duration tick,
      LongSupplier nanoClock) {
    this.client = Objects.requireNonNull(client);
    this.paths = Objects.requireNonNull(paths);
    this.participantId = Objects.requireNonNull(participantId);
    this.terms = terms;
    this.nanoClock = nanoClock;
    this.lastTickNanos = nanoClock.getAsLong();
    this.events = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "zk-election");
      t.setDaemon(true);
      return t;
    });
    this.pauseDetector = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "zk-pause-detector");
      t.setDaemon(true);
      return t;
    });
    pauseDetector.scheduleWithFixedDelay(this::tick, tick.toNanos(), tick.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * On the pause detector's thread: notes the tick, and after a pause asks ZooKeeper whether we still lead. Never
   * throws (a scheduled task that throws is not run again).
   */
  void tick() {
    try {
      long now = nanoClock.getAsLong();
      long gap = now - lastTickNanos;
      lastTickNanos = now;
      Epoch epoch = granted;
      String latchPath = grantedLatchPath;
      if (gap <= pauseLimitNanos() || epoch == null || latchPath == null || epoch.equals(unconfirmed)) {
        return;
      }
      unconfirmed = epoch;
      log.warn("{} was paused for {} ms; confirming leadership for {} with ZooKeeper before acting as leader",
          participantId, gap / 1_000_000, epoch);
      client.checkExists().inBackground((c, event) -> {
        if (event.getStat() == null) {
          terms.revoked(epoch);
          log.warn("{} no longer leads for {}: its latch node is gone ({})", participantId, epoch,
              KeeperException.Code.get(event.getResultCode()));
        } else {
          log.info("{} still leads for {} after its pause", participantId, epoch);
        }
        confirmed(epoch);
      }).forPath(latchPath);
    } catch (Throwable e) {
      Epoch epoch = unconfirmed;
      if (epoch != null) {
        terms.revoked(epoch);
        confirmed(epoch);
      }
      log.warn("{} could not confirm its leadership after a pause: {}", participantId, e.toString());
    }
  }

  /** The doubt about {@code epoch} is settled (confirmed, or the term revoked). */
  private void confirmed(Epoch epoch) {
    if (epoch.equals(unconfirmed)) {
      unconfirmed = null;
    }
  }

  @Override
  public void start(LeaderContender c) throws Exception {
    Objects.requireNonNull(c);
    CompletableFuture<Void> started = new CompletableFuture<>();
    events.execute(() -> {
      try {
        if (contender != null || closed) {
          throw new IllegalStateException("election already started or closed");
        }
        contender = c;
        client.getConnectionStateListenable().addListener(lossListener);
        startLatch();
        started.complete(null);
      } catch (Throwable e) {
        started.completeExceptionally(e);
      }
    });
    try {
      started.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** On the event thread: joins the election with a new latch node. */
  private void startLatch() throws Exception {
    latch = new LeaderLatch(client, paths.leaderLatch(), participantId, LeaderLatch.CloseMode.SILENT);
    latch.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        onIsLeader();
      }

      @Override
      public void notLeader() {
        onNotLeader();
      }
    }, events);
    latch.start();
    watchParticipants();
  }

  /**
   * Keeps {@link #participants} current without a ZooKeeper round trip per caller (it is read on every REST request
   * a master forwards or answers): re-read on every change of the latch's children, in the background.
   */
  private void watchParticipants() {
    if (closed) {
      return;
    }
    LeaderLatch l = latch;
    try {
      client.getChildren()
          .usingWatcher((CuratorWatcher) event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
              onEvents(this::watchParticipants);
            }
          })
          .inBackground((c, event) -> {
            if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
              // no latch node yet (no watch was left): look again once the latch has made its path
              onEvents(() -> events.schedule(this::watchParticipants, 50, TimeUnit.MILLISECONDS));
              return;
            }
            participantReader.execute(() -> {
              try {
                participants = l.getParticipants().stream().map(Participant::getId).toList();
              } catch (Exception e) {
                log.debug("could not read participants: {}", e.toString());
              }
            });
          })
          .forPath(paths.leaderLatch());
    } catch (Exception e) {
      log.debug("could not watch {}: {}", paths.leaderLatch(), e.toString());
    }
  }

  /** Runs {@code r} on the event thread; a watch that fires after {@link #close} has nothing left to do. */
  private void onEvents(Runnable r) {
    try {
      events.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
      log.debug("{}: a ZooKeeper callback after the election closed", participantId);
    }
  }

  /**
   * On the event thread: watches {@code /epoch} for the term; a version other than the epoch (another client
   * wrote it) or its deletion ends the term. Re-armed on every change while the term lasts.
   */
  private void watchEpoch(Epoch epoch) {
    if (closed || !epoch.equals(granted)) {
      return;
    }
    try {
      client.checkExists()
          .usingWatcher((CuratorWatcher) event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
              onEvents(() -> watchEpoch(epoch));
            }
          })
          .inBackground((c, event) -> onEvents(() -> {
            if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
              endTerm(epoch, paths.epoch() + " was deleted");
            } else if (event.getResultCode() == KeeperException.Code.OK.intValue()
                && event.getStat().getVersion() != epoch.value()) {
              endTerm(epoch, paths.epoch() + " is at version " + event.getStat().getVersion()
                  + ", not this term's " + epoch.value());
            }
          }))
          .forPath(paths.epoch());
    } catch (Exception e) {
      log.warn("{} could not watch {}: {}", participantId, paths.epoch(), e.toString());
    }
  }

  /**
   * On the event thread, once {@code /leader} is published: watches it; its deletion, or content or owner that is
   * no longer ours, ends the term.
   */
  private void watchLeader(Epoch epoch, long watch, long session) {
    if (closed || !epoch.equals(granted) || watch != leaderWatch) {
      return; // a newer publish watches /leader now
    }
    try {
      client.getData()
          .usingWatcher((CuratorWatcher) event -> {
            if (event.getType() != Watcher.Event.EventType.None) {
              onEvents(() -> watchLeader(epoch, watch, session));
            }
          })
          .inBackground((c, event) -> onEvents(() -> {
            if (watch != leaderWatch) {
              return;
            }
            if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
              endTerm(epoch, paths.leader() + " was deleted");
            } else if (watch == leaderWatch && event.getResultCode() == KeeperException.Code.OK.intValue()
                && (event.getStat().getEphemeralOwner() != session || !Arrays.equals(event.getData(), published))) {
              endTerm(epoch, paths.leader() + " was rewritten by another client");
            }
          }))
          .forPath(paths.leader());
    } catch (Exception e) {
      log.warn("{} could not watch {}: {}", participantId, paths.leader(), e.toString());
    }
  }

  /**
   * On the event thread: another client changed {@code /epoch} or {@code /leader} behind this leader's back, so its
   * term is over. Ends it once, loudly: the contender is told (one revocation), and this master rejoins the
   * election with a new latch node, so leadership (this master's or another's) comes back as a new epoch instead of
   * a session that fails and restarts forever.
   */
  private void endTerm(Epoch epoch, String reason) {
    if (closed || !epoch.equals(granted)) {
      return;
    }
    log.error("{} ENDS ITS TERM {}: {}. Something other than this leader wrote the election's znodes; "
        + "rejoining the election for a new epoch.", participantId, epoch, reason);
    rejoin(false);
  }

  /**
   * On the event thread: ends any term (the contender told first), removes this term's {@code /leader} (waiting for
   * it with {@code waitForLeaderNode}) and latch node, and joins again with a new latch node, behind the others.
   */
  private void rejoin(boolean waitForLeaderNode) {
    generation++;
    revokeIfGranted();
    deleteOwnLeaderNode(waitForLeaderNode);
    LeaderLatch old = latch;
    try {
      old.close();
    } catch (Exception e) {
      log.warn("{} closing its old latch: {}", participantId, e.toString());
    }
    try {
      startLatch();
    } catch (Exception e) {
      log.error("{} could not rejoin the election", participantId, e);
      contender.handleError(e);
    }
  }

  /** On Curator's connection-state thread: a suspended or lost connection ends the current term at once. */
  private void onConnectionState(ConnectionState state) {
    if (state.isConnected()) {
      return;
    }
    Epoch epoch = granted;
    if (epoch != null) {
      terms.revoked(epoch);
      log.warn("{} lost its ZooKeeper connection ({}): no longer leads for {}", participantId, state, epoch);
    }
  }

  private void onIsLeader() {
    long gen = ++generation;
    latchSaidAt = System.nanoTime();
    tryGrant(gen);
  }

  private void tryGrant(long gen) {
    if (closed || gen != generation || granted != null || !latch.hasLeadership()) {
      return;
    }
    String ourPath = latch.getOurPath();
    try {
      long bump = System.nanoTime();
      List<CuratorTransactionResult> results = client.transaction().forOperations(
          client.transactionOp().check().forPath(ourPath),
          client.transactionOp().setData().forPath(paths.epoch(), participantId.getBytes(StandardCharsets.UTF_8)));
      Epoch epoch = new Epoch(results.get(1).getResultStat().getVersion());
      terms.granted(epoch, ourPath);
      granted = epoch;
      grantedLatchPath = ourPath;
      grantedAt = System.nanoTime();
      log.info("{} leads for {} ({} ms after its latch said so; the epoch bump took {} ms)", participantId, epoch,
          (grantedAt - latchSaidAt) / 1_000_000, (grantedAt - bump) / 1_000_000);
      contender.grantLeadership(epoch);
      watchEpoch(epoch);
    } catch (KeeperException e) {
      int op = Multi.failedOp(e);
      if (op == 1 && Multi.failedCode(e) == KeeperException.Code.NONODE) {
        if (createEpochNode()) {
          events.execute(() -> tryGrant(gen));
        } else {
          retryGrantLater(gen, e);
        }
      } else if (op == 0) {
        log.info("latch node {} vanished before the epoch was bumped; waiting for the latch", ourPath);
      } else {
        retryGrantLater(gen, e);
      }
    } catch (Exception e) {
      retryGrantLater(gen, e);
    }
  }

  private void retryGrantLater(long gen, Exception e) {
    log.warn("could not bump the epoch for {}; retrying: {}", participantId, e.toString());
    events.schedule(() -> tryGrant(gen), RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  private boolean createEpochNode() {
    try {
      client.create().creatingParentsIfNeeded().forPath(paths.epoch(), new byte[0]);
      return true;
    } catch (KeeperException.NodeExistsException raced) {
      return true;
    } catch (Exception e) {
      log.warn("could not create {}: {}", paths.epoch(), e.toString());
      return false;
    }
  }

  private void onNotLeader() {
    generation++;
    revokeIfGranted();
    deleteOwnLeaderNode(false);
  }

  private void revokeIfGranted() {
    Epoch epoch = granted;
    if (epoch != null) {
      granted = null;
      grantedLatchPath = null;
      terms.revoked(epoch);
      log.info("{} no longer leads ({})", participantId, epoch);
      contender.revokeLeadership();
    }
  }

  @Override
  public CompletableFuture<Void> confirmLeadership(Epoch epoch, LeaderInfo info) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      events.execute(() -> {
        try {
          publish(epoch, info);
          done.complete(null);
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      done.completeExceptionally(new FencedException(epoch, "election closed"));
    }
    return done;
  }

  private void publish(Epoch epoch, LeaderInfo info) throws Exception {
    if (closed || !epoch.equals(granted)) {
      throw new FencedException(epoch, "not the current leader (current term here: " + granted + ")");
    }
    if (epoch.value() > Integer.MAX_VALUE) {
      throw new FencedException(epoch, "epoch out of range");
    }
    long asked = System.nanoTime();
    byte[] json = LeaderInfoJson.write(info);
    // this leader's own rewrite of /leader is not tampering: the watch from an earlier publish stops here
    leaderWatch++;
    published = json;
    KeeperException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      Stat existing = client.checkExists().forPath(paths.leader());
      List<CuratorOp> ops = new ArrayList<>(4);
      ops.add(client.transactionOp().check().forPath(grantedLatchPath));
      ops.add(client.transactionOp().check().withVersion((int) epoch.value()).forPath(paths.epoch()));
      if (existing != null) {
        ops.add(client.transactionOp().delete().withVersion(existing.getVersion()).forPath(paths.leader()));
      }
      ops.add(client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(paths.leader(), json));
      try {
        client.transaction().forOperations(ops);
        long now = System.nanoTime();
        log.info("{} published as leader for {} ({} ms after the grant; writing it took {} ms)", participantId, epoch,
            (now - grantedAt) / 1_000_000, (now - asked) / 1_000_000);
        watchLeader(epoch, leaderWatch, client.getZookeeperClient().getZooKeeper().getSessionId());
        return;
      } catch (KeeperException e) {
        int op = Multi.failedOp(e);
        if (op == 0 || op == 1) {
          FencedException fenced = new FencedException(epoch, "leadership check failed on ZooKeeper", e);
          endTerm(epoch, (op == 0 ? "our latch node is gone" : paths.epoch() + " moved past this term")
              + " when publishing " + paths.leader());
          throw fenced;
        }
        if (op < 0) {
          throw e;
        }
        last = e; // /leader changed between the read and the transaction: read again
      }
    }
    throw last;
  }

  /** Deletes {@code /leader} if this client's session owns it. */
  private void deleteOwnLeaderNode(boolean wait) {
    try {
      long session = client.getZookeeperClient().getZooKeeper().getSessionId();
      if (!client.getZookeeperClient().isConnected()) {
        return;
      }
      if (wait) {
        Stat stat = client.checkExists().forPath(paths.leader());
        if (stat != null && stat.getEphemeralOwner() == session) {
          client.delete().withVersion(stat.getVersion()).forPath(paths.leader());
        }
      } else {
        client.checkExists().inBackground((c, event) -> {
          Stat stat = event.getStat();
          if (stat != null && stat.getEphemeralOwner() == session) {
            c.delete().withVersion(stat.getVersion()).inBackground().forPath(paths.leader());
          }
        }).forPath(paths.leader());
      }
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException gone) {
      // someone else's now
    } catch (Exception e) {
      log.debug("could not delete own {}: {}", paths.leader(), e.toString());
    }
  }

  @Override
  public boolean hasLeadership(Epoch epoch) {
    return epoch != null && epoch.equals(granted) && terms.isActive(epoch)
        && client.getZookeeperClient().isConnected()
        && !epoch.equals(unconfirmed) && nanoClock.getAsLong() - lastTickNanos <= pauseLimitNanos();
  }

  /** Half the session timeout the server granted (before any connection, of the connection timeout). */
  private long pauseLimitNanos() {
    int negotiated = client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    long ms = negotiated > 0 ? negotiated : client.getZookeeperClient().getConnectionTimeoutMs();
    return TimeUnit.MILLISECONDS.toNanos(ms) / 2;
  }

  @Override
  public List<String> participants() {
    return participants;
  }

  @Override
  public void stepDown(boolean rejoin) {
    if (!rejoin) {
      close();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    events.execute(() -> {
      try {
        if (!closed && latch != null) {
          log.info("{} steps down{}", participantId, granted != null ? " from " + granted : "");
          rejoin(true);
        }
      } finally {
        done.complete(null);
      }
    });
    try {
      done.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("{} stepping down: {}", participantId, e.toString());
    }
  }

  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      events.execute(() -> {
        try {
          if (!closed) {
            closed = true;
            generation++;
            client.getConnectionStateListenable().removeListener(lossListener);
            revokeIfGranted();
            if (latch != null) {
              deleteOwnLeaderNode(true);
              latch.close();
            }
          }
        } catch (Throwable e) {
          log.warn("closing the election of {}: {}", participantId, e.toString());
        } finally {
          done.complete(null);
        }
      });
      done.get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.RejectedExecutionException alreadyClosed) {
      pauseDetector.shutdownNow();
      participantReader.shutdownNow();
      return;
    } catch (Exception e) {
      log.warn("closing the election of {} timed out: {}", participantId, e.toString());
    }
    events.shutdown();
    pauseDetector.shutdownNow();
  }
}
