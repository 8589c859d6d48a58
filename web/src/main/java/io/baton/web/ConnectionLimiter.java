package io.baton.web;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections per client address and in all, and refuses one over either cap. Pekko HTTP has no
 * per-address limit, and its {@code max-connections} does not apply to {@code connectionSource()}, which Baton
 * binds with; so this is the only cap. Behind a reverse proxy every client has the proxy's address: put the
 * per-client cap in the proxy then. Thread-safe.
 */
final class ConnectionLimiter {
  private final int perAddress;
  private final int total;
  private final ConcurrentMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicInteger all = new AtomicInteger();

  ConnectionLimiter(int perAddress, int total) {
    this.perAddress = perAddress;
    this.total = total;
  }

  /** Takes a slot for a new connection from {@code address}; false (and no slot taken) when over a cap. */
  boolean tryAcquire(InetAddress address) {
    boolean[] admitted = new boolean[1];
    open.compute(address, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      if (count.get() < perAddress && all.incrementAndGet() <= total) {
        count.incrementAndGet();
        admitted[0] = true;
      } else if (count.get() < perAddress) {
        all.decrementAndGet();
      }
      return count.get() == 0 ? null : count;
    });
    return admitted[0];
  }

  /** Gives back the slot of a connection that {@link #tryAcquire} admitted, once it has closed. */
  void release(InetAddress address) {
    open.computeIfPresent(address, (k, n) -> n.decrementAndGet() == 0 ? null : n);
    all.decrementAndGet();
  }

  int perAddress() {
    return perAddress;
  }

  int total() {
    return total;
  }

  int open(InetAddress address) {
    AtomicInteger n = open.get(address);
    return n == null ? 0 : n.get();
  }

  int open() {
    return all.get();
  }
}
