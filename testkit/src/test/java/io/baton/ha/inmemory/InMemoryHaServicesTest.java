package io.baton.ha.inmemory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.ha.HaServices;
import io.baton.testkit.HaServicesContract;
import java.util.function.BooleanSupplier;

/**
 * The HA contract on the in-memory services every actor test relies on. One instance stands for every process of
 * the cluster; nothing is waited for: {@link InMemoryHaServices#awaitEvents} runs the queued callbacks to the end.
 */
class InMemoryHaServicesTest extends HaServicesContract {
  private final InMemoryHaServices services = closedAfterTest(new InMemoryHaServices());

  @Override
  protected HaServices process() {
    return services;
  }

  @Override
  protected void plantStoredRecord(String id, byte[] bytes) {
    services.plantStoredRecord(id, bytes);
  }

  @Override
  protected void await(String what, BooleanSupplier condition) {
    services.awaitEvents();
    assertTrue(condition.getAsBoolean(), what);
  }
}
