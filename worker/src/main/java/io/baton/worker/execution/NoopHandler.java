package io.baton.worker.execution;

/** Built-in {@code noop}: succeeds at once, writes nothing. */
public final class NoopHandler implements TaskHandler {
  @Override
  public String name() {
    return "noop";
  }

  @Override
  public int run(HandlerContext ctx) {
    return 0;
  }
}
