package io.baton.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --config} and the resolution of every server setting: the command's settings flags (added from
 * {@link Setting} by {@link SettingOptions}) over the environment over the --config file over reference.conf.
 */
final class NodeOptions {
  @Option(names = "--config", paramLabel = "<file>", description = "HOCON file with baton.* settings")
  Path configFile;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  /** Flags over environment over the --config file over reference.conf. */
  Config load(Map<String, Object> extra) {
    return load(extra, System.getenv());
  }

  Config load(Map<String, Object> extra, Map<String, String> env) {
    Map<String, Object> flags = new HashMap<>(extra);
    for (Setting s : Setting.flagsOf(command.name())) {
      OptionSpec option = command.findOption(s.flag);
      Object value = option.getValue();
      if (value != null) {
        flags.putIfAbsent(s.key, s.flagType.toHocon(value));
      }
    }
    Config file = configFile == null ? ConfigFactory.empty() : ConfigFactory.parseFile(configFile.toFile());
    if (configFile != null && file.isEmpty()) {
      throw new IllegalArgumentException("config file " + configFile + " is missing or empty");
    }
    Map<String, Object> fromEnv = new HashMap<>();
    Setting.environment().forEach((variable, key) -> {
      if (env.get(variable) != null) {
        fromEnv.put(key, env.get(variable));
      }
    });
    return ConfigFactory.parseMap(flags).withFallback(ConfigFactory.parseMap(fromEnv)).withFallback(file)
        .withFallback(ConfigFactory.load()).resolve();
  }
}
