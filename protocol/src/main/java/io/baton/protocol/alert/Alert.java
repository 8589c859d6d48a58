package io.baton.protocol.alert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One webhook delivery the leader owes, as kept in the alert outbox until the receiver acknowledged it: its
 * idempotency {@code id} (stable across retries and failovers: the receiver deduplicates by it), the {@code url}, the
 * name of the {@code secret} that signs it, and the JSON {@code body}, rendered once when the alert was raised so that
 * every delivery of it sends the same bytes. Immutable (the body is copied in and out).
 */
public record Alert(String id, String url, String secret, byte[] body) {
  /** Largest body: a bigger one is cut when it is built (the job's failure reason is what grows). */
  public static final int MAX_BODY_BYTES = 16 * 1024;
  public static final int MAX_URL_LENGTH = 2048;
  /**
   * An id is a valid znode name: {@code <jobId>.<event>.<webhook index>} or with the unit and attempt for
   * RUNNING_LONG (a shard's unit id is {@code <task>#<shard>}).
   */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9_.#-]{1,300}");

  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(body, "body");
    if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
      throw new IllegalArgumentException("not an alert id: '" + id + "'");
    }
    if (url.length() > MAX_URL_LENGTH || body.length > MAX_BODY_BYTES || secret.length() > 64) {
      throw new IllegalArgumentException("alert " + id + " is too big (url " + url.length() + " chars, body "
          + body.length + " bytes)");
    }
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Alert a && id.equals(a.id) && url.equals(a.url) && secret.equals(a.secret)
        && Arrays.equals(body, a.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, url, secret, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "Alert[" + id + " -> " + url + "]";
  }
}
