package io.baton.scheduler.dispatcher;

import java.time.Instant;

/**
 * Job ids that sort by submission time: 16 lowercase hex digits of {@code millis << 16 | sequence}, strictly
 * increasing within one generator and above every id it was seeded with. Not thread-safe (one Dispatcher owns it).
 */
final class JobIds {
  private long last;

  void seed(String existingId) {
    try {
      last = Math.max(last, Long.parseUnsignedLong(existingId, 16));
    } catch (NumberFormatException ignored) {
      // ids not made by this generator do not constrain it
    }
  }

  String next(Instant now) {
    last = Math.max(last + 1, now.toEpochMilli() << 16);
    return String.format("%016x", last);
  }
}
