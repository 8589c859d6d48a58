package io.baton.scheduler.api;

import io.baton.scheduler.policy.Backoff;
import java.time.Duration;

/**
 * Settings of the master's scheduling core, parsed once at start-up.
 *
 * @param heartbeatInterval how often workers heartbeat and the leader checks for silent workers
 * @param heartbeatTimeout a worker silent this long is DEAD and its attempts LOST
 * @param backoff retry backoff
 * @param askTimeout how long REST calls wait for the leader's actors
 */
public record SchedulerSettings(Duration heartbeatInterval, Duration heartbeatTimeout, Backoff backoff, Duration askTimeout) {}
