package io.baton.scheduler.api;

import java.time.Instant;
import java.util.Map;

/** A worker as {@code GET /workers} shows it. State is ALIVE, DEAD or DRAINING. */
public record WorkerView(
    String id,
    String host,
    String state,
    double cpus,
    long memoryMb,
    double cpusUsed,
    long memoryMbUsed,
    Map<String, String> labels,
    int runningAttempts,
    Instant lastHeartbeatAt) {}
