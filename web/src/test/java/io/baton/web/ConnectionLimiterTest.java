package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
  private static InetAddress ip(int last) throws Exception {
    return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
  }

  @Test
  void capsEachAddressAndTheTotalAndGivesSlotsBack() throws Exception {
    ConnectionLimiter limiter = new ConnectionLimiter(2, 3);
    assertTrue(limiter.tryAcquire(ip(1)));
    assertTrue(limiter.tryAcquire(ip(1)));
    assertFalse(limiter.tryAcquire(ip(1)), "a third from one address");
    assertEquals(2, limiter.open(ip(1)));
    assertTrue(limiter.tryAcquire(ip(2)));
    assertFalse(limiter.tryAcquire(ip(3)), "a fourth in all");
    assertEquals(0, limiter.open(ip(3)), "a refused address holds nothing");
    assertEquals(3, limiter.open());

    limiter.release(ip(1));
    assertTrue(limiter.tryAcquire(ip(3)));
    limiter.release(ip(1));
    limiter.release(ip(2));
    limiter.release(ip(3));
    assertEquals(0, limiter.open());
    assertEquals(0, limiter.open(ip(1)));
    assertTrue(limiter.tryAcquire(ip(1)));
  }
}
