package io.baton.scheduler.alerts;

import io.baton.scheduler.policy.Backoff;
import java.time.Duration;
import java.util.Map;

/**
 * How the leader delivers alerts (README, "Alerts"), parsed once at start-up.
 *
 * @param secrets the signing secrets by name ({@code baton.alerts.secrets-file}); a webhook names one
 * @param backoff the delay before delivery attempt n+1 after attempt n failed
 * @param maxAttempts deliveries of one alert a leader tries before it gives the alert up (and deletes it)
 * @param requestTimeout how long one delivery may take, connection included
 * @param perUrlConcurrency most deliveries in flight to one URL at once
 * @param pollInterval how often the courier reads the outbox (new alerts wait at most this long)
 * @param linkBase what the alert's {@code link} starts with; empty: the REST URL of the leader that raised it
 */
public record AlertSettings(Map<String, String> secrets, Backoff backoff, int maxAttempts, Duration requestTimeout,
    int perUrlConcurrency, Duration pollInterval, String linkBase) {
  public static final AlertSettings DEFAULT = new AlertSettings(Map.of(), new Backoff(Duration.ofSeconds(1),
      Duration.ofMinutes(5), 0.2), 12, Duration.ofSeconds(10), 4, Duration.ofSeconds(1), "");

  public AlertSettings {
    secrets = Map.copyOf(secrets);
    if (maxAttempts < 1 || perUrlConcurrency < 1 || requestTimeout.isNegative() || requestTimeout.isZero()
        || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("invalid alert settings: max attempts " + maxAttempts + ", per-URL concurrency "
          + perUrlConcurrency + ", request timeout " + requestTimeout + ", poll interval " + pollInterval);
    }
    linkBase = linkBase == null ? "" : linkBase;
  }

  /** These settings with {@code restUrl} as the link base, unless one is set. */
  public AlertSettings withDefaultLinkBase(String restUrl) {
    return linkBase.isEmpty() ? new AlertSettings(secrets, backoff, maxAttempts, requestTimeout, perUrlConcurrency,
        pollInterval, restUrl) : this;
  }

  /** The delay after failed delivery attempt {@code attempt} (from 1), or null when the alert is given up. */
  public Duration retryDelay(int attempt, double random01) {
    return attempt >= maxAttempts ? null : backoff.delay(attempt, random01);
  }
}
