package io.baton.wire;

import io.baton.protocol.AttemptKey;

/**
 * A slice of an attempt's log (stdout and stderr together) starting at a byte offset. {@code found} is false
 * when the worker knows no log for the attempt; {@code eof} is true when {@code nextOffset} reached the end of
 * what was written so far.
 */
public record LogChunk(AttemptKey key, boolean found, byte[] data, long nextOffset, boolean eof) implements WireMessage {}
