package io.baton.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.web.JobSpecParser;
import io.baton.web.Violation;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client commands. They talk REST to {@code --url}; when a master answers 503 naming the leader, they follow
 * it once. Exit code 0 on success, 1 when the server answered an error (its problem detail is printed), 2 when
 * no master could be reached. {@code validate} is offline: 0 valid, 1 invalid, 2 when the file cannot be read.
 */
final class ClientCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClientCommands() {}

  static class ClientOptions {
    @Option(names = "--url", defaultValue = "${env:BATON_URL:-http://localhost:8080}",
        description = "a master's REST URL (env BATON_URL; default http://localhost:8080)")
    String url;

    @Option(names = "--token", defaultValue = "${env:BATON_TOKEN}", description = "bearer token (env BATON_TOKEN)")
    String token;
  }

  abstract static class ClientCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin ClientOptions client = new ClientOptions();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    PrintStream out = System.out;

    HttpResponse<String> send(String method, String path, String body, String idempotencyKey) throws Exception {
      String base = client.url.replaceAll("/+$", "");
      for (int hop = 0; ; hop++) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
          b.header("Content-Type", "application/json");
        }
        if (client.token != null && !client.token.isEmpty()) {
          b.header("Authorization", "Bearer " + client.token);
        }
        if (idempotencyKey != null) {
          b.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response;
        try {
          response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          throw new Unreachable(base, e);
        }
        if (response.statusCode() == 503 && hop == 0) {
          String leader = leaderOf(response.body());
          if (leader != null && !leader.equals(base)) {
            base = leader;
            continue;
          }
        }
        return response;
      }
    }

    private static String leaderOf(String body) {
      try {
        JsonNode n = JSON.readTree(body);
        JsonNode leader = n.get("leader");
        return leader == null || !leader.isTextual() ? null : leader.asText();
      } catch (IOException e) {
        return null;
      }
    }

    /** Prints the body (pretty JSON where it is JSON) and maps the status to an exit code. */
    int print(HttpResponse<String> response) throws IOException {
      String ct = response.headers().firstValue("Content-Type").orElse("");
      if (response.statusCode() >= 400) {
        String detail = response.body();
        if (ct.contains("json")) {
          JsonNode n = JSON.readTree(response.body());
          detail = n.path("title").asText("error") + ": " + n.path("detail").asText("");
        }
        System.err.println("baton: " + response.statusCode() + " " + detail);
        return 1;
      }
      if (ct.contains("json")) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(response.body())));
      } else {
        out.print(response.body());
      }
      return 0;
    }

    @Override
    public Integer call() throws Exception {
      try {
        return run();
      } catch (Unreachable e) {
        System.err.println("baton: cannot reach " + e.url + ": " + e.getCause());
        return 2;
      }
    }

    abstract int run() throws Exception;
  }

  static final class Unreachable extends Exception {
    final String url;

    Unreachable(String url, Throwable cause) {
      super(cause);
      this.url = url;
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job spec (JSON file, - for stdin).")
  static final class Submit extends ClientCommand {
    @Parameters(index = "0", description = "job spec file") String file;

    @Option(names = "--idempotency-key", description = "repeat-safe submission key") String key;

    @Override
    int run() throws Exception {
      String body = "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
      return print(send("POST", "/api/v1/jobs", body, key));
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
  static final class Jobs extends ClientCommand {
    @Option(names = "--state", description = "only jobs in this state") String state;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default 100)") int limit;

    @Option(names = "--json", description = "print the raw JSON") boolean json;

    @Override
    int run() throws Exception {
      String q = "?limit=" + limit + (state == null ? "" : "&state=" + enc(state));
      HttpResponse<String> r = send("GET", "/api/v1/jobs" + q, null, null);
      if (json || r.statusCode() >= 400) {
        return print(r);
      }
      out.printf("%-18s %-10s %-9s %-24s %s%n", "ID", "STATE", "TASKS", "SUBMITTED", "NAME");
      for (JsonNode j : JSON.readTree(r.body()).path("jobs")) {
        out.printf("%-18s %-10s %-9s %-24s %s%n", j.path("id").asText(), j.path("state").asText(),
            j.path("tasksSucceeded").asInt() + "/" + j.path("tasksTotal").asInt(), j.path("submittedAt").asText(),
            j.path("name").asText());
      }
      return 0;
    }
  }

  @Command(name = "job", mixinStandardHelpOptions = true, description = "Show one job with its tasks and attempts.")
  static final class Job extends ClientCommand {
    @Parameters(index = "0", description = "job id") String id;

    @Override
    int run() throws Exception {
      return print(send("GET", "/api/v1/jobs/" + enc(id), null, null));
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job.")
  static final class Cancel extends ClientCommand {
    @Parameters(index = "0", description = "job id") String id;

    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", "/api/v1/jobs/" + enc(id) + "/cancel", null, null);
      if (r.statusCode() < 400) {
        out.println("cancelling " + id);
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "rerun", mixinStandardHelpOptions = true, description = "Rerun a finished job that did not succeed: "
      + "a new job that reuses the tasks that succeeded and runs the others again. Prints the new job's id.")
  static final class Rerun extends ClientCommand {
    @Parameters(index = "0", description = "job id") String id;

    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", "/api/v1/jobs/" + enc(id) + "/rerun", null, null);
      if (r.statusCode() < 400) {
        out.println(JSON.readTree(r.body()).path("id").asText());
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a finished job and its logs (a running job: cancel it first).")
  static final class Delete extends ClientCommand {
    @Parameters(index = "0", description = "job id") String id;

    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("DELETE", "/api/v1/jobs/" + enc(id), null, null);
      if (r.statusCode() < 400) {
        out.println("deleted " + id);
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "step-down", mixinStandardHelpOptions = true,
      description = "Planned handover: the leader finishes what it is persisting and hands leadership to a standby "
          + "at once (no session timeout), then goes on as a standby.")
  static final class StepDown extends ClientCommand {
    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", "/api/v1/cluster/step-down", null, null);
      if (r.statusCode() < 400) {
        JsonNode body = JSON.readTree(r.body());
        out.println(body.path("from").asText() + " stepped down from epoch " + body.path("steppedDown").asLong()
            + "; a standby leads now");
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a task attempt's stdout and stderr.")
  static final class Logs extends ClientCommand {
    @Parameters(index = "0", description = "job id") String job;

    @Parameters(index = "1", description = "task id") String task;

    @Option(names = "--attempt", description = "attempt number (default: the latest)") Integer attempt;

    @Override
    int run() throws Exception {
      String q = attempt == null ? "" : "?attempt=" + attempt;
      return print(send("GET", "/api/v1/jobs/" + enc(job) + "/tasks/" + enc(task) + "/log" + q, null, null));
    }
  }

  @Command(name = "workers", mixinStandardHelpOptions = true, description = "List workers.")
  static final class Workers extends ClientCommand {
    @Override
    int run() throws Exception {
      return print(send("GET", "/api/v1/workers", null, null));
    }
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Drain a worker: it takes no new attempts; its running ones finish. Prints the worker.")
  static final class Drain extends ClientCommand {
    @Parameters(index = "0", description = "worker id") String id;

    @Override
    int run() throws Exception {
      return print(send("POST", "/api/v1/workers/" + enc(id) + "/drain", null, null));
    }
  }

  @Command(name = "undrain", mixinStandardHelpOptions = true,
      description = "Undrain a worker: it takes new attempts again. Prints the worker.")
  static final class Undrain extends ClientCommand {
    @Parameters(index = "0", description = "worker id") String id;

    @Override
    int run() throws Exception {
      return print(send("POST", "/api/v1/workers/" + enc(id) + "/undrain", null, null));
    }
  }

  @Command(name = "cluster", mixinStandardHelpOptions = true, description = "Show the leader, the masters and ZooKeeper's state.")
  static final class Cluster extends ClientCommand {
    @Override
    int run() throws Exception {
      return print(send("GET", "/api/v1/cluster", null, null));
    }
  }

  @Command(name = "schedules", mixinStandardHelpOptions = true,
      description = "List schedules by name: cron, zone, paused, next fire, last fire and its job.")
  static final class Schedules extends ClientCommand {
    @Option(names = "--json", description = "print the raw JSON") boolean json;

    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("GET", "/api/v1/schedules", null, null);
      if (json || r.statusCode() >= 400) {
        return print(r);
      }
      String row = "%-24s %-16s %-16s %-6s %-20s %s%n";
      out.printf(row, "NAME", "CRON", "TZ", "PAUSED", "NEXT FIRE", "LAST FIRE -> JOB STATE");
      for (JsonNode s : JSON.readTree(r.body()).path("schedules")) {
        JsonNode next = s.path("nextFires").path(0);
        JsonNode last = s.path("lastFires").path(0);
        String lastFire = last.isMissingNode() ? "-" : last.path("scheduledAt").asText() + " -> "
            + (last.path("jobId").isTextual() ? last.path("jobId").asText() : "-") + " " + last.path("state").asText();
        out.printf(row, s.path("name").asText(), s.path("cron").asText(), s.path("timezone").asText(),
            s.path("paused").asBoolean() ? "yes" : "no", next.isTextual() ? next.asText() : "-", lastFire);
      }
      return 0;
    }
  }

  @Command(name = "schedule", mixinStandardHelpOptions = true,
      description = "Create, replace, show, pause, resume, trigger or delete a schedule.",
      subcommands = {ScheduleCreate.class, ScheduleReplace.class, ScheduleShow.class, SchedulePause.class,
          ScheduleResume.class, ScheduleTrigger.class, ScheduleDelete.class})
  static final class Schedule implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** A schedule command that sends a JSON file ({@code -} for stdin). */
  abstract static class ScheduleFileCommand extends ClientCommand {
    @Option(names = {"-f", "--file"}, required = true, description = "schedule JSON file (- for stdin)") String file;

    String body() throws IOException {
      return "-".equals(file) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    }

    @Override
    public Integer call() throws Exception {
      try {
        return super.call();
      } catch (NoSuchFileException e) {
        System.err.println("baton: no such file: " + file);
        return 2;
      }
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a schedule from a JSON file (409 when the name is taken; use replace).")
  static final class ScheduleCreate extends ScheduleFileCommand {
    @Override
    int run() throws Exception {
      return print(send("POST", "/api/v1/schedules", body(), null));
    }
  }

  @Command(name = "replace", mixinStandardHelpOptions = true,
      description = "Create or replace the schedule the JSON file names (PUT); what fired stays fired.")
  static final class ScheduleReplace extends ScheduleFileCommand {
    @Override
    int run() throws Exception {
      String body = body();
      String name;
      try {
        name = JSON.readTree(body).path("name").textValue();
      } catch (IOException e) {
        name = null;
      }
      if (name == null || name.isEmpty()) {
        System.err.println("baton: " + file + " names no schedule (a JSON object with a \"name\" field is needed)");
        return 1;
      }
      return print(send("PUT", "/api/v1/schedules/" + enc(name), body, null));
    }
  }

  /** A schedule command about one schedule, by name. */
  abstract static class ScheduleNameCommand extends ClientCommand {
    @Parameters(index = "0", description = "schedule name") String name;

    String path() {
      return "/api/v1/schedules/" + enc(name);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show a schedule: its spec, next fires and last fires with their jobs.")
  static final class ScheduleShow extends ScheduleNameCommand {
    @Override
    int run() throws Exception {
      return print(send("GET", path(), null, null));
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule: nothing fires.")
  static final class SchedulePause extends ScheduleNameCommand {
    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", path() + "/pause", null, null);
      if (r.statusCode() < 400) {
        out.println("paused " + name);
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a schedule: it fires from now on (fires missed while paused are not caught up).")
  static final class ScheduleResume extends ScheduleNameCommand {
    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", path() + "/resume", null, null);
      if (r.statusCode() < 400) {
        JsonNode next = JSON.readTree(r.body()).path("nextFires").path(0);
        out.println("resumed " + name + (next.isTextual() ? "; next fire " + next.asText() : ""));
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true,
      description = "Submit the schedule's job once now; prints the job id.")
  static final class ScheduleTrigger extends ScheduleNameCommand {
    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("POST", path() + "/trigger", null, null);
      if (r.statusCode() < 400) {
        out.println(JSON.readTree(r.body()).path("jobId").asText());
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a schedule and its fire records (the jobs it submitted stay).")
  static final class ScheduleDelete extends ScheduleNameCommand {
    @Override
    int run() throws Exception {
      HttpResponse<String> r = send("DELETE", path(), null, null);
      if (r.statusCode() < 400) {
        out.println("deleted schedule " + name);
        return 0;
      }
      return print(r);
    }
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Check a job spec (JSON file, - for stdin) offline, with the rules the REST API applies: "
          + "prints every violation, one a line; exit 0 valid, 1 invalid, 2 unreadable file.")
  static final class Validate implements Callable<Integer> {
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
}
