package io.baton.app;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code baton completion bash}: picocli's completion script for every command, server and client. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a shell completion script for baton (bash; zsh reads it after `autoload bashcompinit; "
        + "bashcompinit`).", "Load it with: source <(bin/baton completion bash)"})
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", defaultValue = "bash", paramLabel = "SHELL", description = "bash (the default) or zsh")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      spec.commandLine().getErr().println("baton: completion: bash or zsh, not '" + shell + "'");
      return 2;
    }
    spec.commandLine().getOut().print(AutoComplete.bash("baton", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
