package io.baton.scheduler.alerts;

/**
 * One delivery attempt of an alert to its webhook, and how it ended, published by the leader's {@link AlertCourier}
 * on its ActorSystem's event stream (for metrics; the live page does not show it); {@code pending}: the alerts the
 * outbox holds after it, not yet delivered nor given up. Subscribe with {@code EventStream.Subscribe(
 * AlertDelivery.class, ref)}.
 */
public record AlertDelivery(String alertId, Outcome outcome, int pending) {
  /** How an alert delivery attempt ended. */
  public enum Outcome {
    /** The webhook answered 2xx: the alert is delivered. */
    DELIVERED,
    /** Another status, no answer, or no secret to sign it: it is tried again after a backoff. */
    FAILED,
    /** It failed and was the last attempt ({@code baton.alerts.max-attempts}): the alert is dropped. */
    GIVEN_UP
  }
}
