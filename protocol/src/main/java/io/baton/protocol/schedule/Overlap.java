package io.baton.protocol.schedule;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a fire does while the job of the schedule's previous fire still runs, JSON {@code "overlap"}:
 * {@link #ALLOW} fires anyway, {@link #SKIP} drops this fire, {@link #QUEUE} lets this fire wait until the previous
 * job ends (at most one fire waits; later ones are dropped while one waits), {@link #CANCEL_PREVIOUS} cancels the
 * previous job and fires. The default is {@link #ALLOW}.
 */
public enum Overlap {
  ALLOW("allow"),
  SKIP("skip"),
  QUEUE("queue"),
  CANCEL_PREVIOUS("cancel-previous");

  private final String jsonName;

  Overlap(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  public static Optional<Overlap> fromJson(String name) {
    return Arrays.stream(values()).filter(v -> v.jsonName.equals(name)).findFirst();
  }
}
