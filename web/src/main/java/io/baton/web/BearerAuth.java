package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookiePair;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Two scoped tokens. With none configured everything is open. With a token configured, every request needs
 * {@code Authorization: Bearer <token>}, except {@code /healthz}, {@code /readyz} (probes; they show no job data)
 * and the status page's own files ({@code /} and {@code /assets/*}; the data they fetch needs a token). The write
 * token ({@code baton.rest.token}) allows everything; the read token ({@code baton.rest.read-token}) allows GET
 * and HEAD only (403 on a write). A missing or wrong token is 401.
 *
 * <p>The page's {@code EventSource} cannot send headers, so {@code POST /api/v1/session} with a valid bearer
 * token (read or write) answers 204 and sets the HttpOnly, SameSite=Strict cookie {@value #COOKIE} holding the
 * token's SHA-256 (hex), never the token; {@code DELETE /api/v1/session} clears it. The cookie counts for reads
 * only, never for a write, so a forged cross-site request can change nothing even if a browser sent it.
 *
 * <p>Compares in constant time over SHA-256 digests (the length leaks nothing either), and always against both
 * tokens. Immutable; any thread.
 */
final class BearerAuth {
  static final String COOKIE = "baton_token";
  static final String SESSION_PATH = "/api/v1/session";
  private static final Set<String> READS = Set.of("GET", "HEAD");
  private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz", "/api/v1/healthz", "/api/v1/readyz", "/");
  private static final List<HttpHeader> CHALLENGE = List.of(RawHeader.create("WWW-Authenticate", "Bearer realm=\"baton\""));

  /** What a request may do. */
  enum Scope { NONE, READ, WRITE }

  private final Optional<byte[]> write;
  private final Optional<byte[]> read;
  private final boolean secureCookie;

  /** {@code secureCookie}: mark the session cookie Secure (the server speaks HTTPS). */
  BearerAuth(Optional<String> writeToken, Optional<String> readToken, boolean secureCookie) {
    this.secureCookie = secureCookie;
    this.write = writeToken.filter(t -> !t.isEmpty()).map(BearerAuth::digest);
    this.read = readToken.filter(t -> !t.isEmpty()).map(BearerAuth::digest);
    if (read.isPresent() && write.isEmpty()) {
      throw new IllegalArgumentException("a read token needs a write token (baton.rest.token) as well");
    }
  }

  boolean enabled() {
    return write.isPresent();
  }

  Route require(Supplier<Route> inner) {
    if (!enabled()) {
      return inner.get();
    }
    return extractRequest(request -> {
      String path = request.getUri().path();
      String method = request.method().value();
      boolean isRead = READS.contains(method);
      if (isRead && (OPEN_PATHS.contains(path) || path.startsWith("/assets/"))) {
        return inner.get();
      }
      if (path.equals(SESSION_PATH) && method.equals("DELETE")) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            .addHeader(RawHeader.create("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")));
      }
      Optional<String> bearer = bearer(request);
      Optional<String> cookie = isRead ? cookie(request) : Optional.empty();
      Scope scope;
      if (bearer.isPresent()) {
        scope = scope(digest(bearer.get()));
      } else if (cookie.isPresent()) {
        scope = scopeOfHex(cookie.get());
      } else {
        String what = isRead ? "this cluster needs" : "this request changes state and needs";
        return complete(Problem.unauthorized(what + " an 'Authorization: Bearer <token>' header").toResponse(CHALLENGE));
      }
      if (scope == Scope.NONE) {
        return complete(Problem.unauthorized("the bearer token is wrong").toResponse(CHALLENGE));
      }
      if (path.equals(SESSION_PATH) && method.equals("POST") && bearer.isPresent()) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            .addHeader(RawHeader.create("Set-Cookie", COOKIE + "=" + HexFormat.of().formatHex(digest(bearer.get()))
                + "; Path=/; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""))));
      }
      if (!isRead && scope == Scope.READ) {
        return complete(Problem.of(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
            "the read token cannot change state; use the write token").toResponse());
      }
      return inner.get();
    });
  }

  private Scope scopeOfHex(String hex) {
    try {
      return scope(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      return Scope.NONE;
    }
  }

  /** What a token with this SHA-256 allows; compares against both configured tokens, each in constant time. */
  private Scope scope(byte[] given) {
    boolean isWrite = write.map(w -> MessageDigest.isEqual(given, w)).orElse(false);
    boolean isRead = read.map(r -> MessageDigest.isEqual(given, r)).orElse(false);
    return isWrite ? Scope.WRITE : isRead ? Scope.READ : Scope.NONE;
  }

  /** The bearer token of an {@code Authorization} header; empty when there is none or it is not Bearer. */
  static Optional<String> bearer(HttpRequest request) {
    Optional<HttpHeader> header = request.getHeader("Authorization");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().value().trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(value.substring(7).trim());
  }

  private Optional<String> cookie(HttpRequest request) {
    Optional<org.apache.pekko.http.javadsl.model.headers.Cookie> cookies =
        request.getHeader(org.apache.pekko.http.javadsl.model.headers.Cookie.class);
    if (cookies.isEmpty()) {
      return Optional.empty();
    }
    for (HttpCookiePair pair : cookies.get().getCookies()) {
      if (pair.name().equals(COOKIE) && !pair.value().isEmpty()) {
        return Optional.of(pair.value());
      }
    }
    return Optional.empty();
  }

  private static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
