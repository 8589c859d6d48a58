package io.baton.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code baton settings}: every server setting with its flag, environment variable and default. */
@Command(name = "settings", mixinStandardHelpOptions = true,
    description = "List every server setting: HOCON key, flag, environment variable, default (from reference.conf).")
final class SettingsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--markdown", description = "print the README's configuration table")
  boolean markdown;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (markdown) {
      out.print(Setting.markdownTable());
    } else {
      String format = "%-36s %-24s %-26s %s%n";
      out.printf(format, "KEY", "FLAG", "ENV", "DEFAULT");
      for (Setting s : Setting.values()) {
        out.printf(format, s.key, s.flag().orElse("-"), s.env().orElse("-"), s.defaultText());
      }
    }
    out.flush();
    return 0;
  }
}
