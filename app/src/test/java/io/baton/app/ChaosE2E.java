package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The randomized fault test's short form: {@code bin/baton chaos} with nine faults (one of each kind, in a
 * seeded order, 1–2 s apart after each recovery; the two network partitions only where iptables works) on a real
 * cluster of seven processes, about two and a half minutes, once per suite run with a random seed (printed; so every run tries another fault order); replay one
 * with {@code -Dchaos.seed=N} (20261128 is the order the suite also ran, fixed, until it grew past its time
 * budget). Longer runs are the benchmark ({@code bench/chaos.sh}). Fails with the checker's violations (the
 * run directory is kept and named).
 */
@Isolated // times failovers closely: runs with no other E2E class beside it
class ChaosE2E {
  @TempDir Path dir;

  @Test
  void aRandomFaultScheduleKeepsEveryGuarantee() throws Exception {
    runChaos(System.getProperty("chaos.seed", Long.toString(new Random().nextLong() & 0xffffffffL)));
  }

  private void runChaos(String seed) throws Exception {
    System.out.println("ChaosE2E: seed " + seed + " (replay with -Dchaos.seed=" + seed + ")");
    Path runs = Path.of(System.getProperty("chaos.dir", BatonProcess.HOME.resolve("dist/target/chaos").toString()));
    Path out = dir.resolve("chaos.out");
    ProcessBuilder pb = new ProcessBuilder(List.of(BatonProcess.HOME.resolve("bin/baton").toString(), "chaos",
        "--seed", seed, "--faults", "9", "--duration", "150s", "--drain-timeout", "120s", "--rate", "1",
        "--long-fraction", "0.1", "--long-seconds", "5-8", "--fault-gap", "1-2", "--dir", runs.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("BATON_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Process chaos = pb.start();
    boolean finished = chaos.waitFor(6, TimeUnit.MINUTES);
    if (!finished) {
      chaos.destroy();   // SIGTERM: its shutdown hook stops the cluster it started
      chaos.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(out);
    System.out.println(output);
    assertTrue(finished, "baton chaos did not finish within 6 minutes:\n" + output);
    assertEquals(0, chaos.exitValue(), "the chaos run failed (seed " + seed + "):\n" + output);
    assertTrue(output.contains("-> PASS"), output);
  }
}
