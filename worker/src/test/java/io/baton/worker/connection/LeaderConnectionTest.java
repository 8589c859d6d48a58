package io.baton.worker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import io.baton.worker.connection.LeaderConnection.Change;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderConnectionTest {
  private static final long S = 1_000_000_000L;

  private static Optional<LeaderInfo> leader(long epoch, String session) {
    return Optional.of(new LeaderInfo(new Epoch(epoch), session, "pekko://baton@h:1", "http://h:8080"));
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
  void onlyMessagesOfTheFollowedLeadersEpochAreAccepted() {
    LeaderConnection c = new LeaderConnection(0);
    assertFalse(c.accept(new Epoch(1)), "no leader followed yet");
    c.leaderPublished(leader(5, "a"));
    assertFalse(c.accept(new Epoch(4)), "a deposed leader");
    assertTrue(c.accept(new Epoch(5)));
    assertFalse(c.accept(new Epoch(6)), "an epoch the leader record does not show");
    assertFalse(c.accept(new Epoch(5 + 1_000_000)), "a message cannot raise the epoch a worker obeys");
    assertTrue(c.accept(new Epoch(5)));
    assertEquals(new Epoch(5), c.newestEpoch());
    c.leaderPublished(Optional.empty());
    assertFalse(c.accept(new Epoch(5)), "no leader published");
  }

  @Test
  void registrationCountsOnlyForTheLeaderFollowed() {
    LeaderConnection c = new LeaderConnection(0);
    c.leaderPublished(leader(2, "a"));
    assertFalse(c.registrationAccepted(new Epoch(1)));
    assertFalse(c.isRegistered());
    assertTrue(c.registrationAccepted(new Epoch(2)));
    assertTrue(c.isRegistered());
    c.leaderPublished(leader(3, "b"));
    assertFalse(c.isRegistered(), "a new leader needs a new registration");
  }

  @Test
  void selfFencesOnlyWithRunningAttemptsOnceTheLeaseEnds() {
    LeaderConnection c = new LeaderConnection(0);
    Duration timeout = Duration.ofSeconds(5);
    Duration margin = Duration.ofSeconds(1);
    assertEquals(4 * S, c.leaseDeadline(timeout, margin));
    assertFalse(c.mustSelfFence(6 * S, 0, timeout, margin), "nothing running, nothing to fence");
    assertFalse(c.mustSelfFence(4 * S - 1, 1, timeout, margin));
    assertTrue(c.mustSelfFence(4 * S, 1, timeout, margin));
  }

  @Test
  void theLeaseIsAnchoredOnWhenTheAnsweredMessageWasSentNotOnWhenTheAnswerCame() {
    LeaderConnection c = new LeaderConnection(0);
    Duration timeout = Duration.ofSeconds(5);
    Duration margin = Duration.ofSeconds(1);
    c.leaderPublished(leader(2, "a"));
    assertTrue(c.accept(new Epoch(2)), "an answer that took 3 s to arrive");
    assertTrue(c.answered(new Epoch(2), 1 * S));
    assertEquals(5 * S, c.leaseDeadline(timeout, margin), "sent at 1 s: the lease ends 1 s + 5 s - 1 s");
    assertTrue(c.mustSelfFence(5 * S, 1, timeout, margin));
    assertFalse(c.answered(new Epoch(2), S / 2), "an older answer never moves the anchor back");
    assertEquals(5 * S, c.leaseDeadline(timeout, margin));
  }

  @Test
  void onlyTheFollowedLeaderExtendsTheLease() {
    LeaderConnection c = new LeaderConnection(0);
    Duration timeout = Duration.ofSeconds(5);
    Duration margin = Duration.ofSeconds(1);
    assertFalse(c.answered(new Epoch(1), 2 * S), "no leader followed yet");
    c.leaderPublished(leader(3, "b"));
    assertFalse(c.answered(new Epoch(2), 2 * S), "an older leader's answer, e.g. a deposed one that resumed");
    assertFalse(c.answered(new Epoch(4), 2 * S), "a leader not followed");
    assertEquals(4 * S, c.leaseDeadline(timeout, margin));
    assertTrue(c.answered(new Epoch(3), 2 * S));
    assertEquals(6 * S, c.leaseDeadline(timeout, margin));
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
