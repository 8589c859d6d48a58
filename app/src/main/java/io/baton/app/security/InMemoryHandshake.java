package io.baton.app.security;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/** A TLS handshake between two engines over in-memory buffers, on the calling thread. */
final class InMemoryHandshake {
  private InMemoryHandshake() {}

  /** Runs the handshake to its end; throws what either engine throws (e.g. a peer it does not trust). */
  static void run(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()) * 4;
    ByteBuffer toServer = ByteBuffer.allocate(size);
    ByteBuffer toClient = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 200; i++) {
      step(client, toClient, toServer, app);
      step(server, toServer, toClient, app);
      if (idle(client) && idle(server) && toServer.position() == 0 && toClient.position() == 0) {
        return;
      }
    }
    throw new SSLException("the handshake did not finish");
  }

  private static boolean idle(SSLEngine e) {
    HandshakeStatus hs = e.getHandshakeStatus();
    return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
  }

  private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
    for (int n = 0; n < 20; n++) {
      switch (engine.getHandshakeStatus()) {
        case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
        case NEED_TASK -> {
          Runnable task;
          while ((task = engine.getDelegatedTask()) != null) {
            task.run();
          }
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          app.clear();
          SSLEngineResult result = engine.unwrap(in, app);
          in.compact();
          if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            return;
          }
        }
        default -> {
          // not handshaking: read what the peer still sent (e.g. TLS 1.3 session tickets)
          if (in.position() > 0) {
            in.flip();
            app.clear();
            engine.unwrap(in, app);
            in.compact();
          }
          return;
        }
      }
    }
  }
}
