package io.baton.worker.execution;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.protocol.AttemptKey;
import io.baton.protocol.job.TaskSpec;
import io.baton.worker.execution.RunningAttempt.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Starts attempts: commands as OS processes under their {@link AttemptGuard} (argv as given, no shell; env added
 * to the inherited one; working directory and log from {@link AttemptPaths}, stdout and stderr together), handlers
 * on the given pool with a lazily created log. Never throws for a bad attempt: a failure to start is an attempt
 * whose outcome is already an error (also written to its log). Called from the worker actor's thread; {@code start}
 * blocks only for the fork of a process.
 */
public final class AttemptLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final String workerId;
  private final AttemptPaths paths;
  private final AttemptGuard guard;
  private final Duration maxLease;
  private final TaskHandlers handlers;
  private final ExecutorService handlerPool;

  /**
   * @param maxLease the furthest ahead a lease may reach (a renewal beyond it is cut short by the guard)
   */
  public AttemptLauncher(String workerId, AttemptPaths paths, AttemptGuard guard, Duration maxLease,
      TaskHandlers handlers, ExecutorService handlerPool) {
    this.workerId = workerId;
    this.paths = paths;
    this.guard = guard;
    this.maxLease = maxLease;
    this.handlers = handlers;
    this.handlerPool = handlerPool;
  }

  /**
   * Starts the attempt. A command is killed by its guard at {@code leaseDeadlineNanos} (on
   * {@link System#nanoTime()}'s clock) unless {@link RunningAttempt#renewLease renewed}; a handler has no lease.
   */
  public RunningAttempt start(AttemptKey key, TaskSpec task, long leaseDeadlineNanos) {
    return start(key, task, Map.of(), leaseDeadlineNanos);
  }

  /**
   * {@link #start(AttemptKey, TaskSpec, long)} with the attempt's {@code inputs} (see {@link AttemptIo}) written
   * first; the attempt finds them at {@code $BATON_INPUTS} and leaves its result at {@code $BATON_RESULT}.
   */
  public RunningAttempt start(AttemptKey key, TaskSpec task, Map<String, String> inputs, long leaseDeadlineNanos) {
    Map<String, String> io;
    try {
      io = exchange(key, inputs);
    } catch (IOException | RuntimeException e) {
      return failed(paths.logFile(key), "could not write the attempt's inputs: " + e.getMessage());
    }
    TaskSpec withIo = task.withEnv(io);
    return task.isHandler() ? startHandler(key, withIo) : startProcess(key, withIo, leaseDeadlineNanos);
  }

  AttemptPaths paths() {
    return paths;
  }

  /** Prepares the attempt's exchange directory (a result left by an earlier life goes) and names it in env. */
  private Map<String, String> exchange(AttemptKey key, Map<String, String> inputs) throws IOException {
    Files.createDirectories(paths.ioDir(key));
    Files.deleteIfExists(paths.resultFile(key));
    Path inputsDir = paths.inputsDir(key);
    AttemptIo.writeInputs(inputsDir, inputs);
    return Map.of(AttemptIo.RESULT_VARIABLE, paths.resultFile(key).toAbsolutePath().toString(),
        AttemptIo.INPUTS_VARIABLE, inputsDir.toAbsolutePath().toString());
  }

  /** The names of {@link #identity}'s variables. */
  static final Set<String> IDENTITY_VARIABLES = Set.of("BATON_JOB_ID", "BATON_TASK_ID", "BATON_ATTEMPT", "BATON_WORKER_ID");

  /**
   * Variables every command attempt gets on top of its task's {@code env} (they override it); they also tell its
   * processes apart from any other's on this machine (see {@link Leftovers}).
   */
  static Map<String, String> identity(String workerId, AttemptKey key) {
    return Map.of("BATON_JOB_ID", key.jobId(), "BATON_TASK_ID", key.taskId(),
        "BATON_ATTEMPT", Integer.toString(key.attempt()), "BATON_WORKER_ID", workerId);
  }

  private RunningAttempt startProcess(AttemptKey key, TaskSpec task, long leaseDeadlineNanos) {
    Path log = paths.logFile(key);
    if (task.command().isEmpty()) {
      return failed(log, "task has neither a command nor a handler");
    }
    try {
      Path workDir = paths.workDir(key);
      Files.createDirectories(workDir);
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(guard.command(leaseDeadlineNanos, maxLease, task.command()))
          .directory(workDir.toFile())
          .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Map<String, String> env = pb.environment();
      env.putAll(task.fullEnv());
      env.putAll(identity(workerId, key));
      return new GuardedProcess(pb.start(), task.command());
    } catch (IOException | RuntimeException e) {
      return failed(log, "could not start " + task.command() + ": " + e.getMessage());
    }
  }

  private RunningAttempt startHandler(AttemptKey key, TaskSpec task) {
    Path log = paths.logFile(key);
    TaskHandler handler = handlers.find(task.handler()).orElse(null);
    if (handler == null) {
      return failed(log, "unknown handler '" + task.handler() + "' (this worker has " + handlers.names() + ")");
    }
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    Future<?> running = handlerPool.submit(() -> {
      try (PrintStream out = new PrintStream(new LazyFileOutputStream(log), true, StandardCharsets.UTF_8)) {
        try {
          Map<String, Object> args = JSON.readValue(task.argsJson(), MAP);
          HandlerContext ctx = new HandlerContext(key, args == null ? Map.of() : args, task.fullEnv(), out);
          outcome.complete(Outcome.exit(handler.run(ctx)));
        } catch (InterruptedException e) {
          outcome.complete(Outcome.error("interrupted"));
        } catch (Throwable e) {
          String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
          out.println("handler " + task.handler() + " failed: " + e);
          outcome.complete(Outcome.error(message));
        }
      }
    });
    return new RunningAttempt() {
      @Override
      public CompletionStage<Outcome> outcome() {
        return outcome;
      }

      @Override
      public void kill() {
        running.cancel(true);
        outcome.complete(Outcome.error("killed"));
      }
    };
  }

  private static RunningAttempt failed(Path log, String message) {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, message + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the report still carries the message
    }
    CompletionStage<Outcome> outcome = CompletableFuture.completedFuture(Outcome.error(message));
    return new RunningAttempt() {
      @Override
      public CompletionStage<Outcome> outcome() {
        return outcome;
      }

      @Override
      public void kill() {}
    };
  }
}
