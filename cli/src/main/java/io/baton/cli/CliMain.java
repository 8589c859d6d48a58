package io.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code baton} with only the client commands: what {@code bin/baton} runs for them from the thin jar, without
 * Pekko on the classpath. The full launcher (app's {@code BatonMain}) lists the same commands next to the server's.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
    description = "Baton's client commands (bin/baton --help lists every command).")
public final class CliMain implements Runnable {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(new CliMain(), args.length == 0 ? "" : args[0]).execute(args));
  }

  /**
   * {@code root} with only the client command named {@code first} under it when there is one (picocli builds each
   * command's model by reflection: one instead of eighteen is a good part of a short run), else with all of them.
   */
  static CommandLine commandLine(Object root, String first) {
    for (Class<?> c : Commands.ALL) {
      if (c.getAnnotation(Command.class).name().equals(first)) {
        return configure(new CommandLine(root).addSubcommand(c));
      }
    }
    return commandLine(root);
  }

  /** {@code root} with every client command under it and the exit codes of {@link ExitCode}. */
  public static CommandLine commandLine(Object root) {
    CommandLine cli = new CommandLine(root);
    for (Class<?> c : Commands.ALL) {
      cli.addSubcommand(c);
    }
    return configure(cli);
  }

  /** Usage errors exit 2; an unexpected failure prints one line and exits 1. */
  public static CommandLine configure(CommandLine cli) {
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("baton: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return ExitCode.REFUSED;
    });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
