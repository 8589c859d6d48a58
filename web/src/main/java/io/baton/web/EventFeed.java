package io.baton.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.protocol.job.JobRecord;
import io.baton.scheduler.api.ClusterEvent;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.MasterApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.util.ByteString;

/**
 * One per open {@code GET /api/v1/events} stream: subscribes to the leader's {@link ClusterEvent}s and writes
 * them as server-sent events into the stream's queue. Job changes are coalesced per job id over one window and
 * sent as job summaries (the list items of {@code GET /jobs}); worker changes go out as they come. The stream
 * ends when this master stops leading (the page reconnects and reaches the new leader) or when the queue is
 * full (a reader that cannot keep up reconnects and re-reads). Stopped by {@link StreamEnded}, which also
 * unsubscribes.
 */
final class EventFeed extends AbstractBehavior<EventFeed.Command> {
  sealed interface Command {}

  /** The HTTP stream ended (client gone, or completed by us). */
  record StreamEnded() implements Command {}

  private record Event(ClusterEvent event) implements Command {}

  private record Flush() implements Command {}

  private record CheckLeader() implements Command {}

  /** Windows and intervals of the feed; see {@link #DEFAULTS}. */
  record Settings(Duration coalesceWindow, Duration keepAlive, Duration leaderCheck) {}

  static final Settings DEFAULTS = new Settings(Duration.ofMillis(250), Duration.ofSeconds(15), Duration.ofSeconds(1));
  static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final MasterApi api;
  private final BoundedSourceQueue<ByteString> queue;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterEvent> subscriber;
  private final Optional<Epoch> epoch;
  private final Map<String, JobRecord> pending = new LinkedHashMap<>();
  private boolean open = true;

  static Behavior<Command> create(MasterApi api, BoundedSourceQueue<ByteString> queue, Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new EventFeed(context, timers, api, queue, settings)));
  }

  private EventFeed(ActorContext<Command> context, TimerScheduler<Command> timers, MasterApi api,
      BoundedSourceQueue<ByteString> queue, Settings settings) {
    super(context);
    this.api = api;
    this.queue = queue;
    this.settings = settings;
    this.timers = timers;
    this.subscriber = context.messageAdapter(ClusterEvent.class, Event::new);
    context.getSystem().eventStream().tell(new EventStream.Subscribe<>(ClusterEvent.class, subscriber));
    ClusterView cluster = api.cluster();
    this.epoch = cluster.leader().map(LeaderInfo::epoch);
    offer(ByteString.fromString("retry: 2000\n\n"));
    offer(event("hello", Json.cluster(cluster)));
    timers.startTimerWithFixedDelay(new CheckLeader(), settings.leaderCheck());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, this::onEvent)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(CheckLeader.class, this::onCheckLeader)
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .build();
  }

  private Behavior<Command> onEvent(Event message) {
    if (message.event() instanceof ClusterEvent.JobChanged changed) {
      if (changed.job() == null || changed.job().id() == null) {
        getContext().getLog().warn("skipping a job event without a job: {}", changed);
        return this;
      }
      if (pending.isEmpty()) {
        timers.startSingleTimer(new Flush(), settings.coalesceWindow());
      }
      pending.put(changed.job().id(), changed.job());
    } else if (message.event() instanceof ClusterEvent.JobRemoved removed) {
      pending.remove(removed.jobId());
      render("jobRemoved", () -> Json.MAPPER.createObjectNode().put("id", removed.jobId()));
    } else if (message.event() instanceof ClusterEvent.WorkerChanged worker) {
      render("worker", () -> Json.worker(worker.worker()));
    }
    return this;
  }

  private Behavior<Command> onFlush(Flush message) {
    for (JobRecord job : pending.values()) {
      render("job", () -> Json.jobSummary(job));
    }
    pending.clear();
    return this;
  }

  /**
   * Sends one event; one that cannot be rendered (a field missing) is logged and skipped, so that it neither stops
   * this feed (leaving the page's stream open and silent) nor sends it to dead letters.
   */
  private void render(String type, java.util.function.Supplier<JsonNode> data) {
    JsonNode node;
    try {
      node = data.get();
    } catch (RuntimeException e) {
      getContext().getLog().warn("skipping a {} event that cannot be shown: {}", type, e.toString());
      return;
    }
    offer(event(type, node));
  }

  private Behavior<Command> onCheckLeader(CheckLeader message) {
    ClusterView cluster = api.cluster();
    Optional<Epoch> now = cluster.leader().map(LeaderInfo::epoch);
    if (!cluster.selfIsLeader() || !now.equals(epoch)) {
      offer(event("cluster", Json.cluster(cluster)));
      complete();
    }
    return this;
  }

  private Behavior<Command> onStreamEnded(StreamEnded message) {
    open = false;
    getContext().getSystem().eventStream().tell(new EventStream.Unsubscribe<>(subscriber));
    return Behaviors.stopped();
  }

  private void offer(ByteString bytes) {
    if (!open) {
      return;
    }
    QueueOfferResult result = queue.offer(bytes);
    if (result != QueueOfferResult.enqueued()) {
      // a reader this far behind would show stale data: end the stream so the page reconnects and re-reads
      complete();
    }
  }

  private void complete() {
    if (open) {
      open = false;
      queue.complete();
    }
  }

  static ByteString event(String type, JsonNode data) {
    return ByteString.fromArray(("event: " + type + "\ndata: " + new String(Json.bytes(data), StandardCharsets.UTF_8)
        + "\n\n").getBytes(StandardCharsets.UTF_8));
  }
}
