package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a {@link TaskHandler} gets for one attempt: its key, its {@code args} (the task's JSON args as a map), its
 * env ({@code env} with {@code secretEnv} on top; {@link #toString()} names the variables without their values)
 * and a stream to the attempt's log. Used only by the handler thread running the attempt; the log stream
 * is closed by the worker when {@link TaskHandler#run} returns.
 */
public record HandlerContext(AttemptKey key, Map<String, Object> args, Map<String, String> env, PrintStream log) {

  @Override
  public String toString() {
    return "HandlerContext[key=" + key + ", args=" + args + ", env names=" + new TreeSet<>(env.keySet()) + "]";
  }

  /** A numeric argument, or {@code defaultValue} when absent or not a number. */
  public long longArg(String name, long defaultValue) {
    Object v = args.get(name);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return defaultValue;
      }
    }
    return defaultValue;
  }
}
