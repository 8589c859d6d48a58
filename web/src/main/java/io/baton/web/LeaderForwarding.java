package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.extractStrictEntity;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.MasterApi;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a standby, sends every {@code /api/v1/...} request (except {@code cluster}, {@code healthz},
 * {@code readyz}, {@code openapi.json} and {@code session}, which any master answers itself) with its credentials (Authorization and
 * Cookie headers) to the leader named by {@link MasterApi#cluster()} and returns
 * the leader's answer unchanged: status, body, Content-Type, Location, WWW-Authenticate and Retry-After. The body limit is
 * checked here first (413). A forwarded request carries {@value #FORWARDED_BY} and is never forwarded again, so
 * two masters that each think the other leads cannot loop. The event stream ({@code /api/v1/events}) is relayed as
 * it streams: the timeout covers only the leader's response headers, and it travels over a pool of its own. A leader that cannot be reached within the ask
 * timeout gives 503 naming it. With no leader known, or on the leader itself, requests are handled locally.
 * Immutable after construction; Pekko calls {@link #route} per request on its dispatcher threads.
 */
final class LeaderForwarding {
  static final String FORWARDED_BY = "X-Baton-Forwarded-By";
  private static final Logger log = LoggerFactory.getLogger(LeaderForwarding.class);
  private static final String API_PREFIX = "/api/v1/";
  private static final String EVENTS_PATH = "/api/v1/events";
  private static final Set<String> LOCAL_PATHS = Set.of("/api/v1/cluster", "/api/v1/healthz", "/api/v1/readyz",
      "/api/v1/openapi.json", BearerAuth.SESSION_PATH);
  private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Cookie", "Idempotency-Key", "Accept");
  private static final Set<String> RESPONSE_HEADERS = Set.of("location", "www-authenticate", "cache-control", "retry-after");
  private static final Duration BODY_READ_TIMEOUT = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final Http http;
  private final ConnectionPoolSettings pool;
  private final ConnectionPoolSettings streamPool;
  private final MasterApi api;
  private final long maxBodyBytes;
  private final Duration timeout;

  LeaderForwarding(ActorSystem<?> system, MasterApi api, RestSettings settings) {
    this.system = system;
    this.http = Http.get(system);
    // a restarted leader at the same address should be reachable again within a second, not after minutes
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        .withMaxConnections(16)
        .withMaxOpenRequests(256)
        .withMaxRetries(1)
        .withMaxConnectionBackoff(Duration.ofSeconds(1));
    // an event stream holds its connection for as long as the page is open: its own pool, so that open pages
    // never starve the pool that forwards ordinary requests
    this.streamPool = pool.withMaxConnections(1024).withMaxOpenRequests(1024).withMaxRetries(0);
    this.api = api;
    this.maxBodyBytes = settings.maxBodyBytes();
    this.timeout = settings.askTimeout();
  }

  /** Forwards when this master should not answer {@code request} itself; otherwise runs {@code local}. */
  Route route(Supplier<Route> local) {
    return extractRequest(request -> target(request).map(this::forward).orElseGet(local));
  }

  /** Where to send a request, and who sends it. */
  private record Target(String leaderUrl, String selfUrl) {}

  private Optional<Target> target(HttpRequest request) {
    String path = request.getUri().path();
    if (!path.startsWith(API_PREFIX) || LOCAL_PATHS.contains(path) || request.getHeader(FORWARDED_BY).isPresent()) {
      return Optional.empty();
    }
    ClusterView cluster = api.cluster();
    if (cluster.selfIsLeader()) {
      return Optional.empty();
    }
    String self = withoutTrailingSlash(cluster.selfRestUrl());
    return cluster.leader()
        .map(LeaderInfo::restUrl)
        .map(LeaderForwarding::withoutTrailingSlash)
        .filter(url -> !url.isEmpty() && !url.equals(self))
        .map(url -> new Target(url, self));
  }

  private Route forward(Target target) {
    return extractRequest(request -> {
      if (request.entity().getContentLengthOption().orElse(0L) > maxBodyBytes) {
        return complete(Problem.tooLarge(maxBodyBytes).toResponse());
      }
      // a chunked body over the limit fails the stream with EntityStreamSizeException, mapped to 413
      return withSizeLimit(maxBodyBytes, () -> extractStrictEntity(BODY_READ_TIMEOUT, body ->
          completeWithFuture(send(target, request, body))));
    });
  }

  private CompletableFuture<HttpResponse> send(Target target, HttpRequest request, HttpEntity.Strict body) {
    String leaderUrl = target.leaderUrl();
    String uri = leaderUrl + request.getUri().path()
        + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
    List<HttpHeader> headers = new ArrayList<>();
    for (String name : REQUEST_HEADERS) {
      request.getHeader(name).ifPresent(headers::add);
    }
    headers.add(RawHeader.create(FORWARDED_BY, target.selfUrl()));
    HttpRequest forwarded = HttpRequest.create(uri)
        .withMethod(request.method())
        .addHeaders(headers)
        .withEntity(body);
    CompletableFuture<HttpResponse> sent;
    try {
      ConnectionPoolSettings via = request.getUri().path().equals(EVENTS_PATH) ? streamPool : pool;
      sent = http.singleRequest(forwarded, http.defaultClientHttpsContext(), via, system.classicSystem().log())
          .toCompletableFuture();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<HttpResponse> answered = sent.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<HttpResponse> original = sent;
    answered.whenComplete((response, failure) -> {
      if (failure != null) {
        // an answer that arrives after we gave up must still be drained, or it holds a pooled connection
        original.thenAccept(late -> late.discardEntityBytes(system));
      }
    });
    return answered.handle((response, failure) -> {
      if (failure == null) {
        return relay(response);
      }
      String reason = describe(ProblemMapper.unwrap(failure));
      log.warn("Forwarding {} {} to the leader at {} failed: {}", request.method().value(), request.getUri().path(),
          leaderUrl, reason);
      return Problem.leaderUnreachable(leaderUrl, reason).toResponse();
    });
  }

  private HttpResponse relay(HttpResponse response) {
    List<HttpHeader> headers = new ArrayList<>();
    for (HttpHeader h : response.getHeaders()) {
      if (RESPONSE_HEADERS.contains(h.lowercaseName())) {
        headers.add(h);
      }
    }
    return HttpResponse.create().withStatus(response.status()).addHeaders(headers).withEntity(endingCleanly(response.entity()));
  }

  /**
   * A streamed answer (the event stream) ends when the leader goes away: expected in a failover, and the page
   * reconnects. It ends the relayed stream normally, logged in one line, instead of failing the response (which
   * the HTTP server logged as an ERROR with a stack trace).
   */
  private org.apache.pekko.http.javadsl.model.ResponseEntity endingCleanly(
      org.apache.pekko.http.javadsl.model.ResponseEntity entity) {
    if (entity.isKnownEmpty() || entity instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict) {
      return entity;
    }
    org.apache.pekko.stream.javadsl.Source<org.apache.pekko.util.ByteString, Object> data = entity.getDataBytes()
        .recoverWithRetries(1, new org.apache.pekko.japi.pf.PFBuilder<Throwable,
            org.apache.pekko.stream.Graph<org.apache.pekko.stream.SourceShape<org.apache.pekko.util.ByteString>,
                org.apache.pekko.NotUsed>>()
            .matchAny(t -> {
              log.info("the leader's stream ended ({}); the relayed stream ends with it", t.getMessage());
              return org.apache.pekko.stream.javadsl.Source.empty();
            })
            .build());
    return org.apache.pekko.http.javadsl.model.HttpEntities.create(entity.getContentType(), data);
  }

  private String describe(Throwable t) {
    if (t instanceof TimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        return "cannot connect (" + c.getMessage() + ")";
      }
      if (c instanceof UnknownHostException) {
        return "unknown host " + c.getMessage();
      }
      if (c instanceof org.apache.pekko.stream.BufferOverflowException) {
        return "too many requests are being forwarded at once";
      }
    }
    return "the connection failed";
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
