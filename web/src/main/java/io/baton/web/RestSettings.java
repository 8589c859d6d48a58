package io.baton.web;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the REST endpoint: where to bind ({@code port} 0 = any free port), the optional write token
 * ({@code baton.rest.token}) and read token ({@code baton.rest.read-token}) of {@link BearerAuth}, the request
 * body limit, how long to wait for the leader before answering 503, and the connection limits: at most
 * {@code maxConnectionsPerAddress} open connections from one client address and {@code maxConnections} in all
 * (further ones are closed at once), and {@code idleTimeout}, the longest a connection may stay silent, which is
 * also the only bound on a client that trickles its request head. With {@code tlsCert} and {@code tlsKey} (PEM
 * files, see {@link PemTls}) the server speaks HTTPS only.
 */
public record RestSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration askTimeout,
    Optional<String> readToken, int maxConnectionsPerAddress, int maxConnections, Duration idleTimeout,
    Optional<Path> tlsCert, Optional<Path> tlsKey) {
  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);

  public RestSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(askTimeout, "askTimeout");
    Objects.requireNonNull(readToken, "readToken");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(tlsCert, "tlsCert");
    Objects.requireNonNull(tlsKey, "tlsKey");
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new IllegalArgumentException("HTTPS needs both a certificate and a key file, not just one");
    }
    token = token.filter(t -> !t.isEmpty());
    readToken = readToken.filter(t -> !t.isEmpty());
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, not " + port);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive");
    }
    if (askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("askTimeout must be positive");
    }
    if (readToken.isPresent() && token.isEmpty()) {
      throw new IllegalArgumentException("a read token (baton.rest.read-token) needs a write token (baton.rest.token)");
    }
    if (readToken.isPresent() && readToken.equals(token)) {
      throw new IllegalArgumentException("the read token must differ from the write token");
    }
    if (maxConnectionsPerAddress < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("connection limits must be positive");
    }
    if (idleTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("idleTimeout must be at least 100 ms, not " + idleTimeout);
    }
  }

  /** Only a write token (or none), with the default connection limits. */
  public RestSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration askTimeout) {
    this(host, port, token, maxBodyBytes, askTimeout, Optional.empty(), DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
        DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, Optional.empty(), Optional.empty());
  }

  /** Whether the server speaks HTTPS. */
  public boolean https() {
    return tlsCert.isPresent();
  }

  /** No token, a 1 MiB body limit and a 10 s ask timeout. */
  public static RestSettings of(String host, int port) {
    return new RestSettings(host, port, Optional.empty(), DEFAULT_MAX_BODY_BYTES, DEFAULT_ASK_TIMEOUT);
  }

  public RestSettings withToken(String newToken) {
    return new RestSettings(host, port, Optional.ofNullable(newToken), maxBodyBytes, askTimeout, readToken,
        maxConnectionsPerAddress, maxConnections, idleTimeout, tlsCert, tlsKey);
  }

  public RestSettings withReadToken(String newReadToken) {
    return new RestSettings(host, port, token, maxBodyBytes, askTimeout, Optional.ofNullable(newReadToken),
        maxConnectionsPerAddress, maxConnections, idleTimeout, tlsCert, tlsKey);
  }

  public RestSettings withConnectionLimits(int perAddress, int total, Duration idle) {
    return new RestSettings(host, port, token, maxBodyBytes, askTimeout, readToken, perAddress, total, idle, tlsCert,
        tlsKey);
  }

  /** HTTPS with this PEM certificate chain and PKCS#8 key. */
  public RestSettings withTls(Path certPem, Path keyPem) {
    return new RestSettings(host, port, token, maxBodyBytes, askTimeout, readToken, maxConnectionsPerAddress,
        maxConnections, idleTimeout, Optional.of(certPem), Optional.of(keyPem));
  }
}
