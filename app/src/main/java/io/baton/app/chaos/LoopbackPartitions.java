package io.baton.app.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network partitions on loopback: iptables rules that drop every TCP segment to or from one port on {@code lo}
 * (input side), so whatever listens on that port can neither be reached nor answer on connections made to it,
 * while its own outgoing connections to other ports (ZooKeeper's, for instance) are untouched. Each rule carries
 * the comment {@value #TAG}; {@link #close} removes this run's rules, and {@link #available} first removes any that
 * an earlier run killed with SIGKILL left behind. Needs root and iptables. Not thread-safe; used by the fault loop.
 */
final class LoopbackPartitions implements AutoCloseable {
  static final String TAG = "baton-chaos";
  private static final Pattern LISTEN = Pattern.compile(":(\\d+)\\s+\\S+\\s+users:.*pid=(\\d+),");

  private final Set<Integer> cut = new LinkedHashSet<>();

  private LoopbackPartitions() {}

  /** Partitions if this machine allows them (root, a working iptables), with stale rules removed; else empty. */
  static Optional<LoopbackPartitions> available() {
    try {
      if (run("iptables", "-w", "-S", "INPUT").exitCode() != 0) {
        return Optional.empty();
      }
      removeStaleRules();
      return Optional.of(new LoopbackPartitions());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Cuts {@code port} off. */
  void cut(int port) throws IOException {
    for (String direction : List.of("--dport", "--sport")) {
      Result r = run(rule("-A", direction, port));
      if (r.exitCode() != 0) {
        throw new IOException("iptables refused to cut port " + port + ": " + r.output());
      }
    }
    cut.add(port);
  }

  /** Joins {@code port} back. */
  void heal(int port) throws IOException {
    for (String direction : List.of("--dport", "--sport")) {
      run(rule("-D", direction, port));
    }
    cut.remove(port);
  }

  @Override
  public void close() {
    for (Integer port : List.copyOf(cut)) {
      try {
        heal(port);
      } catch (IOException e) {
        // leave it to the next run's removeStaleRules
      }
    }
  }

  /** The TCP ports process {@code pid} listens on (from {@code ss}). */
  static List<Integer> listeningPorts(long pid) throws IOException {
    return listeningPorts(run("ss", "-Htlnp").output(), pid);
  }

  /** The ports of {@code pid} in {@code ss -Htlnp}'s output. Pure. */
  static List<Integer> listeningPorts(String ssOutput, long pid) {
    List<Integer> ports = new ArrayList<>();
    for (String line : ssOutput.split("\n")) {
      Matcher m = LISTEN.matcher(line);
      if (m.find() && Long.parseLong(m.group(2)) == pid) {
        ports.add(Integer.parseInt(m.group(1)));
      }
    }
    return ports;
  }

  private static String[] rule(String action, String direction, int port) {
    return new String[] {"iptables", "-w", action, "INPUT", "-i", "lo", "-p", "tcp", direction, Integer.toString(port),
        "-m", "comment", "--comment", TAG, "-j", "DROP"};
  }

  private static void removeStaleRules() throws IOException {
    for (String line : run("iptables", "-w", "-S", "INPUT").output().split("\n")) {
      if (line.startsWith("-A INPUT") && line.contains("--comment " + TAG)) {
        List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
        delete.addAll(List.of(line.substring(3).trim().split("\\s+")));
        run(delete.toArray(String[]::new));
      }
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
      return new Result(p.exitValue(), output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
