package io.baton.app;

import io.baton.cli.Commands;
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

  public static void main(String[] args) {
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

  static CommandLine commandLine() {
    return new CommandLine(new BatonMain());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
