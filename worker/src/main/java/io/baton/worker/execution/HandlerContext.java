package io.baton.worker.execution;

import io.baton.protocol.AttemptKey;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a {@link TaskHandler} gets for one attempt: its key, its {@code args} (the task's JSON args as a map), its
 * env and a stream to the attempt's log. Used only by the handler thread running the attempt; the log stream
 * is closed by the worker when {@link TaskHandler#run} returns.
 */
public record HandlerContext(AttemptKey key, Map<String, Object> args, Map<String, String> env, PrintStream log) {

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
