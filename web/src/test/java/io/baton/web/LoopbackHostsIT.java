package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a page on another site that points its name at 127.0.0.1 reaches a loopback-bound master as the
 * browser's same origin, but its requests name that site in Host, and are refused.
 */
class LoopbackHostsIT extends RestTestSupport {
  /** The status line of {@code GET path} sent with {@code Host: host} on a fresh connection. */
  private String statusWithHost(String path, String host) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void aLoopbackMasterAnswersOnlyRequestsAddressedToALoopbackName() throws Exception {
    int port = server.port();
    for (String host : new String[] {"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port, "baton.localhost"}) {
      assertEquals("HTTP/1.1 200", statusWithHost("/api/v1/cluster", host), host);
    }
    for (String host : new String[] {"evil.example:" + port, "127.evil.example", "10.0.0.5"}) {
      assertEquals("HTTP/1.1 403", statusWithHost("/api/v1/cluster", host), host);
      assertEquals("HTTP/1.1 403", statusWithHost("/", host), host);
    }
  }

  @Test
  void onlyLoopbackBindsAreChecked() {
    assertTrue(LoopbackHosts.isLoopback("127.0.0.1"));
    assertTrue(LoopbackHosts.isLoopback("localhost"));
    assertFalse(LoopbackHosts.isLoopback("0.0.0.0"));
    assertFalse(LoopbackHosts.allowed("127.0.0.1.evil.example"));
    assertTrue(LoopbackHosts.allowed("127.0.0.2"));
  }
}
