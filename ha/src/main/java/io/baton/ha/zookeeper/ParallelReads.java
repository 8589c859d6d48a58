package io.baton.ha.zookeeper;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.KeeperException;

/**
 * Reads the children or the data of many znodes as background requests, at most {@value #IN_FLIGHT} at a time, and
 * waits for all of them: a node gone meanwhile is skipped, any other error is thrown. One round trip's latency for
 * the lot instead of one per node (a new leader's job history and schedules). Blocks the calling thread; the
 * answers are handed to {@code answer} on Curator's event thread, so it must be quick and thread-safe.
 */
final class ParallelReads {
  static final int IN_FLIGHT = 1000;

  private ParallelReads() {}

  static <T> void read(CuratorFramework client, List<T> items, Function<T, String> pathOf, boolean children,
      String what, BiConsumer<T, CuratorEvent> answer) throws Exception {
    AtomicReference<Exception> failure = new AtomicReference<>();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    CountDownLatch done = new CountDownLatch(items.size());
    for (T item : items) {
      String path = pathOf.apply(item);
      inFlight.acquire();
      BackgroundCallback callback = (c, event) -> {
        try {
          if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
            answer.accept(item, event);
          } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
            failure.compareAndSet(null, KeeperException.create(KeeperException.Code.get(event.getResultCode()), path));
          }
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
        } finally {
          inFlight.release();
          done.countDown();
        }
      };
      if (children) {
        client.getChildren().inBackground(callback).forPath(path);
      } else {
        client.getData().inBackground(callback).forPath(path);
      }
    }
    if (!done.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("reading " + what + " timed out");
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }
}
