package io.baton.worker.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.AttemptState;
import io.baton.wire.AttemptReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttemptBookTest {
  private static final AttemptKey K = new AttemptKey("j", "t", 1);
  private static final AttemptKey K2 = new AttemptKey("j", "t2", 1);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Stream<Arguments> endings() {
    return Stream.of(
        // killReason, exitCode, error, expected state, expected exit code, expected message
        Arguments.of(null, 0, null, AttemptState.SUCCEEDED, 0, null),
        Arguments.of(null, 3, null, AttemptState.FAILED, 3, "exit code 3"),
        Arguments.of(null, null, "boom", AttemptState.FAILED, null, "boom"),
        Arguments.of(AttemptState.CANCELLED, 137, null, AttemptState.CANCELLED, null, "why"),
        Arguments.of(AttemptState.TIMED_OUT, 0, null, AttemptState.TIMED_OUT, null, "why"),
        Arguments.of(AttemptState.LOST, null, "killed", AttemptState.LOST, null, "why"));
  }

  @ParameterizedTest
  @MethodSource("endings")
  void terminalStateFollowsKillReasonElseExitCode(AttemptState kill, Integer exit, String error,
      AttemptState expected, Integer expectedExit, String expectedMessage) {
    AttemptBook book = new AttemptBook();
    assertTrue(book.started(K, T0));
    if (kill != null) {
      assertTrue(book.killRequested(K, kill, "why"));
    }
    assertTrue(book.ended(K, T0.plusSeconds(1), exit, error));
    AttemptReport r = book.report(K).orElseThrow();
    assertEquals(expected, r.state());
    assertEquals(expectedExit, r.exitCode());
    assertEquals(expectedMessage, r.message());
    assertEquals(T0, r.startedAt());
    assertEquals(T0.plusSeconds(1), r.finishedAt());
    assertFalse(book.ended(K, T0, 0, null), "a second end changes nothing");
    assertEquals(0, book.runningCount());
  }

  @Test
  void changesAreCoalescedPerAttemptAndDrainedOnce() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.started(K2, T0);
    book.ended(K, T0, 0, null);
    List<AttemptReport> drained = book.drainChanged(T0);
    assertEquals(List.of(K2, K), drained.stream().map(AttemptReport::key).toList());
    assertEquals(AttemptState.SUCCEEDED, drained.get(1).state());
    assertFalse(book.hasChanges());
    assertEquals(List.of(), book.drainChanged(T0));
  }

  @Test
  void duplicateStartIsReReportedNotRestarted() {
    AttemptBook book = new AttemptBook();
    assertTrue(book.started(K, T0));
    book.drainChanged(T0);
    assertFalse(book.started(K, T0.plusSeconds(5)));
    assertTrue(book.rereport(K));
    List<AttemptReport> again = book.drainChanged(T0);
    assertEquals(1, again.size());
    assertEquals(T0, again.get(0).startedAt());
    assertFalse(book.rereport(K2));
  }

  @Test
  void terminalAttemptIsForgottenOnlyWhenItsTerminalStateIsAcked() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.drainChanged(T0);
    book.ended(K, T0, 1, null);
    book.drainChanged(T0);
    book.ack(K, AttemptState.RUNNING); // late ack of the older report
    assertTrue(book.knows(K));
    assertEquals(1, book.unackedCount());
    book.ack(K, AttemptState.FAILED);
    assertFalse(book.knows(K));
    assertEquals(0, book.unackedCount());
  }

  @Test
  void runningAttemptStaysKnownAfterItsRunningReportIsAcked() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.drainChanged(T0);
    book.ack(K, AttemptState.RUNNING);
    assertTrue(book.knows(K));
    assertEquals(0, book.unackedCount());
    List<AttemptReport> reg = book.registrationReports(T0);
    assertEquals(AttemptState.RUNNING, reg.get(0).state());
  }

  @Test
  void unackedReportsAreResentAfterMinAge() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.drainChanged(T0);
    Duration age = Duration.ofMillis(500);
    assertEquals(List.of(), book.dueForResend(T0.plusMillis(100), age));
    assertEquals(1, book.dueForResend(T0.plusMillis(500), age).size());
    assertEquals(List.of(), book.dueForResend(T0.plusMillis(600), age), "resend restarts the age");
    book.ack(K, AttemptState.RUNNING);
    assertEquals(List.of(), book.dueForResend(T0.plusSeconds(60), age));
  }

  @Test
  void registrationCarriesRunningAndUnackedFinishedAttempts() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.started(K2, T0);
    book.ended(K2, T0, 0, null);
    List<AttemptReport> reg = book.registrationReports(T0);
    assertEquals(2, reg.size());
    assertFalse(book.hasChanges());
    assertEquals(2, book.unackedCount());
  }

  @Test
  void firstKillReasonWinsAndUnknownKillsAreIgnored() {
    AttemptBook book = new AttemptBook();
    assertFalse(book.killRequested(K, AttemptState.CANCELLED, "x"));
    book.started(K, T0);
    assertTrue(book.killRequested(K, AttemptState.TIMED_OUT, "timeout"));
    assertFalse(book.killRequested(K, AttemptState.LOST, "fenced"));
    book.ended(K, T0, null, "killed");
    assertEquals(AttemptState.TIMED_OUT, book.report(K).orElseThrow().state());
    assertNull(book.report(K).orElseThrow().exitCode());
  }

  @Test
  void anAttemptRestoredFromAPreviousLifeIsReportedUntilAcked() {
    AttemptBook book = new AttemptBook();
    AttemptReport lost = new AttemptReport(K, AttemptState.LOST, null, T0, T0.plusSeconds(9), "worker restarted");
    assertTrue(book.restored(lost));
    assertFalse(book.restored(lost), "already known");
    assertFalse(book.restored(new AttemptReport(K2, AttemptState.RUNNING, null, T0, null, null)), "not terminal");
    assertEquals(0, book.runningCount());
    assertEquals(List.of(lost), book.registrationReports(T0));
    assertEquals(List.of(lost), book.dueForResend(T0.plusSeconds(1), Duration.ofMillis(500)));
    book.ack(K, AttemptState.LOST);
    assertFalse(book.knows(K));
    assertEquals(0, book.unackedCount());
  }

  @Test
  void aSuccessKeepsItsResultUntilAckedAndARegistrationOverItsBudgetStatesItRunningAndResendsItInFull() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.started(K2, T0);
    book.ended(K, T0, 0, null, "r".repeat(100));
    book.ended(K2, T0, 0, null, "s".repeat(100));
    assertEquals("r".repeat(100), book.report(K).orElseThrow().result());

    List<AttemptReport> reg = book.registrationReports(T0, 150);
    assertEquals(AttemptState.SUCCEEDED, reg.get(0).state());
    assertEquals("r".repeat(100), reg.get(0).result());
    assertEquals(AttemptState.RUNNING, reg.get(1).state(), "over the budget: stated running");
    assertNull(reg.get(1).result());
    book.ack(K2, AttemptState.RUNNING); // the leader adopts it as running
    List<AttemptReport> resent = book.dueForResend(T0, java.time.Duration.ofSeconds(5));
    assertEquals(List.of(K2), resent.stream().map(AttemptReport::key).toList(), "due at once, in full");
    assertEquals("s".repeat(100), resent.get(0).result());
    book.ack(K2, AttemptState.SUCCEEDED);
    assertFalse(book.knows(K2));
  }

  @Test
  void aFailureKeepsNoResult() {
    AttemptBook book = new AttemptBook();
    book.started(K, T0);
    book.ended(K, T0, 3, null, "partial");
    assertNull(book.report(K).orElseThrow().result());
  }
}
