package io.baton.scheduler.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs an alert's body as Stripe signs its webhooks: header {@value #HEADER} is {@code t=<unix seconds>,v1=<hex>}
 * where {@code <hex>} is HMAC-SHA256, keyed with the secret's UTF-8 bytes, of {@code "<t>.<body>"}. The timestamp
 * lets a receiver refuse a replayed delivery (it checks {@code t} is recent); the idempotency id
 * ({@value #ID_HEADER}, also in the body) lets it drop a duplicate. Pure and thread-safe.
 */
public final class AlertSigner {
  public static final String HEADER = "Baton-Signature";
  public static final String ID_HEADER = "Baton-Alert-Id";

  private AlertSigner() {}

  public static String sign(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * Whether {@code header} signs {@code body} with {@code secret} at a time at most {@code toleranceSeconds} away
   * from {@code nowUnixSeconds} (what a receiver checks; compared in constant time).
   */
  public static boolean verify(String secret, String header, byte[] body, long nowUnixSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length == 2 && kv[0].equals("t")) {
        try {
          t = Long.parseLong(kv[1]);
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (kv.length == 2 && kv[0].equals("v1")) {
        v1 = kv[1];
      }
    }
    if (t == null || v1 == null || Math.abs(nowUnixSeconds - t) > toleranceSeconds) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(v1);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(secret, t, body), given);
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
