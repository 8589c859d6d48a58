package io.baton.scheduler.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.protocol.AttemptState;
import io.baton.protocol.JobState;
import io.baton.protocol.alert.Alert;
import io.baton.protocol.job.AlertEvent;
import io.baton.protocol.job.AttemptRecord;
import io.baton.protocol.job.JobRecord;
import io.baton.protocol.job.TaskRecord;
import io.baton.protocol.job.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which alerts a job's change raises, and their bodies (README, "Alerts"). One alert per webhook that wants the
 * event, with an id stable across retries and leaders: {@code <job>.<EVENT>.<webhook index>}, and for
 * {@link AlertEvent#RUNNING_LONG} {@code <job>.<task>.<attempt>.RUNNING_LONG.<webhook index>}. The body is JSON:
 * {@code id, event, job {id, name, state, labels, submittedAt, startedAt, finishedAt}, reason, attempt (RUNNING_LONG:
 * task, attempt, worker, startedAt, runningSeconds), raisedAt, link}, at most {@link Alert#MAX_BODY_BYTES} (the
 * reason is cut). Pure and thread-safe.
 */
public final class JobAlerts {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REASON_CHARS = 2000;

  private JobAlerts() {}

  /** The alerts raised by the job moving from {@code before} to {@code after}: its first FAILED or SUCCEEDED. */
  public static List<Alert> onChange(JobRecord before, JobRecord after, Instant now, String linkBase) {
    if (before != null && before.state() == after.state()) {
      return List.of();
    }
    AlertEvent event = after.state() == JobState.FAILED ? AlertEvent.FAILED
        : after.state() == JobState.SUCCEEDED ? AlertEvent.SUCCEEDED : null;
    if (event == null) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>();
    List<Webhook> hooks = after.spec().webhooks();
    for (int i = 0; i < hooks.size(); i++) {
      if (hooks.get(i).wants(event)) {
        String id = after.id() + "." + event + "." + i;
        out.add(alert(id, hooks.get(i), body(id, event, after, null, null, now, linkBase)));
      }
    }
    return out;
  }

  /**
   * The RUNNING_LONG alerts due at {@code now}: each running attempt of an unfinished job that has run at least a
   * webhook's threshold, unless its id is in {@code raised}.
   */
  public static List<Alert> runningLong(JobRecord job, Instant now, Set<String> raised, String linkBase) {
    List<Alert> out = new ArrayList<>();
    for (Watch w : watches(job, raised)) {
      if (!w.due().isAfter(now)) {
        out.add(alert(w.id(), w.hook(), body(w.id(), AlertEvent.RUNNING_LONG, job, w.task(), w.attempt(), now,
            linkBase)));
      }
    }
    return out;
  }

  /** When the next RUNNING_LONG alert of the job falls due (ids in {@code raised} excepted), if any will. */
  public static Optional<Instant> nextRunningLongDue(JobRecord job, Set<String> raised) {
    return watches(job, raised).stream().map(Watch::due).min(Instant::compareTo);
  }

  /** A running attempt a RUNNING_LONG webhook watches, the alert's id and when it falls due. */
  private record Watch(String id, Webhook hook, TaskRecord task, AttemptRecord attempt, Instant due) {}

  /** Every running attempt of an unfinished job, per RUNNING_LONG webhook, whose alert is not in {@code raised}. */
  private static List<Watch> watches(JobRecord job, Set<String> raised) {
    List<Watch> out = new ArrayList<>();
    if (job.state().isTerminal()) {
      return out;
    }
    List<Webhook> hooks = job.spec().webhooks();
    for (int i = 0; i < hooks.size(); i++) {
      Webhook hook = hooks.get(i);
      if (!hook.wants(AlertEvent.RUNNING_LONG)) {
        continue;
      }
      for (TaskRecord task : job.tasks()) {
        for (AttemptRecord a : task.attempts()) {
          String id = job.id() + "." + task.taskId() + "." + a.attempt() + "." + AlertEvent.RUNNING_LONG + "." + i;
          if (a.state() == AttemptState.RUNNING && a.startedAt() != null && !raised.contains(id)) {
            out.add(new Watch(id, hook, task, a, a.startedAt().plusSeconds(hook.runningLongerThanSeconds())));
          }
        }
      }
    }
    return out;
  }

  private static Alert alert(String id, Webhook hook, byte[] body) {
    return new Alert(id, hook.url(), hook.secret(), body);
  }

  private static byte[] body(String id, AlertEvent event, JobRecord job, TaskRecord task, AttemptRecord attempt,
      Instant now, String linkBase) {
    String reason = reason(event, job, task, attempt, now);
    for (int cut = MAX_REASON_CHARS; ; cut /= 2) {
      byte[] bytes = render(id, event, job, task, attempt, now, linkBase,
          reason.length() <= cut ? reason : reason.substring(0, cut) + "...");
      if (bytes.length <= Alert.MAX_BODY_BYTES || cut < 16) {
        return bytes.length <= Alert.MAX_BODY_BYTES ? bytes
            : render(id, event, job, task, attempt, now, "", "");
      }
    }
  }

  private static byte[] render(String id, AlertEvent event, JobRecord job, TaskRecord task, AttemptRecord attempt,
      Instant now, String linkBase, String reason) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", id);
    root.put("event", event.name());
    ObjectNode j = root.putObject("job");
    j.put("id", job.id());
    j.put("name", job.spec().name());
    j.put("state", job.state().name());
    ObjectNode labels = j.putObject("labels");
    job.spec().labels().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> labels.put(e.getKey(), e.getValue()));
    j.put("submittedAt", text(job.submittedAt()));
    j.put("startedAt", text(job.startedAt()));
    j.put("finishedAt", text(job.finishedAt()));
    root.put("reason", reason);
    if (attempt != null) {
      ObjectNode a = root.putObject("attempt");
      a.put("task", task.taskId());
      a.put("attempt", attempt.attempt());
      a.put("worker", attempt.workerId());
      a.put("startedAt", text(attempt.startedAt()));
      a.put("runningSeconds", Duration.between(attempt.startedAt(), now).toSeconds());
    }
    root.put("raisedAt", now.toString());
    root.put("link", (linkBase.endsWith("/") ? linkBase.substring(0, linkBase.length() - 1) : linkBase)
        + "/api/v1/jobs/" + job.id());
    try {
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always renders", e);
    }
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static String reason(AlertEvent event, JobRecord job, TaskRecord task, AttemptRecord attempt, Instant now) {
    return switch (event) {
      case SUCCEEDED -> "all " + job.tasks().size() + " tasks succeeded";
      case RUNNING_LONG -> "task " + task.taskId() + " attempt " + attempt.attempt() + " has been running for "
          + Duration.between(attempt.startedAt(), now).toSeconds() + " s";
      case FAILED -> failureSummary(job);
    };
  }


  /**
   * Why a job failed, in one line: each failed task (at most five) with its last attempt's state, attempt count
   * and reason (its message, else its exit code); "no task ran" when none did. The FAILED alert's reason and the
   * Dispatcher's log line.
   */
  public static String failureSummary(JobRecord job) {
    String why = job.tasks().stream()
        .filter(t -> !t.attempts().isEmpty() && t.state() != AttemptState.SUCCEEDED && t.state() != AttemptState.PENDING)
        .map(t -> {
          AttemptRecord last = t.attempts().get(t.attempts().size() - 1);
          return t.taskId() + " " + last.state() + " after " + t.attempts().size() + " attempt"
              + (t.attempts().size() == 1 ? "" : "s")
              + (last.message() != null && !last.message().isBlank() ? ": " + last.message()
                  : last.exitCode() != null ? ": exit code " + last.exitCode() : "");
        })
        .limit(5)
        .collect(java.util.stream.Collectors.joining("; "));
    return why.isEmpty() ? "no task ran" : why;
  }
}