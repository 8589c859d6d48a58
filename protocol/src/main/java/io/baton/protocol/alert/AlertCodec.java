package io.baton.protocol.alert;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The persisted form of an {@link Alert} in the outbox: format byte {@value #FORMAT_VERSION}, then the id, url and
 * secret name as modified UTF-8 ({@link DataOutputStream#writeUTF}), the body's length (int) and bytes. Reading
 * anything else (another format, truncation, trailing bytes, sizes beyond {@link Alert}'s bounds) fails with
 * {@link IllegalArgumentException}: the bytes come from ZooKeeper. Stateless.
 */
public final class AlertCodec {
  public static final byte FORMAT_VERSION = 1;

  private AlertCodec() {}

  public static byte[] encode(Alert alert) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + alert.body().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeUTF(alert.id());
      out.writeUTF(alert.url());
      out.writeUTF(alert.secret());
      byte[] body = alert.body();
      out.writeInt(body.length);
      out.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Alert decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty alert record");
    }
    if (bytes[0] != FORMAT_VERSION) {
      throw new IllegalArgumentException("unknown alert record format " + bytes[0] + " (this build reads "
          + FORMAT_VERSION + ")");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
      String id = in.readUTF();
      String url = in.readUTF();
      String secret = in.readUTF();
      int length = in.readInt();
      if (length < 0 || length > Alert.MAX_BODY_BYTES) {
        throw new IllegalArgumentException("alert body of " + length + " bytes");
      }
      byte[] body = in.readNBytes(length);
      if (body.length != length || in.available() != 0) {
        throw new IllegalArgumentException("alert record is truncated or has bytes after its end");
      }
      return new Alert(id, url, secret, body);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable alert record: " + e, e);
    }
  }
}
