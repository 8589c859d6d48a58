package io.baton.web;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractActorSystem;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import io.baton.protocol.LeaderInfo;
import io.baton.scheduler.api.ClusterView;
import io.baton.scheduler.api.MasterApi;
import org.apache.pekko.NotUsed;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /api/v1/events}: a {@code text/event-stream} of {@code job} (summaries, coalesced per job),
 * {@code worker} and {@code cluster} events, opened by a {@code hello} event carrying the cluster view, with a
 * keep-alive comment when idle. Served by the leader; a standby forwards it ({@link LeaderForwarding}) and answers
 * 503 when no leader is known. One {@link EventFeed} actor per stream. Stateless; any thread.
 */
final class EventsRoutes {
  private static final int BUFFER = 4096;
  private static final AtomicLong FEEDS = new AtomicLong();

  private final MasterApi api;
  private final EventFeed.Settings settings;

  EventsRoutes(MasterApi api, EventFeed.Settings settings) {
    this.api = api;
    this.settings = settings;
  }

  Route route() {
    return path("events", () -> get(() -> extractActorSystem(system -> {
      ClusterView cluster = api.cluster();
      if (!cluster.selfIsLeader()) {
        return complete(Problem.notLeader(cluster.leader().map(LeaderInfo::restUrl)).toResponse());
      }
      Source<ByteString, ActorRef<EventFeed.Command>> feeding = Source.<ByteString>queue(BUFFER)
          .<ActorRef<EventFeed.Command>>mapMaterializedValue(
              queue -> Adapter.toTyped(system).systemActorOf(EventFeed.create(api, queue, settings),
                  "events-" + FEEDS.incrementAndGet(), Props.empty()))
          .keepAlive(settings.keepAlive(), () -> EventFeed.KEEP_ALIVE);
      Source<ByteString, NotUsed> body = feeding.watchTermination((feed, done) -> {
        done.whenComplete((d, failure) -> feed.tell(new EventFeed.StreamEnded()));
        return NotUsed.getInstance();
      });
      return complete(HttpResponse.create()
          .addHeader(RawHeader.create("Cache-Control", "no-cache"))
          .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
          .withEntity(HttpEntities.create(MediaTypes.TEXT_EVENT_STREAM.toContentType(), body)));
    })));
  }
}
