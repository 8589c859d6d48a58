package io.baton.web;

import io.baton.ha.FencedException;
import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.NotLeaderException;
import io.baton.scheduler.api.QueueFullException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into {@code application/problem+json}: exceptions from routes and
 * {@link io.baton.scheduler.api.MasterApi} (NotLeader, a write fenced off because this master no longer leads,
 * and timeouts become 503 with Retry-After; oversized bodies 413; anything unexpected 500 without a stack trace)
 * and every Pekko HTTP rejection (404, 405, 415, ...). A not-leader answer names the leader's REST URL when one is
 * known and is not this master. Immutable after construction; Pekko calls it on its dispatcher threads.
 */
final class ProblemMapper {
  private static final Logger log = LoggerFactory.getLogger(ProblemMapper.class);

  private final long maxBodyBytes;
  private final Supplier<ClusterView> cluster;

  ProblemMapper(long maxBodyBytes, Supplier<ClusterView> cluster) {
    this.maxBodyBytes = maxBodyBytes;
    this.cluster = cluster;
  }

  Problem problemFor(Throwable failure) {
    Throwable t = unwrap(failure);
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NotLeaderException e) {
        return Problem.notLeader(e.leader().map(LeaderInfo::restUrl).or(this::otherLeader));
      }
      if (c instanceof QueueFullException e) {
        return Problem.of(StatusCodes.SERVICE_UNAVAILABLE, "queue-full", "Queue full", e.getMessage());
      }
      if (c instanceof FencedException e) {
        log.info("A write was fenced off ({}); answering 503 so that the client retries with the leader",
            e.getMessage());
        return Problem.notLeader(otherLeader());
      }
    }
    if (t instanceof TimeoutException) {
      return Problem.timeout("the leader did not answer in time; retry shortly");
    }
    if (t instanceof EntityStreamSizeException) {
      return Problem.tooLarge(maxBodyBytes);
    }
    if (t instanceof IllegalRequestException e) {
      return Problem.of(e.status(), null, e.status().reason(), e.info().summary());
    }
    log.error("Unexpected failure while handling a REST request", t);
    return Problem.internal();
  }

  /** The leader this master knows of, if it is another master. */
  private Optional<String> otherLeader() {
    try {
      return cluster.get().otherLeaderRestUrl();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(t -> Directives.complete(problemFor(t).toResponse()))
        .build();
  }

  RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(ProblemMapper::asProblem);
  }

  /** Rewrites a plain-text response of Pekko's default rejection handler as problem+json, keeping its headers. */
  static HttpResponse asProblem(HttpResponse response) {
    if (Problem.PROBLEM_JSON.equals(response.entity().getContentType())) {
      return response;
    }
    String detail = response.entity() instanceof HttpEntity.Strict strict
        ? strict.getData().utf8String()
        : response.status().reason();
    var status = response.status();
    String slug = switch (status.intValue()) {
      case 400 -> "bad-request";
      case 401 -> "unauthorized";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 406 -> "not-acceptable";
      case 413 -> "payload-too-large";
      case 415 -> "unsupported-media-type";
      default -> null;
    };
    if (status.equals(StatusCodes.NOT_FOUND) && detail.isBlank()) {
      detail = "no such resource";
    }
    Problem problem = Problem.of(status, slug, status.reason(), detail);
    return response.withEntity(Problem.PROBLEM_JSON, Json.bytes(problem.toJson()));
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
