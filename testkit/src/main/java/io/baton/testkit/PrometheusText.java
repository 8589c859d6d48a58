package io.baton.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Parses Prometheus text exposition with the Prometheus project's own parser (the Python client's
 * {@code prometheus_client.parser}, Debian's {@code python3-prometheus-client}), run as a process: a text it
 * rejects fails the test. Java has no such parser on Maven Central (client_java writes the format only).
 */
public final class PrometheusText {
  private static final String SCRIPT = String.join("\n",
      "import sys",
      "from prometheus_client.parser import text_string_to_metric_families",
      "for family in text_string_to_metric_families(sys.stdin.read()):",
      "    for s in family.samples:",
      "        labels = '\\x1f'.join(k + '=' + v for k, v in sorted(s.labels.items()))",
      "        print(family.type + '\\t' + s.name + '\\t' + labels + '\\t' + repr(float(s.value)))");

  /** One sample: its family's type (counter, gauge, histogram, ...), name, labels and value. */
  public record Sample(String type, String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  /** Parses {@code text}; fails (AssertionError) when the parser rejects it or is not installed. */
  public static PrometheusText parse(String text) throws IOException, InterruptedException {
    // Debian's python, where the package installs the parser (a python3 earlier on PATH may lack it)
    String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Process p = new ProcessBuilder(python, "-c", SCRIPT).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      String why = new String(err, StandardCharsets.UTF_8);
      throw new AssertionError(why.contains("No module named 'prometheus_client'")
          ? "the Prometheus parser is missing: apt-get install python3-prometheus-client"
          : "the Prometheus text-format parser rejected the metrics: " + why);
    }
    List<Sample> samples = new ArrayList<>();
    for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      Map<String, String> labels = new TreeMap<>();
      for (String pair : f[2].isEmpty() ? new String[0] : f[2].split("\u001f")) {
        int eq = pair.indexOf('=');
        labels.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      samples.add(new Sample(f[0], f[1], labels, Double.parseDouble(f[3])));
    }
    return new PrometheusText(samples);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The sample named {@code name} whose labels include {@code labels} (k, v, k, v...), if exactly one is. */
  public Optional<Double> value(String name, String... labels) {
    List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && has(s, labels)).toList();
    if (found.size() > 1) {
      throw new AssertionError(found.size() + " samples match " + name + " " + List.of(labels) + ": " + found);
    }
    return found.stream().findFirst().map(Sample::value);
  }

  /** Like {@link #value}, but a missing sample fails. */
  public double require(String name, String... labels) {
    return value(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels)
        + " among " + samples.stream().map(Sample::name).distinct().sorted().toList()));
  }

  /** The type of the family a sample named {@code name} belongs to, if any. */
  public Optional<String> typeOf(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).map(Sample::type).findFirst();
  }

  private static boolean has(Sample s, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
