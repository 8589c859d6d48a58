package io.baton.scheduler.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AlertSignerTest {
  private static final byte[] BODY = "{\"id\":\"j1.FAILED.0\"}".getBytes(StandardCharsets.UTF_8);

  /** HMAC-SHA256 computed independently of this code, as a receiver in Python computes it (README, "Alerts"). */
  @Test
  void signsLikeStripeWithAKnownVector() {
    // python3 -c 'import hmac,hashlib;print(hmac.new(b"s3cr3t", b"1700000000.{\"id\":\"j1.FAILED.0\"}", hashlib.sha256).hexdigest())'
    assertEquals("t=1700000000,v1=62aec5ef457105132146d9287939e6596367c860547401622f142fc3724369ed",
        AlertSigner.sign("s3cr3t", 1_700_000_000L, BODY));
  }

  @Test
  void verifiesWhatItSignsWithinTheTolerance() {
    String header = AlertSigner.sign("s3cr3t", 1_700_000_000L, BODY);
    assertTrue(AlertSigner.verify("s3cr3t", header, BODY, 1_700_000_000L, 300));
    assertTrue(AlertSigner.verify("s3cr3t", header, BODY, 1_700_000_300L, 300));
    assertFalse(AlertSigner.verify("s3cr3t", header, BODY, 1_700_000_301L, 300), "too old: a replay");
    assertFalse(AlertSigner.verify("other", header, BODY, 1_700_000_000L, 300), "another secret");
    byte[] changed = "{\"id\":\"j1.FAILED.1\"}".getBytes(StandardCharsets.UTF_8);
    assertFalse(AlertSigner.verify("s3cr3t", header, changed, 1_700_000_000L, 300), "another body");
    String otherTime = header.replace("t=1700000000", "t=1700000001");
    assertFalse(AlertSigner.verify("s3cr3t", otherTime, BODY, 1_700_000_000L, 300), "the timestamp is signed");
  }

  @Test
  void refusesMalformedHeaders() {
    for (String bad : new String[] {null, "", "t=1700000000", "v1=00", "t=x,v1=00", "t=1700000000,v1=zz",
        "t=1700000000,v1=00"}) {
      assertFalse(AlertSigner.verify("s3cr3t", bad, BODY, 1_700_000_000L, 300), String.valueOf(bad));
    }
  }
}
