package io.baton.client;

/** A submission's answer: the job's id and state; {@code created} false when the Idempotency-Key repeated. */
public record Submitted(String id, String state, boolean created) {}
