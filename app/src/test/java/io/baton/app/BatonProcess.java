package io.baton.app;

import io.baton.testkit.Eventually;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code bin/baton} process for end-to-end tests: output goes to a file, {@link #awaitOutput} waits for
 * a line, {@link #kill9} kills it hard and {@link #close} stops it with SIGTERM (then SIGKILL).
 */
final class BatonProcess implements AutoCloseable {
  static final Path HOME = Path.of(System.getProperty("baton.home", "..")).toAbsolutePath().normalize();

  private final Process process;
  private final Path output;
  private final String name;

  private BatonProcess(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
  }

  /** The ZooKeeper secret of every master these tests start. */
  static final String ZK_SECRET = "e2e-" + java.util.UUID.randomUUID();

  static BatonProcess start(Path dir, String name, String... args) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(HOME.resolve("bin/baton").toString());
    cmd.addAll(List.of(args));
    Path out = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile());
    pb.environment().put("BATON_JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    if (args.length > 0 && args[0].equals("master")) {
      pb.environment().put("BATON_ZK_SECRET", ZK_SECRET); // masters refuse to run without one (or --insecure)
    }
    return new BatonProcess(name, pb.start(), out);
  }

  /** Runs a client command to completion and returns its exit code and output. */
  static Result run(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(HOME.resolve("bin/baton").toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "cli", ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("BATON_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Process p = pb.start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("baton " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out));
  }

  record Result(int exitCode, String output) {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String output() throws IOException {
    return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
  }

  void awaitOutput(String text, Duration timeout) {
    Eventually.eventually(name + " to print '" + text + "'", timeout, () -> {
      String out = output();
      if (!out.contains(text) && !process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '" + text + "':\n"
            + out);
      }
      return out;
    }, out -> out.contains(text));
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends a signal (STOP, CONT, ...) to the process. */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits up to {@code timeout} for the process to exit by itself; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + timeout);
    }
    return process.exitValue();
  }

  /** The JVM under bin/baton (bin/baton execs java, so it is the same process). */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }
}
