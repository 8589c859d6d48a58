package io.baton.worker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.LeaderInfo;
import io.baton.worker.connection.LeaderConnection.Change;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderConnectionTest {
  private static final long S = 1_000_000_000L;

  private static Optional<LeaderInfo> leader(long epoch, String session) {
    return Optional.of(new LeaderInfo(epoch, session, "pekko://baton@h:1", "http://h:8080"));
  }

  @Test
  void followsNewerLeadersAndIgnoresStaleOnes() {
    LeaderConnection c = new LeaderConnection(0);
    assertEquals(Change.NEW_LEADER, c.leaderPublished(leader(2, "a")));
    assertEquals(Change.SAME_LEADER, c.leaderPublished(leader(2, "a")));
    assertEquals(Change.IGNORED_STALE, c.leaderPublished(leader(1, "old")));
    assertEquals("a", c.leader().orElseThrow().sessionId());
    assertEquals(Change.NO_LEADER, c.leaderPublished(Optional.empty()));
    assertEquals(Change.IGNORED_STALE, c.leaderPublished(leader(1, "old")));
    assertEquals(Change.NEW_LEADER, c.leaderPublished(leader(3, "b")));
  }

  @Test
  void messagesFromOlderEpochsAreRejected() {
    LeaderConnection c = new LeaderConnection(0);
    c.leaderPublished(leader(5, "a"));
    assertFalse(c.accept(4, 1));
    assertTrue(c.accept(5, 1));
    assertTrue(c.accept(6, 1));
    assertFalse(c.accept(5, 1), "a newer epoch seen on a message raises the bar too");
    assertEquals(6, c.newestEpoch());
  }

  @Test
  void registrationCountsOnlyForTheLeaderFollowed() {
    LeaderConnection c = new LeaderConnection(0);
    c.leaderPublished(leader(2, "a"));
    assertFalse(c.registrationAccepted(1));
    assertFalse(c.isRegistered());
    assertTrue(c.registrationAccepted(2));
    assertTrue(c.isRegistered());
    c.leaderPublished(leader(3, "b"));
    assertFalse(c.isRegistered(), "a new leader needs a new registration");
  }

  @Test
  void selfFencesOnlyWithRunningAttemptsAfterTheTimeout() {
    LeaderConnection c = new LeaderConnection(0);
    Duration timeout = Duration.ofSeconds(5);
    assertFalse(c.mustSelfFence(6 * S, 0, timeout), "nothing running, nothing to fence");
    assertFalse(c.mustSelfFence(5 * S, 1, timeout));
    assertTrue(c.mustSelfFence(5 * S + 1, 1, timeout));
    c.accept(0, 5 * S);
    assertFalse(c.mustSelfFence(9 * S, 3, timeout));
  }

  @Test
  void registrationBackoffDoublesUpToTheCap() {
    LeaderConnection c = new LeaderConnection(0);
    Duration base = Duration.ofMillis(100);
    Duration max = Duration.ofMillis(500);
    assertEquals(Duration.ofMillis(100), c.nextRegistrationDelay(base, max));
    assertEquals(Duration.ofMillis(200), c.nextRegistrationDelay(base, max));
    assertEquals(Duration.ofMillis(400), c.nextRegistrationDelay(base, max));
    assertEquals(Duration.ofMillis(500), c.nextRegistrationDelay(base, max));
    c.leaderPublished(leader(1, "x"));
    assertEquals(Duration.ofMillis(100), c.nextRegistrationDelay(base, max), "a new leader starts over");
  }
}
