package io.baton.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int validate(String... args) {
    CommandLine cli = BatonMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "validate";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  private Path file(String name, String json) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, json.replace('\'', '"'));
    return f;
  }

  @Test
  void aValidSpecSaysHowManyTasks() throws Exception {
    Path f = file("etl.json", "{'name':'etl','tasks':[{'id':'a','command':['x']},{'id':'b','handler':'noop','dependsOn':['a']}]}");
    assertEquals(0, validate(f.toString()));
    assertEquals(f + ": valid (2 tasks)\n", out.toString());
    assertEquals("", err.toString());
  }

  /** The README shows this run; keep them in step. */
  @Test
  void theReadmeExamplesSayWhatTheReadmeShows() {
    assertEquals(0, validate("../docs/examples/etl.json"), err::toString);
    assertEquals("../docs/examples/etl.json: valid (3 tasks)\n", out.toString());
    out.getBuffer().setLength(0);
    assertEquals(1, validate("../docs/examples/bad.json"));
    String f = "../docs/examples/bad.json: ";
    assertEquals(String.join("\n",
        f + "tasks[2].id: duplicate task id 'b' (also used by tasks[1])",
        f + "tasks[0].command: must not be empty: give the program and its arguments",
        f + "tasks[0].cpus: must be > 0 and <= 1024, not 0",
        f + "tasks[1].colour: unknown field; allowed: id, command, handler, args, env, secretEnv, cpus, memoryMb, retries, "
            + "timeoutSeconds, constraints, dependsOn, shards, broadcast, fanOut",
        f + "tasks[1].dependsOn[0]: unknown task 'c'") + "\n", out.toString());
  }

  @Test
  void anInvalidSpecPrintsEveryViolationOneALineAndExitsOne() throws Exception {
    Path f = file("bad.json", "{'name':'','tasks':[{'id':'a','command':['x'],'cpus':0},"
        + "{'id':'b','handler':'noop','dependsOn':['a','ghost']},{'id':'c','command':['x'],'dependsOn':['c']}]}");
    assertEquals(1, validate(f.toString()));
    assertEquals(String.join("\n",
        f + ": name: must not be empty",
        f + ": tasks[0].cpus: must be > 0 and <= 1024, not 0",
        f + ": tasks[1].dependsOn[1]: unknown task 'ghost'",
        f + ": tasks[2].dependsOn[0]: task 'c' cannot depend on itself") + "\n", out.toString());
  }

  @Test
  void malformedJsonIsAnInvalidSpec() throws Exception {
    Path f = file("broken.json", "{'name':");
    assertEquals(1, validate(f.toString()));
    assertTrue(out.toString().startsWith(f + ": malformed JSON"), out::toString);
  }

  @Test
  void aMissingFileOrArgumentIsAUsageError() {
    assertEquals(2, validate(dir.resolve("nope.json").toString()));
    assertEquals("baton: no such file: " + dir.resolve("nope.json") + "\n", err.toString());
    assertEquals(2, validate());
    assertTrue(err.toString().contains("Missing required parameter"), err::toString);
    assertEquals(2, validate(dir.toString()));
  }
}
