package io.baton.wire;

/**
 * Marker for every message that crosses a process boundary. Pekko binds it to {@link KryoSerializer}
 * (see this module's {@code reference.conf}); every implementation must be registered in {@link WireKryo}.
 */
public interface WireMessage {}
