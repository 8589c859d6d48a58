package io.baton.protocol.schedule;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a schedule does with fires that are due but older than the misfire threshold (no leader served them in
 * time), JSON {@code "misfire"}: {@link #SKIP} drops them, {@link #FIRE_ONCE} fires only the newest of them,
 * {@link #FIRE_ALL} fires them all, oldest first, up to a cap (then only the newest cap of them). A due fire
 * younger than the threshold is merely late and always fires. The default is {@link #FIRE_ONCE}.
 */
public enum Misfire {
  SKIP("skip"),
  FIRE_ONCE("fire-once"),
  FIRE_ALL("fire-all");

  private final String jsonName;

  Misfire(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  public static Optional<Misfire> fromJson(String name) {
    return Arrays.stream(values()).filter(v -> v.jsonName.equals(name)).findFirst();
  }
}
