package io.baton.worker.execution;

/**
 * A Java task a worker can run in-process, named by a task's {@code handler} field. Implementations are found
 * with {@link java.util.ServiceLoader} (list them in {@code META-INF/services/io.baton.worker.execution.TaskHandler})
 * and must have a public no-argument constructor.
 *
 * <p>Threading: one instance serves every attempt; {@link #run} is called on a thread of the worker's handler pool,
 * possibly for many attempts at once, so implementations must be thread-safe (stateless is best). Cancellation and
 * timeouts interrupt the running thread: long-running handlers must respond to interruption.
 */
public interface TaskHandler {
  /** The name tasks refer to. */
  String name();

  /**
   * Runs one attempt. Returns the exit code (0 = SUCCEEDED, anything else = FAILED with that code); throwing
   * ends the attempt FAILED with the exception's message.
   */
  int run(HandlerContext ctx) throws Exception;
}
