package io.aiondb.ycsb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

/**
 * A YCSB record (field name to value) as one JSON object, {@code {"field0":"...","field1":"..."}}. Aion and etcd
 * store a record this way, so both carry the same bytes per record; Redis stores the fields as a hash instead.
 * YCSB's generated values are printable ASCII, so a value is a JSON string of the same length plus escapes.
 */
final class Records {
  private static final JsonFactory JSON = new JsonFactory();

  private Records() {}

  static byte[] encode(Map<String, ByteIterator> values) {
    return encodeStrings(StringByteIterator.getStringMap(values));
  }

  static byte[] encodeStrings(Map<String, String> values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + values.size() * 128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (Map.Entry<String, String> e : values.entrySet()) g.writeStringField(e.getKey(), e.getValue());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Every field of a stored record. */
  static Map<String, String> decodeStrings(byte[] json) {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("a record is a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        out.put(name, p.getValueAsString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Puts the requested fields ({@code null} = all) of a stored record into {@code result}. */
  static void decode(byte[] json, Set<String> fields, Map<String, ByteIterator> result) {
    for (Map.Entry<String, String> e : decodeStrings(json).entrySet()) {
      if (fields == null || fields.contains(e.getKey())) result.put(e.getKey(), new StringByteIterator(e.getValue()));
    }
  }

  /** As {@link #decode(byte[], Set, Map)} for a record that arrived already parsed (Aion's query rows). */
  static void decode(JsonNode record, Set<String> fields, Map<String, ByteIterator> result) {
    for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (fields == null || fields.contains(e.getKey())) result.put(e.getKey(), new StringByteIterator(e.getValue().asText()));
    }
  }

  /** The stored record with {@code values} written over it (YCSB's update changes some fields). */
  static byte[] merge(byte[] stored, Map<String, ByteIterator> values) {
    Map<String, String> fields = decodeStrings(stored);
    fields.putAll(StringByteIterator.getStringMap(values));
    return encodeStrings(fields);
  }
}
