package io.baton.app.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The jobs the chaos clients submit: one task, a chain of two, or two tasks joined by a third, each with
 * {@code retries: 5} and a shell command that writes its life to the ledger (see {@link LedgerEntry}). Durations
 * are mostly 0.5–5 s, a fraction of them long. Pure: the caller passes the randomness.
 */
final class ChaosJobs {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long tasks run: {@code longFraction} of them take {@code longMinSeconds..longMaxSeconds}, the rest 0.5–5 s. */
  record Durations(double longFraction, int longMinSeconds, int longMaxSeconds) {
    static Durations parse(double longFraction, String longRange) {
      String[] bounds = longRange.split("-");
      return new Durations(longFraction, (int) Double.parseDouble(bounds[0].trim()),
          (int) Double.parseDouble(bounds[bounds.length - 1].trim()));
    }

    double draw(Random random) {
      if (random.nextDouble() < longFraction) {
        return longMinSeconds + random.nextDouble() * (longMaxSeconds - longMinSeconds);
      }
      return 0.5 + random.nextDouble() * 4.5;
    }
  }

  private final Path ledger;
  private final Durations durations;

  ChaosJobs(Path ledger, Durations durations) {
    this.ledger = ledger.toAbsolutePath();
    this.durations = durations;
  }

  /** A job spec named {@code key} (so two jobs for one key show up in the list). */
  String spec(String key, Random random) {
    ObjectNode job = JSON.createObjectNode().put("name", key);
    ArrayNode tasks = job.putArray("tasks");
    int shape = random.nextInt(4);
    if (shape < 2) {
      task(tasks, "a", List.of(), random);
    } else if (shape == 2) {
      task(tasks, "a", List.of(), random);
      task(tasks, "b", List.of("a"), random);
    } else {
      task(tasks, "a", List.of(), random);
      task(tasks, "b", List.of(), random);
      task(tasks, "c", List.of("a", "b"), random);
    }
    return job.toString();
  }

  private void task(ArrayNode tasks, String id, List<String> dependsOn, Random random) {
    ObjectNode t = tasks.addObject().put("id", id).put("retries", 5).put("cpus", 0.5).put("memoryMb", 64);
    ArrayNode command = t.putArray("command").add("/bin/sh").add("-c");
    command.add(script(ledger, (int) Math.max(1, Math.round(durations.draw(random) / 0.2))));
    dependsOn.forEach(t.putArray("dependsOn")::add);
  }

  /**
   * The task's shell script: a start line, {@code beats} beat lines 0.2 s apart, an end line, each one short line
   * appended with {@code >>} (one write, atomic on Linux). The worker is {@code $BATON_WORKER_ID}, else the data
   * directory four levels above the attempt's working directory {@code <data dir>/work/<job>/<task>/<attempt>}.
   */
  static String script(Path ledger, int beats) {
    return "W=${BATON_WORKER_ID:-$(basename \"$(dirname \"$(dirname \"$(dirname \"$(dirname \"$PWD\")\")\")\")\")}; "
        + "r() { echo \"$1 $BATON_JOB_ID $BATON_TASK_ID $BATON_ATTEMPT $(date +%s%N) $W $$\" >> '" + ledger + "'; }; "
        + "r start; i=0; while [ $i -lt " + beats + " ]; do sleep 0.2; r beat; i=$((i+1)); done; r end";
  }
}
