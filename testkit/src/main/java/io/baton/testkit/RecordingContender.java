package io.baton.testkit;

import io.baton.ha.LeaderContender;
import io.baton.protocol.Epoch;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what the election told it, in order, with the thread it was told on. */
public final class RecordingContender implements LeaderContender {
  public sealed interface Event {}

  public record Granted(Epoch epoch, String thread) implements Event {}

  public record Revoked(String thread) implements Event {}

  public record Failed(Throwable error) implements Event {}

  public final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

  @Override
  public void grantLeadership(Epoch epoch) {
    events.add(new Granted(epoch, Thread.currentThread().getName()));
  }

  @Override
  public void revokeLeadership() {
    events.add(new Revoked(Thread.currentThread().getName()));
  }

  @Override
  public void handleError(Throwable error) {
    events.add(new Failed(error));
  }

  /** The next event within the timeout, or null. */
  public Event next(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
