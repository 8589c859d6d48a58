package io.baton.worker.execution;

/** Built-in {@code fail}: writes one line to the log and exits with {@code args.exitCode} (default 1). */
public final class FailHandler implements TaskHandler {
  @Override
  public String name() {
    return "fail";
  }

  @Override
  public int run(HandlerContext ctx) {
    int code = (int) ctx.longArg("exitCode", 1);
    ctx.log().println("fail handler: failing with exit code " + code);
    return code;
  }
}
