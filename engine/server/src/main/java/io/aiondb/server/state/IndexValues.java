package io.aiondb.server.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.VersionRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Index entry layout and the order-preserving encoding of indexed values. An entry is
 * {@code nsId:u32 | indexId:u32 | value | userKey} with an empty RocksDB value, so the entries of one value are
 * contiguous and in key order. Values: numbers as 8 sortable bytes of their double (rounding is monotonic, so an
 * index range taken with inclusive bounds is a superset of the exact decimal comparison, which is re-checked);
 * strings as escaped UTF-16 code units (the order of {@link String#compareTo}); timestamps as seconds and nanos
 * (instant order); booleans as one byte. A value of another type, or a missing field, is not indexed — exactly the
 * values that a comparison with an operand of the index's type can never match.
 */
public final class IndexValues {
  private static final ObjectMapper JSON = new ObjectMapper();

  private IndexValues() {}

  public static byte[] prefix(int nsId, int indexId) {
    return ByteBuffer.allocate(8).putInt(nsId).putInt(indexId).array();
  }

  /** The encoded value of {@code v} for an index of {@code type}, or null when the index does not hold it. */
  public static byte[] encode(IndexDef.Type type, JsonNode v) {
    if (v == null) return null;
    return switch (type) {
      case NUMBER -> {
        if (!v.isNumber()) yield null;
        // a finite number as before; infinity (only in values stored before Values refused it) sorts at either end
        double d = io.aiondb.server.state.Values.finite(v) ? v.decimalValue().doubleValue() : v.doubleValue();
        if (d == 0.0) d = 0.0; // -0.0 equals 0
        long bits = Double.doubleToLongBits(d);
        bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
        yield ByteBuffer.allocate(8).putLong(bits).array();
      }
      case STRING -> v.isTextual() ? Keys.escape(v.textValue().getBytes(StandardCharsets.UTF_16BE)) : null;
      case BOOLEAN -> v.isBoolean() ? new byte[] {(byte) (v.booleanValue() ? 1 : 0)} : null;
      case TIMESTAMP -> {
        if (!v.isTextual()) yield null;
        Instant t = Timestamps.parse(v.textValue());
        if (t == null) yield null;
        yield ByteBuffer.allocate(12).putLong(t.getEpochSecond() ^ Long.MIN_VALUE).putInt(t.getNano()).array();
      }
    };
  }

  /** The encoded indexed value of a stored version, or null (not JSON, deleted, field absent or of another type). */
  public static byte[] of(IndexDef def, JsonPath path, VersionRecord rec) {
    return of(def, path, json(rec));
  }

  /** As {@link #of(IndexDef, JsonPath, VersionRecord)} for a value already parsed with {@link #json}. */
  public static byte[] of(IndexDef def, JsonPath path, JsonNode root) {
    return root == null ? null : encode(def.type(), path.resolve(root));
  }

  /** The JSON document of a stored version, or null (deleted, not JSON, unparsable): parse once, index many. */
  public static JsonNode json(VersionRecord rec) {
    if (rec == null || rec.tombstone() || rec.contentType() != ContentType.JSON) return null;
    try {
      return JSON.readTree(rec.value());
    } catch (java.io.IOException e) {
      return null;
    }
  }

  public static byte[] entry(int nsId, int indexId, byte[] value, byte[] userKey) {
    return ByteBuffer.allocate(8 + value.length + userKey.length).putInt(nsId).putInt(indexId).put(value).put(userKey).array();
  }

  /** The user key at the end of an entry. */
  public static byte[] userKey(IndexDef.Type type, byte[] entry) {
    int start = switch (type) {
      case NUMBER -> 16;
      case BOOLEAN -> 9;
      case TIMESTAMP -> 20;
      case STRING -> {
        int[] end = new int[1];
        Keys.unescape(entry, 8, end);
        yield end[0];
      }
    };
    return Arrays.copyOfRange(entry, start, entry.length);
  }

  /** The encoded value inside an entry. */
  public static byte[] value(IndexDef.Type type, byte[] entry) {
    byte[] key = userKey(type, entry);
    return Arrays.copyOfRange(entry, 8, entry.length - key.length);
  }
}
