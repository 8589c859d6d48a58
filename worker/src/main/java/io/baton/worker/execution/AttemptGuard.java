package io.baton.worker.execution;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The attempt guard: a small perl-base program ({@code attempt-guard.pl}, shipped in this jar and written under
 * the worker's data dir) that runs each command attempt and kills its whole process tree, daemonized processes
 * included, when the attempt's main process ends, when it is killed, when the worker JVM dies (its stdin pipe
 * closes) or when the lease the worker keeps renewing runs out. See the script's header for the protocol.
 *
 * <p>Why a separate process: the JVM cannot kill anything once it is dead (kill -9, OOM kill), and a process that
 * double-forks or calls setsid leaves {@link ProcessHandle#descendants()}. The guard is a child subreaper, so
 * every process the attempt ever starts stays its descendant until the guard has killed and reaped it.
 *
 * <p>Immutable and thread-safe once {@link #install installed}.
 */
public final class AttemptGuard {
  static final String SCRIPT = "attempt-guard.pl";
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

  private final Path script;
  private final String perl;
  /** The machine as the guard's system call table names it (the JVM's {@code os.arch}: amd64, aarch64). */
  private final String arch = System.getProperty("os.arch", "");

  private AttemptGuard(Path script, String perl) {
    this.script = script;
    this.perl = perl;
  }

  /**
   * Writes the guard under {@code dataDir} and checks that this machine runs it (perl, Linux on x86_64 or
   * aarch64, the subreaper prctl) and that its clock is this JVM's {@link System#nanoTime()} clock, on which
   * leases are given. Blocks for the check (about 10 ms).
   *
   * @throws IllegalStateException with the reason and the remedy when the guard cannot run here
   */
  public static AttemptGuard install(Path dataDir) throws IOException, InterruptedException {
    Path target = dataDir.resolve(SCRIPT);
    Path temp = dataDir.resolve(SCRIPT + ".tmp");
    Files.createDirectories(dataDir);
    try (InputStream in = AttemptGuard.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the worker's jar");
      }
      Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    AttemptGuard guard = new AttemptGuard(target, "perl");
    guard.check();
    return guard;
  }

  private void check() throws IOException, InterruptedException {
    long before = System.nanoTime();
    Process p;
    try {
      p = new ProcessBuilder(perl, script.toString(), "check", arch).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run the attempt guard: " + e.getMessage()
          + "; a worker needs perl (Debian and Ubuntu: the perl-base package) to make sure no process of an"
          + " attempt outlives it", e);
    }
    p.getOutputStream().close();
    if (!p.waitFor(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the attempt guard's self-check did not finish within " + CHECK_TIMEOUT);
    }
    long after = System.nanoTime();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0 || !said.startsWith("ok ")) {
      throw new IllegalStateException("the attempt guard cannot run on this machine: " + said);
    }
    long guardNow = Long.parseLong(said.substring(3).trim());
    if (guardNow - before < 0 || after - guardNow < 0) {
      throw new IllegalStateException("the attempt guard's monotonic clock (" + guardNow + ") is not this JVM's"
          + " System.nanoTime() (" + before + ".." + after + "): leases could not be given to it");
    }
  }

  /**
   * The command line that runs {@code argv} under the guard.
   *
   * @param leaseDeadlineNanos when the guard kills the attempt unless renewed, on {@link System#nanoTime()}'s clock
   * @param maxLease           the furthest ahead a renewal may set the deadline
   */
  public List<String> command(long leaseDeadlineNanos, Duration maxLease, List<String> argv) {
    List<String> cmd = new ArrayList<>(argv.size() + 7);
    cmd.add(perl);
    cmd.add(script.toString());
    cmd.add("run");
    cmd.add(arch);
    cmd.add(Long.toString(leaseDeadlineNanos));
    cmd.add(Long.toString(maxLease.toMillis()));
    cmd.add("--");
    cmd.addAll(argv);
    return cmd;
  }
}
