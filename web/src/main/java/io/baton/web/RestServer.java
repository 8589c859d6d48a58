package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

import io.baton.scheduler.api.MasterApi;
import io.baton.web.metrics.MasterMetrics;
import io.baton.web.metrics.RouteTemplates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * Baton's HTTP endpoint: the REST API under {@code /api/v1} (with the live {@code /api/v1/events}), {@code /healthz}, {@code /readyz} and the status
 * page at {@code /}, bound once by {@link #start}. On a standby, API requests are forwarded to the leader
 * ({@link LeaderForwarding}). Every error leaves as problem+json through one
 * {@link ProblemMapper}. With {@link RestSettings#https()} the server speaks HTTPS (TLS 1.3/1.2) only. Connections are bound through {@code connectionSource()} so that
 * {@link ConnectionLimiter} can cap them per client address and in all; a connection silent for
 * {@link RestSettings#idleTimeout()} is closed, which is also what ends a client trickling its request head (Pekko
 * HTTP has no separate header-read timeout). Thread-safe; {@link #close()} may be called from any thread, more
 * than once.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestServer.class);
  private static final Duration HARD_TERMINATION_DEADLINE = Duration.ofSeconds(3);
  private static final Duration MIN_REQUEST_TIMEOUT_MARGIN = Duration.ofSeconds(20);
  private static final Duration DRAIN_POLL = Duration.ofMillis(20);
  private static final Duration LAST_ANSWERS_DEADLINE = Duration.ofSeconds(1);
  private static final ContentType.NonBinary PROMETHEUS_TEXT = ContentTypes.TEXT_PLAIN_UTF8;

  private final ServerBinding binding;
  private final Shutdown shutdown;
  private volatile Optional<MasterMetrics> ownMetrics = Optional.empty();
  /** The stop, once begun: every later call answers with it. Guarded by {@code this}. */
  private CompletionStage<Done> stopped;

  /**
   * What a stop needs of the connections: {@code stopping} makes every response close its connection; {@code
   * requests} ends each connection's request side (the requests already in take their answers out); {@code
   * connections} ends what is still open after that (event streams).
   */
  private record Shutdown(AtomicBoolean stopping, AtomicInteger inFlight, SharedKillSwitch requests,
      SharedKillSwitch connections, ConnectionLimiter limiter) {}

  private RestServer(ServerBinding binding, Shutdown shutdown) {
    this.binding = binding;
    this.shutdown = shutdown;
  }

  /**
   * Binds {@code settings.host():settings.port()} (port 0 = any free port) with metrics of its own (no HA
   * instrumentation); completes once listening.
   */
  public static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api) {
    return start(system, settings, api, EventFeed.DEFAULTS);
  }

  /** Binds as {@link #start(ActorSystem, RestSettings, MasterApi)}, serving {@code metrics} at {@code /metrics}. */
  public static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api,
      MasterMetrics metrics) {
    return start(system, settings, api, EventFeed.DEFAULTS, metrics);
  }

  static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api,
      EventFeed.Settings events) {
    MasterMetrics own = new MasterMetrics();
    return start(system, settings, api, events, own).thenApply(server -> server.owning(own));
  }

  static CompletionStage<RestServer> start(ActorSystem<?> system, RestSettings settings, MasterApi api,
      EventFeed.Settings events, MasterMetrics metrics) {
    metrics.listen(system, api);
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
    // the only limit on a client that sends its request head slowly, byte by byte or not at all
    serverSettings = serverSettings.withTimeouts(serverSettings.getTimeouts()
        .withIdleTimeout(FiniteDuration.create(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)));

    // an open event stream must send something before the idle timeout would close it
    Duration keepAlive = settings.idleTimeout().dividedBy(3);
    EventFeed.Settings feed = events.keepAlive().compareTo(keepAlive) <= 0 ? events
        : new EventFeed.Settings(events.coalesceWindow(), keepAlive, events.leaderCheck());
    Route route = LoopbackHosts.guard(settings.host(), () -> routes(settings, api,
        Optional.of(new LeaderForwarding(system, api, settings)), feed, () -> !system.whenTerminated().isCompleted(),
        metrics));
    Shutdown shutdown = new Shutdown(new AtomicBoolean(), new AtomicInteger(), KillSwitches.shared("rest-requests"),
        KillSwitches.shared("rest-connections"),
        new ConnectionLimiter(settings.maxConnectionsPerAddress(), settings.maxConnections()));
    AtomicInteger inFlight = shutdown.inFlight();
    Flow<HttpRequest, HttpResponse, NotUsed> handler = Flow.<HttpRequest>create()
        .via(shutdown.requests().flow())
        .map(request -> {
          inFlight.incrementAndGet();
          return request;
        })
        .via(route.flow(system))
        .map(response -> {
          inFlight.decrementAndGet();
          // a stopping server answers, then closes the connection: the client's next request goes elsewhere
          return shutdown.stopping().get() ? response.addHeader(Connection.create("close")) : response;
        })
        .via(shutdown.connections().flow());
    ConnectionLimiter limiter = shutdown.limiter();
    Materializer mat = Materializer.matFromSystem(system);
    ServerBuilder builder = Http.get(system).newServerAt(settings.host(), settings.port()).withSettings(serverSettings);
    if (settings.https()) {
      SSLContext tls = PemTls.serverContext(settings.tlsCert().get(), settings.tlsKey().get());
      builder = builder.enableHttps(ConnectionContext.httpsServer(() -> {
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(PemTls.PROTOCOLS);
        return engine;
      }));
    }
    return builder
        .connectionSource()
        .to(Sink.foreach(connection -> accept(connection, limiter, handler, mat)))
        .run(mat)
        .thenApply(binding -> new RestServer(binding, shutdown));
  }

  private static void accept(IncomingConnection connection, ConnectionLimiter limiter,
      Flow<HttpRequest, HttpResponse, NotUsed> handler, Materializer mat) {
    InetAddress client = connection.remoteAddress().getAddress();
    if (!limiter.tryAcquire(client)) {
      log.warn("Refused a REST connection from {}: {} open from it, {} open in all, over a cap (per address {}, total {})",
          client.getHostAddress(), limiter.open(client), limiter.open(), limiter.perAddress(), limiter.total());
      connection.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), mat);
      return;
    }
    connection.handleWith(handler.watchTermination((notUsed, done) -> {
      done.whenComplete((d, e) -> limiter.release(client));
      return notUsed;
    }), mat);
  }

  /**
   * The whole route tree, with auth and problem+json mapping but without forwarding to the leader (a standby
   * answers 503 naming it); exposed for tests and embedding.
   */
  public static Route routes(RestSettings settings, MasterApi api) {
    return routes(settings, api, Optional.empty(), EventFeed.DEFAULTS, () -> true, new MasterMetrics());
  }

  /** The whole route tree; on a standby, {@code /api/v1} requests go to the leader through {@code system}. */
  public static Route routes(ActorSystem<?> system, RestSettings settings, MasterApi api) {
    return routes(settings, api, Optional.of(new LeaderForwarding(system, api, settings)), EventFeed.DEFAULTS,
        () -> !system.whenTerminated().isCompleted(), new MasterMetrics());
  }

  private static Route routes(RestSettings settings, MasterApi api, Optional<LeaderForwarding> forwarding,
      EventFeed.Settings events, BooleanSupplier systemAlive, MasterMetrics metrics) {
    ProblemMapper problems = new ProblemMapper(settings.maxBodyBytes(), api::cluster);
    ApiCalls calls = new ApiCalls(settings.askTimeout());
    BearerAuth auth = new BearerAuth(settings.token(), settings.readToken(), settings.https());
    HealthRoutes health = new HealthRoutes(api, systemAlive);
    Route apiV1 = pathPrefix("api", () -> pathPrefix("v1", () -> concat(
        new JobsRoutes(api, calls, settings.maxBodyBytes()).route(),
        new SchedulesRoutes(api, calls, settings.maxBodyBytes()).route(),
        new WorkersRoutes(api, calls).route(),
        new ClusterRoutes(api, calls).route(),
        new EventsRoutes(api, events).route(),
        new StatsRoutes(api, metrics.registry(), Clock.systemUTC()).route(),
        new OpenApiRoutes().route(),
        health.route())));
    Route metricsRoute = path("metrics", () -> get(() -> completeWithFuture(metrics.scrape()
        .thenApply(text -> HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, text))))));
    return timed(metrics, () -> withRequestTimeoutResponse(request -> Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "request-timeout",
            "Request timeout", "the server could not answer in time; retry shortly").toResponse(),
        () -> handleExceptions(problems.exceptionHandler(), () -> handleRejections(problems.rejectionHandler(), () ->
            auth.require(() -> {
              Supplier<Route> local = () -> concat(apiV1, health.route(), metricsRoute, new PageRoutes().route());
              return forwarding.map(f -> f.route(local)).orElseGet(local);
            })))));
  }

  /** Reports every request's route template, method, status and time to {@code metrics}. */
  private static Route timed(MasterMetrics metrics, Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      String route = RouteTemplates.of(request.getUri().path());
      String method = request.method().value();
      return mapResponse(response -> {
        metrics.request(route, method, response.status().intValue(), System.nanoTime() - start);
        return response;
      }, inner);
    });
  }

  /** Closes {@code metrics} when this server stops (it made them itself). */
  private RestServer owning(MasterMetrics metrics) {
    ownMetrics = Optional.of(metrics);
    return this;
  }

  public InetSocketAddress localAddress() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /**
   * Stops accepting connections and answers every request from then on with {@code Connection: close}; lets the
   * requests in flight finish for up to 3 s; then ends each connection's request side, so an idle keep-alive
   * connection closes and a request that came in meanwhile still gets its answer (up to 1 s more); then closes every
   * connection left (event streams). No request is cut off without an
   * answer before the 3 s are up: Pekko HTTP would answer it 500 itself ("Internal server error").
   */
  public CompletionStage<Done> stop() {
    synchronized (this) {
      if (stopped == null) {
        stopped = stopOnce();
      }
      return stopped;
    }
  }

  private CompletionStage<Done> stopOnce() {
    long deadline = System.nanoTime() + HARD_TERMINATION_DEADLINE.toNanos();
    shutdown.stopping().set(true);
    return binding.unbind()
        .thenCompose(unbound -> until(() -> shutdown.inFlight().get() <= 0, deadline))
        .thenCompose(drained -> {
          shutdown.requests().shutdown();
          return until(() -> shutdown.inFlight().get() <= 0, System.nanoTime() + LAST_ANSWERS_DEADLINE.toNanos());
        })
        .thenApply(answered -> {
          shutdown.connections().shutdown();
          ownMetrics.ifPresent(MasterMetrics::close);
          return Done.getInstance();
        });
  }

  private CompletableFuture<Done> until(BooleanSupplier done, long deadlineNanos) {
    if (done.getAsBoolean() || System.nanoTime() >= deadlineNanos) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(DRAIN_POLL.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(x -> until(done, deadlineNanos));
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
