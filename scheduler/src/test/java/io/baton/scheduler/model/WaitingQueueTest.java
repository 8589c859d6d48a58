package io.baton.scheduler.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.job.TaskSpec;
import io.baton.wire.AttemptSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitingQueueTest {
  private static AttemptSpec spec(String job, String unit) {
    return new AttemptSpec(new AttemptKey(job, unit, 1), TaskSpec.handler(unit, "noop", null, null));
  }

  private static List<String> drain(WaitingQueue q, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n && !q.isEmpty(); i++) {
      AttemptSpec s = q.poll();
      out.add(s.key().jobId() + ":" + s.key().taskId());
    }
    return out;
  }

  @Test
  void jobsTakeTurnsAndOneThatArrivesLateIsServedNext() {
    WaitingQueue q = new WaitingQueue();
    for (int i = 0; i < 1000; i++) {
      q.add(spec("big", "s#" + i));
    }
    assertEquals(List.of("big:s#0", "big:s#1"), drain(q, 2));
    q.add(spec("small", "a"));
    q.add(spec("small", "b"));
    q.add(spec("other", "x"));
    assertEquals(List.of("small:a", "other:x", "big:s#2", "small:b", "big:s#3", "big:s#4"), drain(q, 6));
    assertEquals(995, q.size());
  }

  @Test
  void addAndRemoveAreByKeyAndOnce() {
    WaitingQueue q = new WaitingQueue();
    assertTrue(q.add(spec("j", "a")));
    assertFalse(q.add(spec("j", "a")));
    assertTrue(q.add(spec("j", "b")));
    assertEquals(List.of("j:a"), drain(q, 1));
    assertTrue(q.remove(new AttemptKey("j", "b", 1)), "removed from the served jobs too");
    assertFalse(q.remove(new AttemptKey("j", "b", 1)));
    assertTrue(q.isEmpty());
  }
}
