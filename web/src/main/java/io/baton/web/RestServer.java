package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

import io.baton.scheduler.api.MasterApi;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import scala.concurrent.duration.FiniteDuration;

/**
 * Baton's HTTP endpoint: the REST API under {@code /api/v1} (with the live {@code /api/v1/events}), {@code /healthz}, {@code /readyz} and the status
 * page at {@code /}, bound once by {@link #start}. On a standby, API requests are forwarded to the leader
 * ({@link LeaderForwarding}). Every error leaves as problem+json through one
 * {@link ProblemMapper}. Thread-safe; {@link #close()} may be called from any thread, more than once.
 */
public final class RestServer implements AutoCloseable {
  private static final Duration HARD_TERMINATION_DEADLINE = Duration.ofSeconds(3);
  private static final Duration MIN_REQUEST_TIMEOUT_MARGIN = Duration.ofSeconds(20);

  private final ServerBinding binding;

  private RestServer(ServerBinding binding) {
    this.binding = binding;
  }

  /** Binds {@code settings.host():settings.port()} (port 0 = any free port); completes once listening. */
  public static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api) {
    return start(system, settings, api, EventFeed.DEFAULTS);
  }

  static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api,
      EventFeed.Settings events) {
    ServerSettings serverSettings = ServerSettings.create(system.classicSystem());
    serverSettings = serverSettings.withParserSettings(
        serverSettings.getParserSettings().withMaxContentLength(settings.maxBodyBytes()));
    // the ask timeout must fire before Pekko's own request timeout, so that a slow leader gets our 503
    long requestTimeoutMillis = settings.askTimeout().plus(MIN_REQUEST_TIMEOUT_MARGIN).toMillis();
    if (serverSettings.getTimeouts().requestTimeout().isFinite()
        && serverSettings.getTimeouts().requestTimeout().toMillis() < requestTimeoutMillis) {
      serverSettings = serverSettings.withTimeouts(serverSettings.getTimeouts()
          .withRequestTimeout(FiniteDuration.create(requestTimeoutMillis, TimeUnit.MILLISECONDS)));
    }
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(serverSettings)
        .bind(routes(settings, api, Optional.of(new LeaderForwarding(system, api, settings)), events))
        .thenApply(RestServer::new);
  }

  /**
   * The whole route tree, with auth and problem+json mapping but without forwarding to the leader (a standby
   * answers 503 naming it); exposed for tests and embedding.
   */
  public static Route routes(RestSettings settings, MasterApi api) {
    return routes(settings, api, Optional.empty(), EventFeed.DEFAULTS);
  }

  /** The whole route tree; on a standby, {@code /api/v1} requests go to the leader through {@code system}. */
  public static Route routes(ActorSystem<?> system, RestSettings settings, MasterApi api) {
    return routes(settings, api, Optional.of(new LeaderForwarding(system, api, settings)), EventFeed.DEFAULTS);
  }

  private static Route routes(RestSettings settings, MasterApi api, Optional<LeaderForwarding> forwarding,
      EventFeed.Settings events) {
    ProblemMapper problems = new ProblemMapper(settings.maxBodyBytes(), api::cluster);
    ApiCalls calls = new ApiCalls(settings.askTimeout());
    BearerAuth auth = new BearerAuth(settings.token());
    HealthRoutes health = new HealthRoutes(api);
    Route apiV1 = pathPrefix("api", () -> pathPrefix("v1", () -> concat(
        new JobsRoutes(api, calls, settings.maxBodyBytes()).route(),
        new WorkersRoutes(api, calls).route(),
        new ClusterRoutes(api).route(),
        new EventsRoutes(api, events).route(),
        health.route())));
    return withRequestTimeoutResponse(request -> Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "request-timeout",
            "Request timeout", "the server could not answer in time; retry shortly").toResponse(),
        () -> handleExceptions(problems.exceptionHandler(), () -> handleRejections(problems.rejectionHandler(), () ->
            auth.require(() -> {
              Supplier<Route> local = () -> concat(apiV1, health.route(), new PageRoutes().route());
              return forwarding.map(f -> f.route(local)).orElseGet(local);
            }))));
  }

  public InetSocketAddress localAddress() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** Stops accepting connections, lets in-flight requests finish for a moment, then closes the rest. */
  public CompletionStage<Done> stop() {
    return binding.terminate(HARD_TERMINATION_DEADLINE).thenApply(t -> Done.getInstance());
  }

  @Override
  public void close() {
    try {
      stop().toCompletableFuture().get(HARD_TERMINATION_DEADLINE.toMillis() + 2000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // already unbound or the system is shutting down; nothing left to release
    }
  }
}
