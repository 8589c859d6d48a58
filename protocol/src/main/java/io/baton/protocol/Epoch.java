package io.baton.protocol;

/**
 * The fencing token of one leadership term. Epochs only grow: a new leader always holds a larger one,
 * and anything carrying a smaller epoch than the newest one seen comes from a deposed leader.
 */
public record Epoch(long value) implements Comparable<Epoch> {
  public static final Epoch NONE = new Epoch(0);

  @Override
  public int compareTo(Epoch other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return "epoch " + value;
  }
}
