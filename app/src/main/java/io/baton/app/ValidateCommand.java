package io.baton.app;

import io.baton.web.JobSpecParser;
import io.baton.web.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code baton validate}: checks a job spec offline with the REST API's own parser (web's JobSpecParser), so it runs
 * in the full launcher, not the thin client jar.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a job spec (JSON file, - for stdin) offline, with the rules the REST API applies: "
        + "prints every violation, one a line; exit 0 valid, 1 invalid, 2 unreadable file.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "job spec file") String file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    byte[] body;
    try {
      body = "-".equals(file) ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
    } catch (NoSuchFileException e) {
      err.println("baton: no such file: " + file);
      return 2;
    } catch (IOException | InvalidPathException e) {
      err.println("baton: cannot read " + file + ": " + e.getMessage());
      return 2;
    }
    String name = "-".equals(file) ? "<stdin>" : file;
    JobSpecParser.Result result = JobSpecParser.parse(body);
    if (result instanceof JobSpecParser.Result.Valid valid) {
      int n = valid.spec().tasks().size();
      out.println(name + ": valid (" + n + (n == 1 ? " task)" : " tasks)"));
      return 0;
    }
    if (result instanceof JobSpecParser.Result.Malformed malformed) {
      out.println(name + ": " + malformed.detail());
    } else {
      for (Violation v : ((JobSpecParser.Result.Invalid) result).violations()) {
        out.println(name + ": " + v);
      }
    }
    return 1;
  }
}
