package io.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.client.BatonClient;
import io.baton.client.JobPage;
import io.baton.client.JobQuery;
import io.baton.client.Submitted;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The client commands, each a thin layer over one or two {@link BatonClient} calls. */
public final class Commands {
  /** Every client command, in the order {@code baton --help} lists them. */
  public static final List<Class<?>> ALL = List.of(Submit.class, Jobs.class, Job.class, Cancel.class, Delete.class, Rerun.class, Drain.class, Undrain.class,
      Logs.class, Workers.class, Cluster.class, StepDown.class, Schedules.class, Schedule.class);

  private static final Duration POLL = Duration.ofMillis(500);

  private Commands() {}

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = {"Submit a job spec (JSON file, - for stdin); prints the job's id.",
          "Every submission carries an Idempotency-Key (a random one unless --idempotency-key gives it), so it is "
              + "retried safely through a leader election.",
          "With --wait: waits for the job to finish and exits 0 when it succeeded, 4 when it failed or was cancelled."})
  public static final class Submit extends ClientCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "job spec file (- for stdin)") String file;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
        description = "repeat-safe submission key: the same key returns the first job instead of a second one")
    String key;

    @Option(names = "--wait", description = "wait until the job has finished; the exit code follows its result")
    boolean await;

    @Option(names = {"-o", "--output"}, defaultValue = "id", paramLabel = "FORMAT",
        description = "id (default: the job's id alone) or json (the REST answer; with --wait the finished job)")
    String format;

    @Override
    int run(BatonClient client) throws Exception {
      if (!format.equals("id") && !format.equals("json")) {
        return fail(ExitCode.USAGE, "-o: use id or json, not '" + format + "'");
      }
      String spec = readFile(file);
      Submitted s = client.submit(spec, Optional.of(key == null ? "cli-" + UUID.randomUUID() : key));
      if (!await) {
        if (format.equals("json")) {
          printJson(BatonClient.JSON.createObjectNode().put("id", s.id()).put("state", s.state()));
        } else {
          out().println(s.id());
        }
        if (!s.created()) {
          err().println("baton: the Idempotency-Key was used before: this is the job it submitted");
        }
        return ExitCode.OK;
      }
      if (format.equals("id")) {
        out().println(s.id());
        out().flush();
      }
      JsonNode job = client.awaitFinished(s.id(), POLL);
      String state = job.path("state").asText();
      if (format.equals("json")) {
        printJson(job);
      } else {
        out().println(s.id() + " " + state + " (" + job.path("tasksSucceeded").asInt() + "/"
            + job.path("tasksTotal").asInt() + " tasks succeeded) in "
            + Views.duration(job.path("submittedAt"), job.path("finishedAt"), Instant.now()));
        for (JsonNode task : job.path("tasks")) {
          JsonNode attempts = task.path("attempts");
          JsonNode last = attempts.path(attempts.size() - 1);
          String taskState = task.path("state").asText();
          if (!taskState.equals("SUCCEEDED")) {
            out().println("  " + task.path("id").asText() + " " + taskState
                + (last.path("message").isTextual() ? ": " + last.path("message").asText()
                    : attempts.size() == 0 ? ": never started" : ""));
          }
        }
      }
      return state.equals("SUCCEEDED") ? ExitCode.OK : ExitCode.JOB_FAILED;
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, newest first, a page at a time.")
  public static final class Jobs extends ClientCommand {
    @Option(names = "--state", description = "only jobs in this state (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED)")
    String state;

    @Option(names = "--name", description = "only jobs whose name contains this (case-insensitive)") String name;

    @Option(names = "--limit", description = "at most this many, 1 to 1000 (default 100)") Integer limit;

    @Option(names = "--before", paramLabel = "JOB_ID", description = "only jobs older than this one (the next page)")
    String before;

    @Option(names = "--worker", paramLabel = "WORKER_ID", description = "only jobs with an attempt on this worker")
    String worker;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
        description = "only jobs with this label (repeatable: every one must match)")
    List<String> labels = List.of();

    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      JobQuery q = JobQuery.all().withState(state).withName(name).withBefore(before).withWorker(worker);
      for (String label : labels) {
        int eq = label.indexOf('=');
        if (eq <= 0) {
          return fail(ExitCode.USAGE, "--label: '" + label + "' is not KEY=VALUE (e.g. --label team=data)");
        }
        q = q.withLabel(label.substring(0, eq), label.substring(eq + 1));
      }
      if (limit != null) {
        q = q.withLimit(limit);
      }
      JobPage page = client.jobs(q);
      if (output.isJson()) {
        printJson(page.raw());
        return ExitCode.OK;
      }
      Views.jobs(page.jobs(), output.isWide(), Instant.now(), out());
      page.nextBefore().ifPresent(next -> err().println("more: baton jobs --before " + next));
      return ExitCode.OK;
    }
  }

  @Command(name = "job", mixinStandardHelpOptions = true,
      description = "Show one job: its state and times, then each task with its attempts' state, worker, exit code, "
          + "duration and failure message (-o wide: one row per attempt).")
  public static final class Job extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID") String id;

    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      JsonNode job = client.job(id);
      if (output.isJson()) {
        printJson(job);
      } else {
        Views.job(job, output.isWide(), Instant.now(), out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a job: running attempts are killed, pending tasks never start.")
  public static final class Cancel extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID") String id;

    @Override
    int run(BatonClient client) {
      client.cancel(id);
      out().println("cancelling " + id);
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a finished job and its logs (a running job: cancel it first).")
  public static final class Delete extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID") String id;

    @Override
    int run(BatonClient client) {
      client.delete(id);
      out().println("deleted " + id);
      return ExitCode.OK;
    }
  }

  @Command(name = "logs", mixinStandardHelpOptions = true,
      description = "Print a task attempt's stdout and stderr (-f: follow it until the job has finished).")
  public static final class Logs extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID") String job;

    @Parameters(index = "1", paramLabel = "TASK_ID") String task;

    @Option(names = "--attempt", description = "attempt number (default: the latest)") Integer attempt;

    @Option(names = {"-f", "--follow"},
        description = "keep printing what the task writes, through its retries, until the job has finished")
    boolean follow;

    @Override
    int run(BatonClient client) throws Exception {
      if (!follow) {
        out().print(client.log(job, task, attempt == null ? OptionalInt.empty() : OptionalInt.of(attempt)));
        return ExitCode.OK;
      }
      if (attempt != null) {
        return fail(ExitCode.USAGE, "--follow follows the latest attempt; leave out --attempt");
      }
      int[] seen = {0};
      client.followLog(job, task, POLL, n -> {
        if (seen[0]++ > 0) {
          err().println("--- attempt " + n + " ---");
          err().flush();
        }
      }, text -> {
        out().print(text);
        out().flush();
      });
      return ExitCode.OK;
    }
  }

  @Command(name = "workers", mixinStandardHelpOptions = true,
      description = "List workers: state, CPUs and memory used/total, running attempts, last heartbeat.")
  public static final class Workers extends ClientCommand {
    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      JsonNode workers = client.workers();
      if (output.isJson()) {
        printJson(workers);
      } else {
        Views.workers(workers, output.isWide(), Instant.now(), out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = "Drain a worker: it takes no new attempts; its running ones finish.")
  public static final class Drain extends ClientCommand {
    @Parameters(index = "0", paramLabel = "WORKER_ID") String id;

    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      return printWorker(client.drain(id), output, "takes no new attempts; its running ones finish", out(), this);
    }
  }

  @Command(name = "undrain", mixinStandardHelpOptions = true,
      description = "Undrain a worker: it takes new attempts again.")
  public static final class Undrain extends ClientCommand {
    @Parameters(index = "0", paramLabel = "WORKER_ID") String id;

    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      return printWorker(client.undrain(id), output, "takes new attempts again", out(), this);
    }
  }

  /** A drained or undrained worker: its JSON with {@code -o json}, else one line. */
  private static int printWorker(JsonNode worker, OutputFormat output, String meaning, java.io.PrintWriter out,
      ClientCommand command) throws IOException {
    if (output.isJson()) {
      command.printJson(worker);
    } else {
      out.println(worker.path("id").asText() + " " + worker.path("state").asText() + ": " + meaning);
    }
    return ExitCode.OK;
  }

  @Command(name = "rerun", mixinStandardHelpOptions = true, description = "Rerun a finished job that did not succeed: "
      + "a new job that reuses the tasks that succeeded and runs the others again. Prints the new job's id.")
  public static final class Rerun extends ClientCommand {
    @Parameters(index = "0", paramLabel = "JOB_ID") String id;

    @Override
    int run(BatonClient client) {
      out().println(client.rerun(id).path("id").asText());
      return ExitCode.OK;
    }
  }

  @Command(name = "cluster", mixinStandardHelpOptions = true,
      description = "Show the leader, the master that answered, the masters, ZooKeeper's state and quarantined jobs.")
  public static final class Cluster extends ClientCommand {
    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      JsonNode cluster = client.cluster();
      if (output.isJson()) {
        printJson(cluster);
      } else {
        Views.cluster(cluster, output.isWide(), out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "step-down", mixinStandardHelpOptions = true,
      description = "Planned handover: the leader finishes what it is persisting and hands leadership to a standby "
          + "at once (no session timeout), then goes on as a standby.")
  public static final class StepDown extends ClientCommand {
    @Override
    int run(BatonClient client) {
      JsonNode body = client.stepDown();
      out().println(body.path("from").asText() + " stepped down from epoch " + body.path("steppedDown").asLong()
          + "; a standby leads now");
      return ExitCode.OK;
    }
  }

  @Command(name = "schedules", mixinStandardHelpOptions = true,
      description = "List schedules by name: cron, zone, paused, next fire, last fire and its job.")
  public static final class Schedules extends ClientCommand {
    @Mixin OutputFormat output = new OutputFormat();

    @Override
    int run(BatonClient client) throws IOException {
      JsonNode schedules = client.schedules();
      if (output.isJson()) {
        printJson(schedules);
      } else {
        Views.schedules(schedules, out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "schedule", mixinStandardHelpOptions = true,
      description = "Create, replace, show, pause, resume, trigger or delete a schedule.",
      subcommands = {ScheduleCreate.class, ScheduleReplace.class, ScheduleShow.class, SchedulePause.class,
          ScheduleResume.class, ScheduleTrigger.class, ScheduleDelete.class})
  public static final class Schedule implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** A schedule command that sends a JSON file ({@code -} for stdin). */
  abstract static class ScheduleFileCommand extends ClientCommand {
    @Option(names = {"-f", "--file"}, required = true, description = "schedule JSON file (- for stdin)") String file;
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a schedule from a JSON file (409 when the name is taken; use replace).")
  static final class ScheduleCreate extends ScheduleFileCommand {
    @Override
    int run(BatonClient client) throws Exception {
      printJson(client.createSchedule(readFile(file)));
      return ExitCode.OK;
    }
  }

  @Command(name = "replace", mixinStandardHelpOptions = true,
      description = "Create or replace the schedule the JSON file names (PUT); what fired stays fired.")
  static final class ScheduleReplace extends ScheduleFileCommand {
    @Override
    int run(BatonClient client) throws Exception {
      String body = readFile(file);
      String name;
      try {
        name = BatonClient.JSON.readTree(body).path("name").textValue();
      } catch (IOException e) {
        name = null;
      }
      if (name == null || name.isEmpty()) {
        return fail(ExitCode.USAGE, file + " names no schedule (a JSON object with a \"name\" field is needed)");
      }
      printJson(client.replaceSchedule(name, body));
      return ExitCode.OK;
    }
  }

  /** A schedule command about one schedule, by name. */
  abstract static class ScheduleNameCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "schedule name") String name;
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show a schedule as JSON: its spec, next fires and last fires with their jobs.")
  static final class ScheduleShow extends ScheduleNameCommand {
    @Override
    int run(BatonClient client) throws IOException {
      printJson(client.schedule(name));
      return ExitCode.OK;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule: nothing fires.")
  static final class SchedulePause extends ScheduleNameCommand {
    @Override
    int run(BatonClient client) {
      client.pauseSchedule(name);
      out().println("paused " + name);
      return ExitCode.OK;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true,
      description = "Resume a schedule: it fires from now on (fires missed while paused are not caught up).")
  static final class ScheduleResume extends ScheduleNameCommand {
    @Override
    int run(BatonClient client) {
      JsonNode next = client.resumeSchedule(name).path("nextFires").path(0);
      out().println("resumed " + name + (next.isTextual() ? "; next fire " + next.asText() : ""));
      return ExitCode.OK;
    }
  }

  @Command(name = "trigger", mixinStandardHelpOptions = true,
      description = "Submit the schedule's job once now; prints the job id.")
  static final class ScheduleTrigger extends ScheduleNameCommand {
    @Override
    int run(BatonClient client) {
      out().println(client.triggerSchedule(name).path("jobId").asText());
      return ExitCode.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a schedule and its fire records (the jobs it submitted stay).")
  static final class ScheduleDelete extends ScheduleNameCommand {
    @Override
    int run(BatonClient client) {
      client.deleteSchedule(name);
      out().println("deleted schedule " + name);
      return ExitCode.OK;
    }
  }
}
