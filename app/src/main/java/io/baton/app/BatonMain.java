package io.baton.app;

import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code baton}: one launcher for every server and client command. */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
    description = "Baton, an actor-based distributed task scheduler with high availability.",
    subcommands = {
        ServerCommands.Standalone.class, ServerCommands.ZooKeeper.class, ServerCommands.Master.class,
        ServerCommands.Worker.class, ClientCommands.Submit.class, ClientCommands.Jobs.class, ClientCommands.Job.class,
        ClientCommands.Cancel.class, ClientCommands.Delete.class, ClientCommands.Logs.class, ClientCommands.Workers.class,
        ClientCommands.Drain.class, ClientCommands.Undrain.class, ClientCommands.Rerun.class,
        ClientCommands.Cluster.class, ClientCommands.StepDown.class, ClientCommands.Schedules.class, ClientCommands.Schedule.class,
        ClientCommands.Validate.class, SettingsCommand.class, CertsCommand.class, BenchCommand.class, FailoverBenchCommand.class, SoakBenchCommand.class, ScheduleBenchCommand.class,
        io.baton.app.chaos.ChaosCommand.class})
public final class BatonMain implements Runnable {
  public static void main(String[] args) {
    // touch SLF4J before any ActorSystem starts (STACK.md gotcha 7)
    LoggerFactory.getLogger(BatonMain.class);
    CommandLine cli = new CommandLine(new BatonMain());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("baton: " + e.getMessage());
      LoggerFactory.getLogger(BatonMain.class).debug("command failed", e);
      return 1;
    });
    int code = cli.execute(args);
    System.exit(code);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
