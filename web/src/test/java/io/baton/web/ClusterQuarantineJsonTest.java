package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.baton.ha.JobStore;
import io.baton.scheduler.api.ClusterView;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code GET /cluster}'s body lists the leader's quarantined job records; empty when there are none. */
class ClusterQuarantineJsonTest {
  @Test
  void quarantinedRecordsAreListed() {
    Instant at = Instant.parse("2026-11-28T07:00:00Z");
    ClusterView view = new ClusterView(Optional.empty(), "http://m1:8080", true, List.of(), "CONNECTED",
        List.of(new JobStore.Quarantined("job-bad", "unreadable job record: buffer underflow", at)));
    JsonNode q = Json.cluster(view).get("quarantined");
    assertEquals(1, q.size());
    assertEquals("job-bad", q.get(0).get("id").asText());
    assertEquals("unreadable job record: buffer underflow", q.get(0).get("reason").asText());
    assertEquals("2026-11-28T07:00:00Z", q.get(0).get("at").asText());

    JsonNode none = Json.cluster(new ClusterView(Optional.empty(), "http://m1:8080", false, List.of(), "CONNECTED"));
    assertEquals(0, none.get("quarantined").size());
  }
}
