package io.baton.ha.zookeeper;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code /leader} znode's content: UTF-8 JSON
 * {@code {"epoch":N,"sessionId":"<uuid>","address":"<pekko address>","restUrl":"http://host:port"}}.
 * Reading ignores unknown fields. Stateless and thread-safe.
 */
public final class LeaderInfoJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private LeaderInfoJson() {}

  public static byte[] write(LeaderInfo info) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("epoch", info.epoch().value());
      g.writeStringField("sessionId", info.sessionId());
      g.writeStringField("address", info.address());
      g.writeStringField("restUrl", info.restUrl());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Parses the JSON; fails with {@link IllegalArgumentException} when it is not a complete leader record. */
  public static LeaderInfo read(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("empty leader record");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("leader record is not JSON", e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("leader record is not a JSON object");
    }
    JsonNode epoch = node.get("epoch");
    if (epoch == null || !epoch.canConvertToLong() || !epoch.isIntegralNumber()) {
      throw new IllegalArgumentException("leader record has no integer epoch");
    }
    return new LeaderInfo(new Epoch(epoch.longValue()), text(node, "sessionId"), text(node, "address"), text(node, "restUrl"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("leader record has no string " + field);
    }
    return v.asText();
  }
}
