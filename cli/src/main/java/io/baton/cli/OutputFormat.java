package io.baton.cli;

import picocli.CommandLine.Option;

/**
 * {@code -o table|wide|json} on every read command. YAML is not offered: Jackson's YAML module is not in the
 * dependency tree (and its version would have to converge with the rest of Jackson).
 */
final class OutputFormat {
  enum Format { table, wide, json }

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default), wide (more columns) or json (the REST answer as is)")
  Format format = Format.table;

  @Option(names = "--json", hidden = true, description = "the same as -o json")
  boolean json;

  boolean isJson() {
    return json || format == Format.json;
  }

  boolean isWide() {
    return format == Format.wide;
  }
}
