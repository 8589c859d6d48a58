package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.testkit.Eventually;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A planned stop on keep-alive connections (raw sockets, so which connection carries which request is ours to
 * choose): a request in flight when the stop begins and one arriving on an open connection meanwhile both get
 * their answers, each closing its connection; an idle connection is closed. Before, the stop cut connections
 * with a request in them, and Pekko HTTP answered those 500 itself.
 */
class RestServerStopIT extends RestTestSupport {

  @Test
  void aStopAnswersEveryRequestItHasAndClosesEachConnection() throws Exception {
    try (Socket inFlight = connect(); Socket arriving = connect(); Socket idle = connect()) {
      for (Socket s : new Socket[] {inFlight, arriving, idle}) {
        assertEquals(200, exchange(s).status(), "a keep-alive connection is open");
      }
      CompletableFuture<Void> gate = new CompletableFuture<>();
      api.holdUntil(gate);
      int calls = api.leaderCalls();
      send(inFlight);
      Eventually.eventually("the first request reaches the master", Duration.ofSeconds(10), api::leaderCalls,
          n -> n > calls);

      CompletableFuture<?> stopped = server.stop().toCompletableFuture();
      send(arriving);
      Eventually.eventually("the second request reaches the master", Duration.ofSeconds(10), api::leaderCalls,
          n -> n > calls + 1);
      gate.complete(null);

      for (Socket s : new Socket[] {inFlight, arriving}) {
        Answer answer = read(s);
        assertEquals(200, answer.status(), answer.head());
        assertTrue(answer.head().toLowerCase(Locale.ROOT).contains("connection: close"), answer.head());
        assertEquals(-1, s.getInputStream().read(), "the connection is closed after its answer");
      }
      assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed");
      stopped.get(10, TimeUnit.SECONDS);
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void send(Socket s) throws IOException {
    s.getOutputStream().write("GET /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
  }

  private static Answer exchange(Socket s) throws IOException {
    send(s);
    return read(s);
  }

  record Answer(int status, String head) {}

  /** One response: its head, and its body skipped by Content-Length. */
  private static Answer read(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the connection closed without an answer; got: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    in.readNBytes(length);
    return new Answer(Integer.parseInt(text.substring(9, 12)), text);
  }
}
