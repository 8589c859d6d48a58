package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.baton.protocol.schedule.ScheduleSpec;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.MasterApi.ScheduleChange;
import io.baton.scheduler.api.ScheduleView;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/schedules}: create (201, 409 when the name is taken), list by name, show, create or replace
 * ({@code PUT}: 201 or 200), delete (204), pause and resume (200 with the schedule) and trigger (202 with the job's
 * id). Bodies are checked by {@link ScheduleSpecParser}, every violation at once. Stateless; Pekko runs the routes
 * on its dispatcher.
 */
final class SchedulesRoutes {
  private final MasterApi api;
  private final ApiCalls calls;
  private final long maxBodyBytes;

  SchedulesRoutes(MasterApi api, ApiCalls calls, long maxBodyBytes) {
    this.api = api;
    this.calls = calls;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route route() {
    return pathPrefix("schedules", () -> concat(
        pathEnd(() -> concat(post(this::create), get(this::list))),
        pathPrefix(segment(), name -> concat(
            pathEnd(() -> concat(get(() -> show(name)), put(() -> replace(name)), delete(() -> remove(name)))),
            path("pause", () -> post(() -> pause(name, true))),
            path("resume", () -> post(() -> pause(name, false))),
            path("trigger", () -> post(() -> trigger(name)))))));
  }

  private Route create() {
    return spec(Optional.empty(), spec -> onSuccess(calls.call(() -> api.putSchedule(spec, false)), this::changed));
  }

  private Route replace(String name) {
    return spec(Optional.of(name), spec -> onSuccess(calls.call(() -> api.putSchedule(spec, true)), this::changed));
  }

  private Route list() {
    return onSuccess(calls.call(api::schedules), all -> complete(Json.ok(Json.schedules(
        all.stream().sorted(Comparator.comparing(v -> v.spec().name())).toList()))));
  }

  private Route show(String name) {
    return onSuccess(calls.call(() -> api.schedule(name)), found -> found
        .map(view -> complete(Json.ok(Json.schedule(view))))
        .orElseGet(() -> complete(notFound(name).toResponse())));
  }

  private Route remove(String name) {
    return onSuccess(calls.call(() -> api.deleteSchedule(name)), change -> change instanceof ScheduleChange.Done
        ? complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))
        : changed(change));
  }

  private Route pause(String name, boolean paused) {
    return onSuccess(calls.call(() -> api.pauseSchedule(name, paused)), this::changed);
  }

  private Route trigger(String name) {
    return onSuccess(calls.call(() -> api.triggerSchedule(name)), jobId -> jobId
        .map(id -> complete(Json.response(StatusCodes.ACCEPTED, Json.MAPPER.createObjectNode().put("jobId", id))
            .addHeader(RawHeader.create("Location", "/api/v1/jobs/" + id))))
        .orElseGet(() -> complete(notFound(name).toResponse())));
  }

  /** Done: 201 with Location when created, else 200, with the schedule; NotFound 404; Exists 409. */
  private Route changed(ScheduleChange change) {
    if (change instanceof ScheduleChange.Done done) {
      ScheduleView view = done.view();
      HttpResponse response = Json.response(done.created() ? StatusCodes.CREATED : StatusCodes.OK,
          Json.schedule(view));
      if (done.created()) {
        response = response.addHeader(RawHeader.create("Location",
            "/api/v1/schedules/" + view.spec().name()));
      }
      return complete(response);
    }
    if (change instanceof ScheduleChange.NotFound notFound) {
      return complete(notFound(notFound.name()).toResponse());
    }
    String name = ((ScheduleChange.Exists) change).name();
    return complete(Problem.conflict("a schedule named '" + name + "' already exists; replace it with PUT "
        + "/api/v1/schedules/" + name + ", or delete it first").toResponse());
  }

  private static Problem notFound(String name) {
    return Problem.notFound("no schedule named '" + name + "'");
  }

  /** Reads and checks a JSON schedule body (415, 413, 400 malformed or invalid), then hands the spec on. */
  private Route spec(Optional<String> pathName, Function<ScheduleSpec, Route> inner) {
    return JsonBody.read(maxBodyBytes, "a schedule", body -> {
      ScheduleSpecParser.Result parsed = ScheduleSpecParser.parse(body, pathName);
      if (parsed instanceof ScheduleSpecParser.Result.Malformed m) {
        return complete(Problem.malformedJson(m.detail()).toResponse());
      }
      if (parsed instanceof ScheduleSpecParser.Result.Invalid invalid) {
        return complete(Problem.invalidSchedule(invalid.violations()).toResponse());
      }
      ScheduleSpec spec = ((ScheduleSpecParser.Result.Valid) parsed).spec();
      List<Violation> secrets = spec.job() == null ? List.of()
          : AlertSecretCheck.unknown(spec.job().webhooks(), "job.", api.alertSecretNames());
      if (!secrets.isEmpty()) {
        return complete(Problem.invalidSchedule(secrets).toResponse());
      }
      return inner.apply(spec);
    });
  }
}
