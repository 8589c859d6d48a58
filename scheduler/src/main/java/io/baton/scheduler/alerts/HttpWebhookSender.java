package io.baton.scheduler.alerts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A {@link WebhookSender} over the JDK's HttpClient, with a small thread pool of its own (so a slow receiver never
 * holds an actor thread), no redirects followed (a signed alert goes where the spec says, nowhere else) and the
 * response body discarded. Thread-safe; {@link #close} stops its threads.
 */
public final class HttpWebhookSender implements WebhookSender, AutoCloseable {
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "baton-alert-sender");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient client = HttpClient.newBuilder()
      .executor(executor)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Override
  public CompletionStage<Integer> post(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
    HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
