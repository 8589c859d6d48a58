package io.baton.web;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the REST endpoint: where to bind ({@code port} 0 = any free port), the optional bearer token
 * that mutating requests must carry ({@code baton.rest.token}), the request body limit and how long to wait
 * for the leader before answering 503.
 */
public record RestSettings(String host, int port, Optional<String> token, long maxBodyBytes, Duration askTimeout) {
  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(10);

  public RestSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(askTimeout, "askTimeout");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, not " + port);
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive");
    }
    if (askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("askTimeout must be positive");
    }
  }

  /** No token, a 1 MiB body limit and a 10 s ask timeout. */
  public static RestSettings of(String host, int port) {
    return new RestSettings(host, port, Optional.empty(), DEFAULT_MAX_BODY_BYTES, DEFAULT_ASK_TIMEOUT);
  }

  public RestSettings withToken(String newToken) {
    return new RestSettings(host, port, Optional.ofNullable(newToken), maxBodyBytes, askTimeout);
  }
}
