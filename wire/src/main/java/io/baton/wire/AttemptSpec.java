package io.baton.wire;

import io.baton.protocol.AttemptKey;
import io.baton.protocol.job.TaskSpec;

/** An attempt the leader asks a worker to run. */
public record AttemptSpec(AttemptKey key, TaskSpec task) {}
