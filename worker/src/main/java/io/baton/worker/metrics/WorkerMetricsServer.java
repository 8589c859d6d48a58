package io.baton.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import io.baton.worker.WorkerAgent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's {@code GET /metrics} in Prometheus text format, on a port of its own ({@code baton.worker.metrics-port})
 * with the JDK's HTTP server: Micrometer's JVM and process metrics and the worker's own view, asked of its
 * {@link WorkerAgent} at each scrape ({@link WorkerAgent.GetStatus}, at most 2 s; no actor blocks): registered
 * with a leader or not, the newest leader epoch it saw, its attempts by state and the reports the leader has not
 * acknowledged yet. Attempt and job counters are the leader's ({@code GET /metrics} on the masters). One
 * scrape at a time, on the server's own thread; {@link #close()} from any thread.
 */
public final class WorkerMetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerMetricsServer.class);
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
  private static final List<AttemptState> STATES = List.of(AttemptState.SCHEDULED, AttemptState.RUNNING,
      AttemptState.SUCCEEDED, AttemptState.FAILED, AttemptState.TIMED_OUT, AttemptState.CANCELLED, AttemptState.LOST);
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final ActorSystem<WorkerAgent.Command> agent;
  private final AtomicReference<Optional<WorkerAgent.Status>> status = new AtomicReference<>(Optional.empty());

  private WorkerMetricsServer(HttpServer server, ExecutorService executor, ActorSystem<WorkerAgent.Command> agent) {
    this.server = server;
    this.executor = executor;
    this.agent = agent;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindProcessMetrics(registry);
    Gauge.builder("baton.worker.registered", status, s -> s.get().map(st -> st.registered() ? 1 : 0).orElse(0))
        .description("1 while this worker is registered with a leader").register(registry);
    Gauge.builder("baton.worker.leader.epoch", status, s -> s.get().map(st -> st.newestEpoch().value()).orElse(0L))
        .description("The newest leader epoch this worker has seen").register(registry);
    Gauge.builder("baton.worker.unacked.reports", status, s -> s.get().map(WorkerAgent.Status::unackedReports).orElse(0))
        .description("Attempt reports the leader has not acknowledged yet").register(registry);
    for (AttemptState state : STATES) {
      Gauge.builder("baton.worker.attempts", status, s -> s.get().map(st -> count(st.attempts(), state)).orElse(0L))
          .description("Attempts this worker holds, by state (finished ones until the leader acknowledges them)")
          .tag("state", state.name()).register(registry);
    }
  }

  /**
   * Serves {@code agent}'s metrics at {@code http://host:port/metrics} (port 0: any free port; see
   * {@link #port()}).
   */
  public static WorkerMetricsServer start(String host, int port, ActorSystem<WorkerAgent.Command> agent)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "worker-metrics");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    WorkerMetricsServer metrics = new WorkerMetricsServer(server, executor, agent);
    server.createContext("/metrics", metrics::handle);
    server.start();
    log.info("worker metrics at http://{}:{}/metrics", host, metrics.port());
    return metrics;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The registry (tests). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().add("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      status.set(askStatus());
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", CONTENT_TYPE);
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private Optional<WorkerAgent.Status> askStatus() {
    try {
      return Optional.of(AskPattern.<WorkerAgent.Command, WorkerAgent.Status>ask(agent, WorkerAgent.GetStatus::new,
              STATUS_TIMEOUT, agent.scheduler())
          .toCompletableFuture().get(STATUS_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty(); // the agent is stopping or busy: this scrape shows its gauges as 0
    }
  }

  private static long count(List<AttemptReport> attempts, AttemptState state) {
    return attempts.stream().filter(a -> a.state() == state).count();
  }

  @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process
  private static void bindProcessMetrics(MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    registry.close();
  }
}
