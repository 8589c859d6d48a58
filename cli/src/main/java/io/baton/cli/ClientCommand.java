package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.client.BatonClient;
import io.baton.client.Problem;
import io.baton.client.ProblemException;
import io.baton.client.UnreachableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A client command: builds a {@link BatonClient} from {@code --url} and {@code --token}, runs, and turns what went
 * wrong into one clear message and an {@link ExitCode}. Output goes to picocli's out and err writers.
 */
abstract class ClientCommand implements Callable<Integer> {
  static final String DEFAULT_URL = "http://localhost:8080";

  /** {@code --url}, {@code --token}, {@code --election-wait}: every client command has them. */
  static final class ClientOptions {
    @Option(names = "--url", defaultValue = "${env:BATON_URL:-http://localhost:8080}", paramLabel = "URL[,URL...]",
        description = "the masters' REST URLs, comma-separated; any one will do (env BATON_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token", defaultValue = "${env:BATON_TOKEN}", description = "bearer token (env BATON_TOKEN)")
    String token;

    @Option(names = "--election-wait", defaultValue = "15", paramLabel = "SECONDS",
        description = "how long to wait through a leader election before giving up (default ${DEFAULT-VALUE} s)")
    int electionWaitSeconds;
  }

  /** A file the command cannot read: a usage error, exit 2. */
  static final class UnreadableFile extends Exception {
    UnreadableFile(String message) {
      super(message);
    }
  }

  @Mixin ClientOptions options = new ClientOptions();
  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    BatonClient client;
    try {
      String url = options.url == null || options.url.isBlank() ? DEFAULT_URL : options.url; // BATON_URL= (empty)
      client = BatonClient.builder(url).token(options.token)
          .electionWait(Duration.ofSeconds(Math.max(0, options.electionWaitSeconds)))
          .onElection(why -> {
            err().println("baton: waiting up to " + options.electionWaitSeconds + " s for a leader election: " + why);
            err().flush();
          })
          .build();
    } catch (IllegalArgumentException e) {
      return fail(ExitCode.USAGE, "--url: " + e.getMessage());
    }
    try {
      int code = run(client);
      out().flush();
      return code;
    } catch (ProblemException e) {
      out().flush();
      printProblem(e.problem());
      return ExitCode.REFUSED;
    } catch (UnreachableException e) {
      out().flush();
      return fail(ExitCode.UNREACHABLE, e.getMessage());
    } catch (UnreadableFile e) {
      return fail(ExitCode.USAGE, e.getMessage());
    }
  }

  abstract int run(BatonClient client) throws Exception;

  int fail(int code, String message) {
    err().println("baton: " + message);
    err().flush();
    return code;
  }

  /** The status, title and detail on one line, then every validation error on its own line. */
  void printProblem(Problem p) {
    err().println("baton: " + p.status() + " " + p.title() + ": " + p.detail());
    if (p.errors().size() > 1) {
      for (Problem.Violation v : p.errors()) {
        err().println("  " + v);
      }
    }
    err().flush();
  }

  /** A file's text ({@code -} is stdin), or {@link UnreadableFile} saying why not. */
  static String readFile(String file) throws UnreadableFile {
    try {
      return "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UnreadableFile("no such file: " + file);
    } catch (AccessDeniedException e) {
      throw new UnreadableFile("cannot read " + file + ": permission denied");
    } catch (IOException | InvalidPathException e) {
      throw new UnreadableFile("cannot read " + file + ": " + e.getMessage());
    }
  }

  void printJson(JsonNode node) throws IOException {
    out().println(BatonClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
  }
}
