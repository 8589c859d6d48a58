package io.baton.scheduler.alerts;

import io.baton.ha.JobStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.alert.Alert;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Delivers the alert outbox for one leader epoch (README, "Alerts"): every {@link AlertSettings#pollInterval} it
 * reads {@link JobStore#pendingAlerts} (on a blocking thread), POSTs each alert it does not have in flight through
 * its {@link WebhookSender} (never on an actor thread) with the idempotency id and the signature headers, and deletes
 * an alert from the outbox once its receiver answered 2xx. A failed delivery (another status, a connection failure,
 * a timeout, no secret of that name on this master) is tried again after {@link AlertSettings#retryDelay}; after
 * {@link AlertSettings#maxAttempts} the alert is given up: logged at ERROR and deleted. At most
 * {@link AlertSettings#perUrlConcurrency} deliveries to one URL are in flight. What it tracks is bounded by the
 * outbox ({@link JobStore#MAX_OUTBOX}).
 *
 * <p>At-least-once: an alert stays in the outbox until delivered, so a leader that dies first leaves it to the next
 * one, which sends it again with the same id and body (only the signature's timestamp differs). A receiver may see
 * an id twice (a delivery that succeeded but whose delete was lost); it deduplicates by the id.
 */
public final class AlertCourier extends AbstractBehavior<AlertCourier.Command> {
  public sealed interface Command {}

  private record Poll() implements Command {}

  private record Polled(List<Alert> alerts, Throwable failure) implements Command {}

  private record Sent(String id, Integer status, Throwable failure) implements Command {}

  private record Deleted(String id, Throwable failure) implements Command {}

  /** One alert of the outbox as this courier knows it. */
  private static final class Tracked {
    final Alert alert;
    int attempts;
    Instant nextAt;
    boolean inFlight;
    /** Delivered (or given up): only its delete is left. */
    boolean done;
    boolean deleting;

    Tracked(Alert alert, Instant now) {
      this.alert = alert;
      this.nextAt = now;
    }
  }

  private final ActorContext<Command> context;
  private final Epoch epoch;
  private final JobStore store;
  private final AlertSettings settings;
  private final WebhookSender sender;
  private final Clock clock;
  private final Random random;
  private final Executor blocking;
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private final Map<String, Integer> inFlightByUrl = new HashMap<>();
  private boolean polling;

  /** A courier with its own HTTP sender, closed when it stops. */
  public static Behavior<Command> create(Epoch epoch, JobStore store, AlertSettings settings, Clock clock) {
    return Behaviors.setup(ctx -> create(epoch, store, settings, new HttpWebhookSender(), clock, new Random(), null));
  }

  /** {@code blocking}: where outbox reads run; null for the system's blocking dispatcher. */
  public static Behavior<Command> create(Epoch epoch, JobStore store, AlertSettings settings, WebhookSender sender,
      Clock clock, Random random, Executor blocking) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay("poll", new Poll(), Duration.ZERO, settings.pollInterval());
      Executor executor = blocking != null ? blocking : ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      return new AlertCourier(ctx, epoch, store, settings, sender, clock, random, executor);
    }));
  }

  private AlertCourier(ActorContext<Command> context, Epoch epoch, JobStore store, AlertSettings settings,
      WebhookSender sender, Clock clock, Random random, Executor blocking) {
    super(context);
    this.context = context;
    this.epoch = epoch;
    this.store = store;
    this.settings = settings;
    this.sender = sender;
    this.clock = clock;
    this.random = random;
    this.blocking = blocking;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Poll.class, this::onPoll)
        .onMessage(Polled.class, this::onPolled)
        .onMessage(Sent.class, this::onSent)
        .onMessage(Deleted.class, this::onDeleted)
        .onSignal(PostStop.class, stop -> {
          if (sender instanceof AutoCloseable closeable) {
            closeable.close();
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onPoll(Poll msg) {
    if (!polling) {
      polling = true;
      Supplier<List<Alert>> read = () -> {
        try {
          return store.pendingAlerts();
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      };
      context.pipeToSelf(CompletableFuture.supplyAsync(read, blocking), Polled::new);
    }
    pump();
    return this;
  }

  private Behavior<Command> onPolled(Polled msg) {
    polling = false;
    if (msg.failure() != null) {
      context.getLog().warn("could not read the alert outbox: {}", msg.failure().toString());
      return this;
    }
    Instant now = clock.instant();
    Set<String> present = new HashSet<>();
    for (Alert alert : msg.alerts()) {
      present.add(alert.id());
      Tracked t = tracked.computeIfAbsent(alert.id(), id -> new Tracked(alert, now));
      if (t.done && !t.deleting) {
        delete(t); // its delete failed before
      }
    }
    tracked.values().removeIf(t -> !present.contains(t.alert.id()) && !t.inFlight && !t.deleting);
    pump();
    return this;
  }

  private void pump() {
    Instant now = clock.instant();
    for (Tracked t : tracked.values()) {
      if (t.inFlight || t.done || t.nextAt.isAfter(now)
          || inFlightByUrl.getOrDefault(t.alert.url(), 0) >= settings.perUrlConcurrency()) {
        continue;
      }
      send(t, now);
    }
  }

  private void send(Tracked t, Instant now) {
    String secret = settings.secrets().get(t.alert.secret());
    if (secret == null) {
      failed(t, "this master has no secret named '" + t.alert.secret() + "' (baton.alerts.secrets-file)");
      return;
    }
    byte[] body = t.alert.body();
    Map<String, String> headers = Map.of(
        "Content-Type", "application/json",
        "User-Agent", "baton-alerts",
        AlertSigner.ID_HEADER, t.alert.id(),
        AlertSigner.HEADER, AlertSigner.sign(secret, now.getEpochSecond(), body));
    CompletableFuture<Integer> posted;
    try {
      posted = sender.post(URI.create(t.alert.url()), headers, body, settings.requestTimeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      posted = CompletableFuture.failedFuture(e);
    }
    t.inFlight = true;
    inFlightByUrl.merge(t.alert.url(), 1, Integer::sum);
    String id = t.alert.id();
    context.pipeToSelf(posted, (status, failure) -> new Sent(id, status, failure));
  }

  private Behavior<Command> onSent(Sent msg) {
    Tracked t = tracked.get(msg.id());
    if (t == null) {
      return this;
    }
    t.inFlight = false;
    inFlightByUrl.computeIfPresent(t.alert.url(), (url, n) -> n <= 1 ? null : n - 1);
    if (msg.failure() == null && msg.status() >= 200 && msg.status() < 300) {
      context.getLog().info("alert {} delivered to {} (HTTP {}) after {} failed attempts", t.alert.id(),
          t.alert.url(), msg.status(), t.attempts);
      t.done = true;
      delete(t);
      published(t, AlertDelivery.Outcome.DELIVERED);
    } else {
      failed(t, msg.failure() != null ? msg.failure().toString() : "HTTP " + msg.status());
    }
    pump();
    return this;
  }

  private void failed(Tracked t, String why) {
    t.attempts++;
    Duration delay = settings.retryDelay(t.attempts, random.nextDouble());
    if (delay == null) {
      context.getLog().error("alert {} to {} given up after {} attempts (last: {})", t.alert.id(), t.alert.url(),
          t.attempts, why);
      t.done = true;
      delete(t);
      published(t, AlertDelivery.Outcome.GIVEN_UP);
      return;
    }
    t.nextAt = clock.instant().plus(delay);
    context.getLog().warn("alert {} to {}: attempt {} failed ({}); next in {} ms", t.alert.id(), t.alert.url(),
        t.attempts, why, delay.toMillis());
    published(t, AlertDelivery.Outcome.FAILED);
  }

  /** Tells the event stream (metrics) how an attempt ended and how many alerts are still to deliver. */
  private void published(Tracked t, AlertDelivery.Outcome outcome) {
    int pending = (int) tracked.values().stream().filter(x -> !x.done).count();
    context.getSystem().eventStream().tell(new EventStream.Publish<>(
        new AlertDelivery(t.alert.id(), outcome, pending)));
  }

  private void delete(Tracked t) {
    t.deleting = true;
    String id = t.alert.id();
    context.pipeToSelf(store.deleteAlert(epoch, id).thenApply(ok -> Done.getInstance()),
        (ok, failure) -> new Deleted(id, failure));
  }

  private Behavior<Command> onDeleted(Deleted msg) {
    Tracked t = tracked.get(msg.id());
    if (t == null) {
      return this;
    }
    t.deleting = false;
    if (msg.failure() != null) {
      context.getLog().warn("could not delete delivered alert {} from the outbox ({}); trying again", msg.id(),
          msg.failure().toString());
    } else {
      tracked.remove(msg.id());
    }
    return this;
  }
}
