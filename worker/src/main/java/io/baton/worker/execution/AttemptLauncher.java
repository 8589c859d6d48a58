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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Starts attempts: commands as OS processes (argv as given, no shell; env added to the inherited one; working
 * directory and log from {@link AttemptPaths}, stdout and stderr together), handlers on the given pool with a
 * lazily created log. Never throws for a bad attempt: a failure to start is an attempt whose outcome is
 * already an error (also written to its log). Called from the worker actor's thread; {@code start} blocks only
 * for the fork of a process.
 */
public final class AttemptLauncher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final AttemptPaths paths;
  private final TaskHandlers handlers;
  private final ExecutorService handlerPool;

  public AttemptLauncher(AttemptPaths paths, TaskHandlers handlers, ExecutorService handlerPool) {
    this.paths = paths;
    this.handlers = handlers;
    this.handlerPool = handlerPool;
  }

  public RunningAttempt start(AttemptKey key, TaskSpec task) {
    return task.isHandler() ? startHandler(key, task) : startProcess(key, task);
  }

  private RunningAttempt startProcess(AttemptKey key, TaskSpec task) {
    Path log = paths.logFile(key);
    if (task.command().isEmpty()) {
      return failed(log, "task has neither a command nor a handler");
    }
    try {
      Path workDir = paths.workDir(key);
      Files.createDirectories(workDir);
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(task.command())
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Map<String, String> env = pb.environment();
      env.putAll(task.env());
      env.put("BATON_JOB_ID", key.jobId());
      env.put("BATON_TASK_ID", key.taskId());
      env.put("BATON_ATTEMPT", Integer.toString(key.attempt()));
      Process process = pb.start();
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // stdin already gone; nothing to close
      }
      CompletionStage<Outcome> outcome = process.onExit().thenApply(p -> Outcome.exit(p.exitValue()));
      return new RunningAttempt() {
        @Override
        public CompletionStage<Outcome> outcome() {
          return outcome;
        }

        @Override
        public void kill() {
          ProcessTree.kill(process.toHandle());
        }

        @Override
        public Optional<ProcessHandle> process() {
          return Optional.of(process.toHandle());
        }
      };
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
          HandlerContext ctx = new HandlerContext(key, args == null ? Map.of() : args, task.env(), out);
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
