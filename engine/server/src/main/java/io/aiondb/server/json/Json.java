package io.aiondb.server.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * How stored data looks in JSON responses. Keys: {@code "key"} when they are valid UTF-8, else {@code "keyBase64"}.
 * Values: JSON values inline as {@code "value"}, text values as a {@code "value"} string, anything else as
 * {@code "valueBase64"}. Times are RFC 3339 in UTC with milliseconds.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static String time(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  public static boolean isUtf8(byte[] b) {
    return io.aiondb.server.state.Values.isUtf8(b);
  }

  public static void putKey(ObjectNode n, byte[] key) {
    if (isUtf8(key)) n.put("key", new String(key, StandardCharsets.UTF_8));
    else n.put("keyBase64", Base64.getEncoder().encodeToString(key));
  }

  public static ObjectNode version(VersionRecord r, boolean withValue) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("revision", r.revision());
    n.put("createRevision", r.createRevision());
    n.put("version", r.version());
    n.put("timestamp", time(r.timestampMillis()));
    if (r.tombstone()) {
      n.put("deleted", true);
      return n;
    }
    n.put("contentType", r.contentType().mediaType());
    if (withValue) putValue(n, r);
    return n;
  }

  public static void putValue(ObjectNode n, VersionRecord r) {
    if (r.contentType() == ContentType.JSON) {
      try {
        n.set("value", MAPPER.readTree(r.value()));
        return;
      } catch (java.io.IOException e) {
        // stored before validation existed: fall through to base64
      }
    }
    if (r.contentType() == ContentType.TEXT) {
      n.put("value", new String(r.value(), StandardCharsets.UTF_8));
    } else {
      n.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
    }
  }

  public static JsonNode parse(byte[] body) throws java.io.IOException {
    return MAPPER.readTree(body);
  }
}
