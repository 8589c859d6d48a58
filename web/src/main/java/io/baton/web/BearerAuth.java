package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * When a token is configured, every mutating request (POST, PUT, PATCH, DELETE) must carry
 * {@code Authorization: Bearer <token>}; reads stay open. Compares in constant time (over SHA-256 digests, so
 * the length leaks nothing either). Immutable; any thread.
 */
final class BearerAuth {
  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final List<HttpHeader> CHALLENGE = List.of(RawHeader.create("WWW-Authenticate", "Bearer realm=\"baton\""));

  private final Optional<byte[]> expected;

  BearerAuth(Optional<String> token) {
    this.expected = token.filter(t -> !t.isEmpty()).map(BearerAuth::digest);
  }

  Route require(Supplier<Route> inner) {
    if (expected.isEmpty()) {
      return inner.get();
    }
    return extractRequest(request -> {
      if (!MUTATING.contains(request.method().value())) {
        return inner.get();
      }
      return switch (check(request)) {
        case "ok" -> inner.get();
        case "missing" -> complete(Problem.unauthorized(
            "this request changes state and needs an 'Authorization: Bearer <token>' header").toResponse(CHALLENGE));
        default -> complete(Problem.unauthorized("the bearer token is wrong").toResponse(CHALLENGE));
      };
    });
  }

  private String check(HttpRequest request) {
    Optional<HttpHeader> header = request.getHeader("Authorization");
    if (header.isEmpty()) {
      return "missing";
    }
    String value = header.get().value().trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return "missing";
    }
    byte[] given = digest(value.substring(7).trim());
    return MessageDigest.isEqual(given, expected.get()) ? "ok" : "wrong";
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
