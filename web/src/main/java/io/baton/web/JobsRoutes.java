package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterList;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.protocol.JobState;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.api.JobFilter;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.MasterApi.LogResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/jobs}: submit (201, or 200 when the Idempotency-Key repeats), list newest first with paging
 * (filtered by {@code state=}, {@code name=} (a part of the name), {@code worker=} (an attempt ran there) and
 * {@code label=key=value}, repeatable, all must match),
 * detail, delete (204), cancel (202), rerun (201: a new job that reuses what succeeded) and attempt logs (text/plain). Stateless; Pekko runs the routes on its dispatcher.
 */
final class JobsRoutes {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final int MAX_IDEMPOTENCY_KEY_LENGTH = 200;
  /** The longest {@code name}, {@code worker}, label key and label value a listing accepts. */
  static final int MAX_FILTER_LENGTH = 200;
  /** The most {@code label} parameters of one listing. */
  static final int MAX_LABELS = 16;

  private final MasterApi api;
  private final ApiCalls calls;
  private final long maxBodyBytes;

  JobsRoutes(MasterApi api, ApiCalls calls, long maxBodyBytes) {
    this.api = api;
    this.calls = calls;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route route() {
    return pathPrefix("jobs", () -> concat(
        pathEnd(() -> concat(post(this::submit), get(this::list))),
        pathPrefix(segment(), jobId -> concat(
            pathEnd(() -> concat(get(() -> detail(jobId)), delete(() -> deleteJob(jobId)))),
            path("cancel", () -> post(() -> cancel(jobId))),
            path("rerun", () -> post(() -> rerun(jobId))),
            path(segment("tasks").slash(segment()).slash("log"), taskId -> get(() -> log(jobId, taskId))),
            path(segment("tasks").slash(segment()).slash("result"), taskId -> get(() -> result(jobId, taskId)))))));
  }

  private Route submit() {
    return JsonBody.read(maxBodyBytes, "a job spec", body -> optionalHeaderValueByName("Idempotency-Key", key -> {
      Optional<String> badKey = key.flatMap(JobsRoutes::checkIdempotencyKey);
      if (badKey.isPresent()) {
        return complete(Problem.invalidParameters(List.of(new Violation("Idempotency-Key", badKey.get()))).toResponse());
      }
      JobSpecParser.Result parsed = JobSpecParser.parse(body);
      if (parsed instanceof JobSpecParser.Result.Malformed m) {
        return complete(Problem.malformedJson(m.detail()).toResponse());
      }
      if (parsed instanceof JobSpecParser.Result.Invalid invalid) {
        return complete(Problem.invalidJob(invalid.violations()).toResponse());
      }
      var spec = ((JobSpecParser.Result.Valid) parsed).spec();
      List<Violation> secrets = AlertSecretCheck.unknown(spec.webhooks(), "", api.alertSecretNames());
      if (!secrets.isEmpty()) {
        return complete(Problem.invalidJob(secrets).toResponse());
      }
      return onSuccess(calls.call(() -> api.submit(spec, key)), result -> {
        ObjectNode reply = Json.MAPPER.createObjectNode()
            .put("id", result.jobId())
            .put("state", result.state().name());
        HttpResponse response = Json.response(result.created() ? StatusCodes.CREATED : StatusCodes.OK, reply)
            .addHeader(RawHeader.create("Location", "/api/v1/jobs/" + result.jobId()));
        return complete(response);
      });
    }));
  }

  static Optional<String> checkIdempotencyKey(String key) {
    if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return Optional.of("must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
    if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return Optional.of("must be printable ASCII without spaces");
    }
    return Optional.empty();
  }

  private Route list() {
    return parameterOptional("state", state -> parameterOptional("limit", limit -> parameterOptional("before", before ->
        parameterOptional("name", name -> parameterOptional("worker", worker -> parameterList("label", labels -> {
      List<Violation> errors = new ArrayList<>();
      Optional<JobState> jobState = Optional.empty();
      if (state.isPresent()) {
        try {
          jobState = Optional.of(JobState.valueOf(state.get().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          errors.add(new Violation("state", "'" + state.get() + "' is not a job state; use one of "
              + List.of(JobState.values())));
        }
      }
      int max = DEFAULT_LIMIT;
      if (limit.isPresent()) {
        OptionalInt parsed = parseInt(limit.get());
        if (parsed.isEmpty() || parsed.getAsInt() < 1 || parsed.getAsInt() > MAX_LIMIT) {
          errors.add(new Violation("limit", "must be an integer from 1 to " + MAX_LIMIT + ", not '" + limit.get() + "'"));
        } else {
          max = parsed.getAsInt();
        }
      }
      if (before.isPresent() && before.get().isEmpty()) {
        errors.add(new Violation("before", "must be a job id"));
      }
      name.flatMap(n -> tooLong(n)).ifPresent(m -> errors.add(new Violation("name", m)));
      if (worker.isPresent()) {
        if (worker.get().isEmpty()) {
          errors.add(new Violation("worker", "must be a worker id"));
        } else {
          tooLong(worker.get()).ifPresent(m -> errors.add(new Violation("worker", m)));
        }
      }
      Map<String, String> wanted = labels(labels, errors);
      if (!errors.isEmpty()) {
        return complete(Problem.invalidParameters(errors).toResponse());
      }
      int pageSize = max;
      JobFilter filter = new JobFilter(jobState, name, worker, wanted);
      return onSuccess(calls.call(() -> api.listJobs(filter, pageSize, before)), jobs -> {
        List<JobRecord> shown = jobs.stream().limit(pageSize).toList();
        Optional<String> next = jobs.size() >= pageSize && !jobs.isEmpty()
            ? Optional.of(jobs.get(pageSize - 1).id()) : Optional.empty();
        return complete(Json.ok(listBody(shown, next)));
      });
    }))))));
  }

  /** The {@code label=key=value} parameters as a map (split at the first '='); each problem added to {@code errors}. */
  static Map<String, String> labels(List<String> params, List<Violation> errors) {
    Map<String, String> wanted = new LinkedHashMap<>();
    if (params.size() > MAX_LABELS) {
      errors.add(new Violation("label", "at most " + MAX_LABELS + " labels, not " + params.size()));
      return wanted;
    }
    for (String param : params) {
      int eq = param.indexOf('=');
      if (eq <= 0) {
        errors.add(new Violation("label", "'" + abbreviate(param) + "' is not key=value"
            + (eq == 0 ? ": the key is empty" : ": use label=KEY=VALUE, e.g. label=team=data")));
        continue;
      }
      String key = param.substring(0, eq);
      String value = param.substring(eq + 1);
      Optional<String> bad = tooLong(key).map(m -> "the key " + m).or(() -> tooLong(value).map(m -> "the value " + m));
      if (bad.isPresent()) {
        errors.add(new Violation("label", bad.get()));
        continue;
      }
      String before = wanted.putIfAbsent(key, value);
      if (before != null && !before.equals(value)) {
        errors.add(new Violation("label", "'" + key + "' is given twice, as '" + abbreviate(before) + "' and '"
            + abbreviate(value) + "': a job has one value per label"));
      }
    }
    return wanted;
  }

  private static Optional<String> tooLong(String value) {
    return value.length() > MAX_FILTER_LENGTH
        ? Optional.of("must be at most " + MAX_FILTER_LENGTH + " characters, not " + value.length())
        : Optional.empty();
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private static ObjectNode listBody(List<JobRecord> jobs, Optional<String> nextBefore) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ArrayNode array = body.putArray("jobs");
    jobs.stream().map(Json::jobSummary).forEach(array::add);
    if (nextBefore.isPresent()) {
      body.put("nextBefore", nextBefore.get());
    } else {
      body.putNull("nextBefore");
    }
    return body;
  }

  /** The job, its {@code rerunOf} and the ids of the jobs that rerun it ({@code reruns}, oldest first). */
  private Route detail(String jobId) {
    return onSuccess(calls.call(() -> api.job(jobId).thenCompose(job -> job.isEmpty()
            ? CompletableFuture.completedFuture(Optional.<ObjectNode>empty())
            : api.reruns(jobId).thenApply(reruns -> {
              ObjectNode node = Json.jobDetail(job.get());
              ArrayNode ids = node.putArray("reruns");
              reruns.forEach(ids::add);
              return Optional.of(node);
            }))), detail -> detail
        .map(d -> complete(Json.ok(d)))
        .orElseGet(() -> complete(Problem.notFound("no job with id '" + jobId + "'").toResponse())));
  }

  private Route rerun(String jobId) {
    return onSuccess(calls.call(() -> api.rerun(jobId)), result -> {
      if (result instanceof MasterApi.RerunResult.Created created) {
        ObjectNode reply = Json.MAPPER.createObjectNode()
            .put("id", created.jobId())
            .put("state", created.state().name())
            .put("rerunOf", jobId);
        return complete(Json.response(StatusCodes.CREATED, reply)
            .addHeader(RawHeader.create("Location", "/api/v1/jobs/" + created.jobId())));
      }
      if (result instanceof MasterApi.RerunResult.NotFound notFound) {
        return complete(Problem.notFound(notFound.detail()).toResponse());
      }
      return complete(Problem.conflict(((MasterApi.RerunResult.Conflict) result).detail()).toResponse());
    });
  }

  private Route cancel(String jobId) {
    return onSuccess(calls.call(() -> api.cancel(jobId)), result -> switch (result) {
      case ACCEPTED -> complete(Json.response(StatusCodes.ACCEPTED,
          Json.MAPPER.createObjectNode().put("id", jobId).put("cancelRequested", true)));
      case NOT_FOUND -> complete(Problem.notFound("no job with id '" + jobId + "'").toResponse());
      case ALREADY_FINISHED -> complete(Problem.conflict(
          "job '" + jobId + "' has already finished and cannot be cancelled").toResponse());
    });
  }

  private Route deleteJob(String jobId) {
    return onSuccess(calls.call(() -> api.delete(jobId)), result -> switch (result) {
      case DELETED -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
      case NOT_FOUND -> complete(Problem.notFound("no job with id '" + jobId + "'").toResponse());
      case NOT_FINISHED -> complete(Problem.conflict("job '" + jobId + "' has not finished (or an attempt of it may "
          + "still run); cancel it first, or wait until it has finished").toResponse());
    });
  }

  private Route log(String jobId, String taskId) {
    return parameterOptional("attempt", attempt -> {
      OptionalInt number = OptionalInt.empty();
      if (attempt.isPresent()) {
        number = parseInt(attempt.get());
        if (number.isEmpty() || number.getAsInt() < 1) {
          return complete(Problem.invalidParameters(List.of(
              new Violation("attempt", "must be a positive integer, not '" + attempt.get() + "'"))).toResponse());
        }
      }
      OptionalInt which = number;
      return onSuccess(calls.call(() -> api.log(jobId, taskId, which)), result -> {
        if (result instanceof LogResult.Found found) {
          return complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, found.data()));
        }
        if (result instanceof LogResult.NotFound notFound) {
          return complete(Problem.notFound(notFound.detail()).toResponse());
        }
        LogResult.Unavailable unavailable = (LogResult.Unavailable) result;
        return complete(Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "log-unavailable", "Log unavailable",
            unavailable.detail()).toResponse());
      });
    });
  }

  /** {@code GET /jobs/{id}/tasks/{task}/result}: the results of the task's units, shards in order. */
  private Route result(String jobId, String taskId) {
    return onSuccess(calls.call(() -> api.results(jobId, taskId)), found -> found
        .map(results -> complete(Json.ok(Json.results(jobId, taskId, results))))
        .orElseGet(() -> complete(Problem.notFound("no task '" + taskId + "' in job '" + jobId + "'").toResponse())));
  }

  static OptionalInt parseInt(String s) {
    try {
      return OptionalInt.of(Integer.parseInt(s.trim()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
