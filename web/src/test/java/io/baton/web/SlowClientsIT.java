package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.testkit.Eventually;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Clients that open connections and trickle their request heads: the per-address cap refuses connections beyond
 * it, the idle timeout closes the tricklers, and another client address still gets /healthz at once.
 */
class SlowClientsIT extends RestTestSupport {
  static final int PER_ADDRESS = 200;
  static final int OVER = 50;
  static final Duration IDLE = Duration.ofSeconds(2);

  @Override
  RestSettings settings() {
    // bound to every interface so that 127.0.0.2 is another client address
    return new RestSettings("0.0.0.0", 0, Optional.empty(), 1024 * 1024, Duration.ofSeconds(5))
        .withConnectionLimits(PER_ADDRESS, 1024, IDLE);
  }

  /** A connection from 127.0.0.1 that has sent part of a request head and nothing more. */
  private Socket trickler() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
    OutputStream out = s.getOutputStream();
    out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  /** True when the server has closed {@code s} (read gives EOF or a reset) within {@code wait}. */
  private static boolean closedWithin(Socket s, Duration wait) throws IOException {
    s.setSoTimeout((int) wait.toMillis());
    try {
      InputStream in = s.getInputStream();
      return in.read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** GET /healthz on a fresh connection from {@code from}; the status line, with a 1 s read deadline. */
  private String healthFrom(String from) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(from, 0));
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
      s.setSoTimeout(1000);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      byte[] head = s.getInputStream().readNBytes(12);
      return new String(head, StandardCharsets.US_ASCII);
    }
  }

  @Test
  void tricklersAreCappedPerAddressAndClosedByTheIdleTimeoutWhileOthersAreServed() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        slow.add(trickler());
      }
      for (int i = 0; i < OVER; i++) {
        Socket over = trickler();
        slow.add(over);
        assertTrue(closedWithin(over, Duration.ofSeconds(1)), "a connection beyond the per-address cap is closed");
      }

      long started = System.nanoTime();
      assertEquals("HTTP/1.1 200", healthFrom("127.0.0.2"), "another address is served while 127.0.0.1 is at its cap");
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis < 1000, "healthz took " + millis + " ms");

      // the idle timeout ends every trickler (measured: about the idle timeout after the last byte)
      long idleStart = System.nanoTime();
      for (Socket s : slow.subList(0, PER_ADDRESS)) {
        assertTrue(closedWithin(s, IDLE.plusSeconds(3)), "a trickler outlived the idle timeout");
      }
      long closedAfter = (System.nanoTime() - idleStart) / 1_000_000;
      System.out.println("SlowClientsIT: " + PER_ADDRESS + " tricklers closed " + closedAfter + " ms after the last of "
          + "them had sent its partial head; healthz from 127.0.0.2 took " + millis + " ms");
      assertTrue(closedAfter < IDLE.plusSeconds(3).toMillis(), "closed after " + closedAfter + " ms");
      // their slots are free again: 127.0.0.1 is served
      Eventually.eventually("127.0.0.1 is served again", Duration.ofSeconds(5), () -> {
        try {
          return healthFrom("127.0.0.1").equals("HTTP/1.1 200");
        } catch (IOException e) {
          return false;
        }
      });
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
