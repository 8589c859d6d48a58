package io.baton.ha.zookeeper;

import io.baton.ha.ScheduleStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.codec.ScheduleCodec;
import io.baton.protocol.schedule.ScheduleRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules in ZooKeeper: {@code schedules/<name>} holds a {@link ScheduleCodec} record, {@code schedules/<name>/fires}
 * one child per recorded fire (named by the due instant's epoch millis, 15 digits; data: the job id, empty for a
 * skipped fire). Writes run one at a time on the store's own thread, each one fenced transaction
 * ({@link Fence}); {@link #loadAll} blocks its caller.
 */
public final class ZooKeeperScheduleStore implements ScheduleStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperScheduleStore.class);
  /** Fire records deleted per transaction. */
  private static final int DELETE_CHUNK = 500;
  /** Background reads in flight at most while loading. */

  private final CuratorFramework client;
  private final ZkPaths paths;
  private final Fence fence;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "zk-schedule-store");
    t.setDaemon(true);
    return t;
  });

  ZooKeeperScheduleStore(CuratorFramework client, ZkPaths paths, Terms terms) {
    this.client = client;
    this.paths = paths;
    this.fence = new Fence(client, paths, terms);
  }

  /**
   * Reads every schedule, its fires node and each fire record as parallel background requests (at most
   * {@value ParallelReads#IN_FLIGHT} at a time), waiting for them: one round trip after the other took a new leader 44 s for
   * 10,000 schedules with 80,000 fire records, past the fires due meanwhile (bench-schedules).
   */
  @Override
  public List<Stored> loadAll() throws Exception {
    List<String> names;
    try {
      names = client.getChildren().forPath(paths.schedules());
    } catch (KeeperException.NoNodeException none) {
      return List.of();
    }
    Map<String, byte[]> records = new ConcurrentHashMap<>();
    Map<String, List<String>> children = new ConcurrentHashMap<>();
    parallel(names, paths::schedule, false, (name, event) -> records.put(name, orEmpty(event.getData())));
    parallel(names, paths::fires, true, (name, event) -> children.put(name, event.getChildren()));
    // the newest FIRES_READ of each schedule are read for their jobs; the older ones are known by name only
    List<String[]> fireNodes = new ArrayList<>();
    Map<String, List<RecordedFire>> fires = new ConcurrentHashMap<>();
    children.forEach((name, kids) -> {
      TreeMap<Long, String> byInstant = new TreeMap<>();
      for (String child : kids) {
        try {
          byInstant.put(Long.parseLong(child), child);
        } catch (NumberFormatException notAFire) {
          // not a fire record
        }
      }
      List<RecordedFire> own = Collections.synchronizedList(new ArrayList<>(byInstant.size()));
      fires.put(name, own);
      int unread = Math.max(0, byInstant.size() - FIRES_READ);
      for (Map.Entry<Long, String> fire : byInstant.entrySet()) {
        if (unread-- > 0) {
          own.add(RecordedFire.unread(Instant.ofEpochMilli(fire.getKey())));
        } else {
          fireNodes.add(new String[] {name, fire.getValue()});
        }
      }
    });
    parallel(fireNodes, f -> paths.fires(f[0]) + "/" + f[1], false, (f, event) -> {
      Instant at = Instant.ofEpochMilli(Long.parseLong(f[1]));
      byte[] data = event.getData();
      String jobId = data == null || data.length == 0 ? null : new String(data, StandardCharsets.UTF_8);
      fires.get(f[0]).add(new RecordedFire(at, jobId));
    });
    List<Stored> out = new ArrayList<>(names.size());
    for (String name : names) {
      byte[] bytes = records.get(name);
      if (bytes == null) {
        continue; // deleted meanwhile
      }
      try {
        ScheduleRecord record = ScheduleCodec.decode(bytes);
        if (!record.name().equals(name)) {
          throw new IllegalArgumentException("record names '" + record.name() + "'");
        }
        List<RecordedFire> recorded = new ArrayList<>(fires.getOrDefault(name, List.of()));
        recorded.sort(Comparator.comparing(RecordedFire::scheduledAt));
        out.add(new Stored(record, recorded));
      } catch (IllegalArgumentException bad) {
        log.error("UNREADABLE schedule record {}: {}; it does not fire until it is replaced (PUT) or deleted",
            paths.schedule(name), bad.getMessage());
      }
    }
    return out;
  }

  private static byte[] orEmpty(byte[] data) {
    return data == null ? new byte[0] : data;
  }

  private <T> void parallel(List<T> items, Function<T, String> pathOf, boolean children,
      BiConsumer<T, CuratorEvent> answer) throws Exception {
    ParallelReads.read(client, items, pathOf, children, "the schedules", answer);
  }

  @Override
  public CompletableFuture<Void> create(Epoch epoch, ScheduleRecord schedule) {
    return write(() -> {
      ensureRoot();
      try {
        fence.commit(epoch, List.of(
            client.transactionOp().create().forPath(paths.schedule(schedule.name()), ScheduleCodec.encode(schedule)),
            client.transactionOp().create().forPath(paths.fires(schedule.name()), new byte[0])));
      } catch (Fence.Failed f) {
        throw f.code == KeeperException.Code.NODEEXISTS ? new ScheduleExistsException(schedule.name()) : f;
      }
    });
  }

  @Override
  public CompletableFuture<Void> replace(Epoch epoch, ScheduleRecord schedule) {
    return write(() -> {
      try {
        fence.commit(epoch, List.of(client.transactionOp().setData()
            .forPath(paths.schedule(schedule.name()), ScheduleCodec.encode(schedule))));
      } catch (Fence.Failed f) {
        throw f.code == KeeperException.Code.NONODE ? new NoScheduleException(schedule.name()) : f;
      }
    });
  }

  @Override
  public CompletableFuture<Void> delete(Epoch epoch, String name) {
    return write(() -> {
      List<String> children;
      try {
        children = client.getChildren().forPath(paths.fires(name));
      } catch (KeeperException.NoNodeException none) {
        children = List.of();
      }
      // the fire records first, in chunks; then the fires node and the schedule in one transaction
      for (int from = 0; from < children.size(); from += DELETE_CHUNK) {
        deleteFires(epoch, name, children.subList(from, Math.min(children.size(), from + DELETE_CHUNK)));
      }
      List<CuratorOp> ops = new ArrayList<>(2);
      if (client.checkExists().forPath(paths.fires(name)) != null) {
        ops.add(client.transactionOp().delete().forPath(paths.fires(name)));
      }
      ops.add(client.transactionOp().delete().forPath(paths.schedule(name)));
      try {
        fence.commit(epoch, ops);
      } catch (Fence.Failed f) {
        if (f.code == KeeperException.Code.NONODE && f.op == ops.size() - 1) {
          throw new NoScheduleException(name);
        }
        throw f;
      }
    });
  }

  private void deleteFires(Epoch epoch, String name, List<String> children) throws Exception {
    List<CuratorOp> ops = new ArrayList<>(children.size());
    for (String child : children) {
      ops.add(client.transactionOp().delete().forPath(paths.fires(name) + "/" + child));
    }
    fence.commit(epoch, ops);
  }

  @Override
  public CompletableFuture<Void> recordSkipped(Epoch epoch, String name, Instant scheduledAt) {
    return write(() -> {
      try {
        fence.commit(epoch, List.of(client.transactionOp().create().forPath(paths.fire(name, scheduledAt), new byte[0])));
      } catch (Fence.Failed f) {
        if (f.code == KeeperException.Code.NONODE) {
          throw new NoScheduleException(name);
        }
        if (f.code != KeeperException.Code.NODEEXISTS) {
          throw f;
        }
      }
    });
  }

  @Override
  public CompletableFuture<Void> forgetFires(Epoch epoch, String name, List<Instant> scheduledAt) {
    return write(() -> {
      List<String> recorded;
      try {
        recorded = client.getChildren().forPath(paths.fires(name));
      } catch (KeeperException.NoNodeException none) {
        return;
      }
      java.util.Set<String> forget = new java.util.HashSet<>();
      for (Instant at : scheduledAt) {
        forget.add(paths.fire(name, at).substring(paths.fires(name).length() + 1));
      }
      List<String> present = recorded.stream().filter(forget::contains).toList();
      for (int from = 0; from < present.size(); from += DELETE_CHUNK) {
        deleteFires(epoch, name, present.subList(from, Math.min(present.size(), from + DELETE_CHUNK)));
      }
    });
  }

  private void ensureRoot() throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(paths.schedules(), new byte[0]);
    } catch (KeeperException.NodeExistsException exists) {
      // fine
    }
  }

  private interface Write {
    void run() throws Exception;
  }

  private CompletableFuture<Void> write(Write write) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      writer.execute(() -> {
        try {
          write.run();
          done.complete(null);
        } catch (Fence.Failed f) {
          done.completeExceptionally(f.getCause());
        } catch (Exception e) {
          done.completeExceptionally(e);
        }
      });
    } catch (RuntimeException rejected) {
      done.completeExceptionally(new IllegalStateException("schedule store closed"));
    }
    return done;
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
