package io.baton.scheduler.alerts;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * POSTs one alert. Called by the {@link AlertCourier} on its actor thread; must return at once (the request runs on
 * the sender's own threads, never the caller's) and complete with the HTTP status, or exceptionally on a
 * connection failure or after {@code timeout}.
 */
public interface WebhookSender {
  CompletionStage<Integer> post(URI url, Map<String, String> headers, byte[] body, Duration timeout);
}
