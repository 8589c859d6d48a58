package io.baton.app;

import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Adds a server command's settings flags, one per {@link Setting} the command reads, when picocli builds the
 * command ({@code @Command(modelTransformer = SettingOptions.class)}). The options have no picocli default:
 * an absent flag leaves the setting to the environment, the --config file and reference.conf
 * ({@link NodeOptions#load}).
 */
final class SettingOptions implements IModelTransformer {
  @Override
  public CommandSpec transform(CommandSpec command) {
    for (Setting s : Setting.flagsOf(command.name())) {
      command.addOption(OptionSpec.builder(s.flag).type(s.flagType.javaType).paramLabel(s.paramLabel())
          .description(s.help()).build());
    }
    return command;
  }
}
