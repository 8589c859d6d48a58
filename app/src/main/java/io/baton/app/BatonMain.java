package io.baton.app;

import io.baton.cli.Commands;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code baton}: one launcher for every server and client command. {@code bin/baton} runs the client commands
 * (cli's {@link Commands}) from the thin jar instead, without Pekko; here they are the same classes.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
    description = "Baton, an actor-based distributed task scheduler with high availability.",
    subcommands = {
        ServerCommands.Standalone.class, ServerCommands.ZooKeeper.class, ServerCommands.Master.class,
        ServerCommands.Worker.class, Commands.Submit.class, Commands.Jobs.class, Commands.Job.class,
        Commands.Cancel.class, Commands.Delete.class, Commands.Logs.class, Commands.Workers.class,
        Commands.Drain.class, Commands.Undrain.class, Commands.Rerun.class,
        Commands.Cluster.class, Commands.StepDown.class, Commands.Schedules.class, Commands.Schedule.class,
        ValidateCommand.class, CompletionCommand.class, SettingsCommand.class, CertsCommand.class, BenchCommand.class,
        FailoverBenchCommand.class, SoakBenchCommand.class, ScheduleBenchCommand.class, SeedBenchCommand.class,
        io.baton.app.chaos.ChaosCommand.class})
public final class BatonMain implements Runnable {
  @Spec CommandSpec spec;

  /** The values of {@code BATON_LOG_FORMAT}: each names a {@code baton-log-<format>.xml} that logback.xml includes. */
  static final List<String> LOG_FORMATS = List.of("text", "json");

  /** The JDK's property for the common ForkJoinPool's parallelism, read once, when that pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // On 2 CPUs the common pool's parallelism is 1, and CompletableFuture then runs every *Async stage on a thread
    // of its own (ThreadPerTaskExecutor). Scala's CompletionStage, behind every Pekko Java ask and ctx.ask, runs
    // its callbacks that way: a new leader answering 50,000 asks started 40,000 threads, and its fires trickled
    // in for 40 s (BENCHMARKS.md, "Schedules"). Two threads of the common pool instead.
    commonPoolAtLeastTwo();
  }

  /** Makes the common pool's parallelism at least 2 unless set explicitly; before the pool is first used. */
  static void commonPoolAtLeastTwo() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }

  public static void main(String[] args) {
    // checked before logging starts: an unknown format would leave Logback without an appender, silent
    Optional<String> badFormat = logFormatProblem(System.getenv("BATON_LOG_FORMAT"));
    if (badFormat.isPresent()) {
      System.err.println("baton: " + badFormat.get());
      System.exit(2);
    }
    // touch SLF4J before any ActorSystem starts (STACK.md gotcha 7)
    LoggerFactory.getLogger(BatonMain.class);
    CommandLine cli = commandLine();
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("baton: " + e.getMessage());
      LoggerFactory.getLogger(BatonMain.class).debug("command failed", e);
      return 1;
    });
    int code = cli.execute(args);
    System.exit(code);
  }

  /** What is wrong with {@code BATON_LOG_FORMAT}'s value, if anything (unset is text). */
  static Optional<String> logFormatProblem(String format) {
    if (format == null || LOG_FORMATS.contains(format)) {
      return Optional.empty();
    }
    return Optional.of("BATON_LOG_FORMAT is '" + format + "'; set it to one of " + String.join(", ", LOG_FORMATS)
        + " (or unset it for text)");
  }

  static CommandLine commandLine() {
    return new CommandLine(new BatonMain());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
