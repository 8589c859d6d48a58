package io.baton.worker;

import io.baton.worker.execution.HandlerContext;
import io.baton.worker.execution.TaskHandler;

/** A test handler (listed in test META-INF/services) that throws. */
public final class BoomHandler implements TaskHandler {
  @Override
  public String name() {
    return "boom";
  }

  @Override
  public int run(HandlerContext ctx) {
    throw new IllegalStateException("boom!");
  }
}
