package io.aiondb.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Values;
import io.aiondb.server.storage.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The JSON form of a batch write ({@code PUT /v1/ns/{ns}/keys}), as documented in docs/api.md "Batch writes":
 * {@code {"items": [{"key": ..., "value" | "text" | "valueBase64": ...}, ...]}}; {@code keyBase64} for binary keys.
 * An error names the item by its index in {@code items}, from 0.
 */
final class BatchJson {
  private BatchJson() {}

  static Command.PutAll parse(String namespace, JsonNode body) {
    if (body == null || !body.isObject()) throw bad("a batch is a JSON object {\"items\": [...]}");
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("items")) throw bad("unknown batch field '" + f + "' (expected items)");
    }
    JsonNode items = body.get("items");
    if (items == null || !items.isArray()) throw bad("a batch needs 'items', an array of {\"key\": ..., \"value\": ...}");
    if (items.size() > Command.MAX_BATCH_ITEMS) { // before the items are converted
      throw bad("a batch has at most " + Command.MAX_BATCH_ITEMS + " items, not " + items.size() + "; split it");
    }
    List<Command.PutAll.Item> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      try {
        out.add(item(items.get(i)));
      } catch (AionException e) {
        throw Command.PutAll.at(i, null, e);
      }
    }
    return new Command.PutAll(namespace, out);
  }

  private static Command.PutAll.Item item(JsonNode n) {
    if (!n.isObject()) throw bad("an item is an object {\"key\": ..., \"value\": ...}, not " + abbreviated(n));
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("key", "keyBase64", "value", "text", "valueBase64").contains(f)) {
        throw bad("unknown item field '" + f + "' (expected key or keyBase64, and value, text or valueBase64)");
      }
    }
    if (n.has("key") == n.has("keyBase64")) throw bad("an item needs exactly one of 'key' and 'keyBase64'");
    byte[] key = n.has("key") ? string(n, "key").getBytes(StandardCharsets.UTF_8) : base64(n, "keyBase64");
    int given = (n.has("value") ? 1 : 0) + (n.has("text") ? 1 : 0) + (n.has("valueBase64") ? 1 : 0);
    if (given != 1) throw bad("an item needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");
    if (n.has("text")) return new Command.PutAll.Item(key, string(n, "text").getBytes(StandardCharsets.UTF_8), ContentType.TEXT);
    if (n.has("valueBase64")) return new Command.PutAll.Item(key, base64(n, "valueBase64"), ContentType.OCTET_STREAM);
    Values.checkTree(n.get("value"), "the value");
    return new Command.PutAll.Item(key, n.get("value").toString().getBytes(StandardCharsets.UTF_8), ContentType.JSON);
  }

  private static String string(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (!v.isTextual()) throw bad("'" + field + "' must be a string, not " + abbreviated(v));
    return v.asText();
  }

  private static byte[] base64(JsonNode n, String field) {
    try {
      return Base64.getDecoder().decode(string(n, field));
    } catch (IllegalArgumentException e) {
      throw bad("'" + field + "' is not valid base64");
    }
  }

  private static String abbreviated(JsonNode n) {
    String s = n.toString();
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static AionException bad(String message) {
    return new AionException(ErrorCode.BAD_REQUEST, message);
  }
}
