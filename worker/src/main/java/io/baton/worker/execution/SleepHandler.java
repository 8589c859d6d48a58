package io.baton.worker.execution;

/** Built-in {@code sleep}: sleeps {@code args.millis} (default 1000) ms, then succeeds. Interruptible. */
public final class SleepHandler implements TaskHandler {
  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public int run(HandlerContext ctx) throws InterruptedException {
    Thread.sleep(Math.max(0, ctx.longArg("millis", 1000)));
    return 0;
  }
}
