package io.baton.web.metrics;

import io.baton.ha.HaServices;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.alerts.AlertDelivery;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.MasterApi;
import io.baton.scheduler.api.WorkerView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One master's metrics, served at {@code GET /metrics} in Prometheus text format by Micrometer's Prometheus
 * registry. Instruments at the edges only: {@link #meter} wraps the {@link HaServices} (leadership grants, store
 * write latency, the recovered jobs), {@link #listen} subscribes to the leader's {@link ClusterEvent}s (jobs and
 * attempts, see {@link JobEventsMeter}) and reads {@link MasterApi#cluster()} for ZooKeeper's state and the
 * leader's epoch; {@link #scrape} asks the leader for its workers (without blocking) and then renders. The REST
 * layer reports every request through {@link #request}. Thread-safe: the meters are Micrometer's, the job state
 * lives in an actor.
 */
public final class MasterMetrics implements AutoCloseable {
  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final List<String> ZOOKEEPER_STATES = List.of("CONNECTED", "SUSPENDED", "LOST", "NONE");
  private static final List<String> WORKER_STATES = List.of("ALIVE", "DRAINING", "DEAD");
  private static final Duration WORKERS_TIMEOUT = Duration.ofSeconds(2);

  private final PrometheusMeterRegistry registry;
  private final AutoCloseable processMetrics;
  private final long instance = INSTANCES.incrementAndGet();
  private final List<ActorRef<?>> actors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile ActorSystem<?> system;
  private final Clock clock;
  private final AtomicReference<ActorRef<JobEventsMeter.Command>> events = new AtomicReference<>();
  private final AtomicLong grantedEpoch = new AtomicLong();
  private final Counter grants;
  private final AtomicReference<Workers> workers = new AtomicReference<>(Workers.NONE);
  private final AtomicReference<MasterApi> api = new AtomicReference<>();

  /** What the last scrape learnt of the workers (all zero on a standby, which has none). */
  private record Workers(List<WorkerView> views, Instant at) {
    static final Workers NONE = new Workers(List.of(), Instant.EPOCH);

    long count(String state) {
      return views.stream().filter(w -> w.state().equals(state)).count();
    }

    double sum(java.util.function.ToDoubleFunction<WorkerView> f) {
      return views.stream().filter(w -> !w.state().equals("DEAD")).mapToDouble(f).sum();
    }

    double maxHeartbeatLagSeconds() {
      return views.stream().filter(w -> !w.state().equals("DEAD") && w.lastHeartbeatAt() != null)
          .mapToDouble(w -> Math.max(0, Duration.between(w.lastHeartbeatAt(), at).toMillis() / 1000.0))
          .max().orElse(0);
    }
  }

  public MasterMetrics() {
    this(Clock.systemUTC());
  }

  public MasterMetrics(Clock clock) {
    this.clock = clock;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.processMetrics = ProcessMetrics.bind(registry);
    this.grants = Counter.builder("baton.leadership.grants")
        .description("Times this master was granted leadership (each is a failover or a first election)")
        .register(registry);
    Gauge.builder("baton.leadership.epoch", grantedEpoch, AtomicLong::get)
        .description("The epoch this master leads in, 0 while it does not lead").register(registry);
    for (String state : WORKER_STATES) {
      Gauge.builder("baton.workers", workers, w -> w.get().count(state))
          .description("Workers by state (as the leader saw them at the last scrape; 0 on a standby)")
          .tag("state", state).register(registry);
    }
    Gauge.builder("baton.workers.cpus.offered", workers, w -> w.get().sum(WorkerView::cpus))
        .description("CPUs offered by workers that are not DEAD").register(registry);
    Gauge.builder("baton.workers.cpus.used", workers, w -> w.get().sum(WorkerView::cpusUsed))
        .description("CPUs held by running attempts").register(registry);
    Gauge.builder("baton.workers.memory.offered", workers, w -> w.get().sum(v -> v.memoryMb() * 1024.0 * 1024.0))
        .baseUnit("bytes").description("Memory offered by workers that are not DEAD").register(registry);
    Gauge.builder("baton.workers.memory.used", workers, w -> w.get().sum(v -> v.memoryMbUsed() * 1024.0 * 1024.0))
        .baseUnit("bytes").description("Memory held by running attempts").register(registry);
    Gauge.builder("baton.workers.heartbeat.lag", workers, w -> w.get().maxHeartbeatLagSeconds())
        .baseUnit("seconds").description("The longest time since a live worker's last heartbeat").register(registry);
  }

  /** The registry (tests and embedding). */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** {@code ha} with its election and job store instrumented; pass the result to the master in its place. */
  public HaServices meter(HaServices ha) {
    Gauge.builder("baton.zookeeper.connected", ha, h -> h.connectionState().equals("CONNECTED") ? 1 : 0)
        .description("1 while this master's ZooKeeper session is CONNECTED").register(registry);
    for (String state : ZOOKEEPER_STATES) {
      Gauge.builder("baton.zookeeper.state", ha, h -> h.connectionState().equals(state) ? 1 : 0)
          .description("This master's ZooKeeper connection state (1 for the current one)")
          .tag("state", state).register(registry);
    }
    return new MeteredHaServices(ha, this);
  }

  /**
   * Starts counting the leader's job events on {@code system} and reads the cluster view of {@code api}; call
   * once, after the system started. Idempotent.
   */
  public void listen(ActorSystem<?> system, MasterApi api) {
    if (events.get() != null) {
      return;
    }
    ActorRef<JobEventsMeter.Command> meter =
        system.systemActorOf(JobEventsMeter.create(registry, clock), "job-events-meter-" + instance, Props.empty());
    if (!events.compareAndSet(null, meter)) {
      return;
    }
    this.system = system;
    ActorRef<ClusterEvent> adapter = system.systemActorOf(Behaviors.<ClusterEvent>receive((ctx, e) -> {
      meter.tell(new JobEventsMeter.Event(e));
      return Behaviors.same();
    }), "job-events-meter-adapter-" + instance, Props.empty());
    ActorRef<AlertDelivery> deliveries = system.systemActorOf(Behaviors.<AlertDelivery>receive((ctx, d) -> {
      meter.tell(new JobEventsMeter.Delivery(d));
      return Behaviors.same();
    }), "alert-deliveries-meter-adapter-" + instance, Props.empty());
    actors.add(meter);
    actors.add(adapter);
    actors.add(deliveries);
    system.eventStream().tell(new EventStream.Subscribe<>(ClusterEvent.class, adapter));
    system.eventStream().tell(new EventStream.Subscribe<>(AlertDelivery.class, deliveries));
    Gauge.builder("baton.leader.epoch", api,
            a -> a.cluster().leader().map(LeaderInfo::epoch).map(Epoch::value).orElse(0L))
        .description("The epoch of the leader this master knows of (0: none known)").register(registry);
    Gauge.builder("baton.leader", api, a -> a.cluster().selfIsLeader() ? 1 : 0)
        .description("1 while this master leads").register(registry);
    this.api.set(api);
  }

  /**
   * Refreshes the worker gauges from the leader (a standby, or a leader that does not answer within 2 s, shows
   * none) and renders every meter in the Prometheus text format (version 0.0.4).
   */
  public CompletionStage<String> scrape() {
    MasterApi a = api.get();
    if (a == null || !a.cluster().selfIsLeader()) {
      workers.set(Workers.NONE);
      return CompletableFuture.completedFuture(registry.scrape());
    }
    return a.workers().toCompletableFuture()
        .orTimeout(WORKERS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle((views, failure) -> {
          workers.set(failure == null ? new Workers(views, clock.instant()) : Workers.NONE);
          return registry.scrape();
        });
  }

  /** One REST request: {@code route} is a template ({@link RouteTemplates}), never a raw path. */
  public void request(String route, String method, int status, long nanos) {
    Timer.builder("baton.http.server.requests")
        .description("REST requests by route template, method and status")
        .tags("route", route, "method", method, "status", Integer.toString(status))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void granted(Epoch epoch) {
    grants.increment();
    grantedEpoch.set(epoch.value());
    tellEvents(new JobEventsMeter.Reset());
  }

  void revoked() {
    grantedEpoch.set(0);
    tellEvents(new JobEventsMeter.Reset());
  }

  void recovered(List<JobRecord> jobs) {
    tellEvents(new JobEventsMeter.Recovered(jobs));
  }

  private void tellEvents(JobEventsMeter.Command command) {
    ActorRef<JobEventsMeter.Command> meter = events.get();
    if (meter != null) {
      meter.tell(command);
    }
  }

  /** Stops the event listeners and closes the registry; scrapes after this show nothing new. */
  @Override
  public void close() {
    ActorSystem<?> s = system;
    if (s != null) {
      for (ActorRef<?> ref : actors) {
        s.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ref));
      }
    }
    try {
      processMetrics.close();
    } catch (Exception e) {
      // only listeners to remove; nothing to report
    }
    registry.close();
  }
}
