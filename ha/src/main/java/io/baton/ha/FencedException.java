package io.baton.ha;

import io.baton.protocol.Epoch;

/** A write was refused because the writer no longer leads for the epoch it wrote in. */
public final class FencedException extends Exception {
  private final Epoch epoch;

  public FencedException(Epoch epoch, String detail) {
    super("write fenced off for " + epoch + ": " + detail);
    this.epoch = epoch;
  }

  public FencedException(Epoch epoch, String detail, Throwable cause) {
    super("write fenced off for " + epoch + ": " + detail, cause);
    this.epoch = epoch;
  }

  public Epoch epoch() {
    return epoch;
  }

  /** Whether {@code failure} is, or was caused by, a fenced write (async stages wrap it). */
  public static boolean isIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof FencedException) {
        return true;
      }
    }
    return false;
  }
}
