package io.aiondb.server.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.ContentType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The content rules for stored values, checked before a write is proposed (by both transports and again by the
 * leader before the log), never inside {@code apply}: a JSON value is exactly one JSON document, nested at most
 * {@value #MAX_JSON_DEPTH} levels, whose numbers all fit a 64-bit IEEE 754 double (so every number can be indexed
 * and compared: {@code 1e999} is refused, not stored as infinity); a text value is valid UTF-8. Octet-stream values
 * are opaque. A value that breaks a rule is answered with {@code INVALID_JSON} or {@code BAD_REQUEST}, and nothing
 * is written.
 */
public final class Values {
  /** The deepest nesting of arrays and objects in a JSON value (MongoDB's document limit is the same). */
  public static final int MAX_JSON_DEPTH = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Values() {}

  /** Checks a value against the rules of its content type; returns it unchanged. */
  public static byte[] validate(ContentType ct, byte[] value) {
    if (ct == ContentType.JSON) {
      checkJson(value);
    } else if (ct == ContentType.TEXT && !isUtf8(value)) {
      throw new AionException(ErrorCode.BAD_REQUEST, "a text/plain value must be valid UTF-8");
    }
    return value;
  }

  /** Checks the values a command would write (puts, a batch's items, and the puts of both transaction branches); a
   * batch's error names the item. */
  public static void validate(Command c) {
    switch (c) {
      case Command.Put p -> validate(p.contentType(), p.value());
      case Command.PutAll b -> {
        for (int i = 0; i < b.items().size(); i++) {
          Command.PutAll.Item item = b.items().get(i);
          try {
            validate(item.contentType(), item.value());
          } catch (AionException e) {
            throw Command.PutAll.at(i, item.key(), e);
          }
        }
      }
      case Command.Txn t -> {
        for (TxnOp op : t.success()) if (op instanceof TxnOp.Put p) validate(p.contentType(), p.value());
        for (TxnOp op : t.failure()) if (op instanceof TxnOp.Put p) validate(p.contentType(), p.value());
      }
      default -> { }
    }
  }

  /** Bytes of JSON and text values {@link #validate(Command)} reads: a measure of its cost. */
  public static long contentBytes(Command c) {
    long n = 0;
    switch (c) {
      case Command.Put p -> n = p.contentType() == ContentType.OCTET_STREAM ? 0 : p.value().length;
      case Command.PutAll b -> {
        for (Command.PutAll.Item item : b.items()) if (item.contentType() != ContentType.OCTET_STREAM) n += item.value().length;
      }
      case Command.Txn t -> {
        for (TxnOp op : t.success()) if (op instanceof TxnOp.Put p && p.contentType() != ContentType.OCTET_STREAM) n += p.value().length;
        for (TxnOp op : t.failure()) if (op instanceof TxnOp.Put p && p.contentType() != ContentType.OCTET_STREAM) n += p.value().length;
      }
      default -> { }
    }
    return n;
  }

  private static void checkJson(byte[] value) {
    // JSON is UTF-8 (RFC 8259). Checked over the whole value because the streaming parser below skips string values
    // without decoding them: an encoded surrogate (ED A0 80) inside a string passed it, then failed every later parse
    // (found by the value-index fuzz target)
    if (!isUtf8(value)) throw invalid("it is not valid UTF-8");
    try (JsonParser p = JSON.createParser(value)) {
      JsonToken t = p.nextToken();
      if (t == null) throw invalid("the value is empty");
      int depth = 0;
      do {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            if (++depth > MAX_JSON_DEPTH) {
              throw invalid("it is nested deeper than " + MAX_JSON_DEPTH + " levels (at " + where(p) + ")");
            }
          }
          case END_OBJECT, END_ARRAY -> depth--;
          case VALUE_NUMBER_FLOAT, VALUE_NUMBER_INT -> {
            if (!Double.isFinite(asDouble(p))) throw outOfRange(p.getText(), where(p));
          }
          default -> { }
        }
        t = depth == 0 ? null : p.nextToken();
      } while (t != null);
      if (p.nextToken() != null) throw invalid("trailing content after the JSON value");
    } catch (AionException e) {
      throw e;
    } catch (IOException e) {
      throw invalid(String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static double asDouble(JsonParser p) throws IOException {
    return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        ? p.getBigIntegerValue().doubleValue() : p.getDoubleValue();
  }

  private static String where(JsonParser p) {
    String pointer = p.getParsingContext().pathAsPointer().toString();
    return pointer.isEmpty() ? "the top level" : pointer;
  }

  /**
   * Checks a JSON tree that a request carries as a value (a transaction's put): the same depth and number rules.
   * Jackson has already read {@code 1e999} as infinity here, which is what this refuses.
   */
  public static void checkTree(JsonNode root, String what) {
    checkTree(root, what, "", 1);
  }

  private static void checkTree(JsonNode n, String what, String pointer, int depth) {
    if (n.isContainerNode() && depth > MAX_JSON_DEPTH) {
      throw new AionException(ErrorCode.INVALID_JSON, what + " is nested deeper than " + MAX_JSON_DEPTH + " levels");
    }
    if (n.isNumber() && !finite(n)) {
      // the tree holds what Jackson read (Infinity), not the text sent: name the number by its place only
      String where = pointer.isEmpty() ? "the top level" : pointer;
      throw new AionException(ErrorCode.INVALID_JSON, what + ": the number at " + where + " is outside the range of a "
          + "64-bit floating-point number (±1.8e308): it could not be indexed or compared");
    }
    if (n.isObject()) {
      for (var it = n.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        checkTree(e.getValue(), what, pointer + "/" + e.getKey(), depth + 1);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) checkTree(n.get(i), what, pointer + "/" + i, depth + 1);
    }
  }

  /** True if a JSON number has a finite 64-bit double value (false for what Jackson read as infinity). */
  public static boolean finite(JsonNode number) {
    return Double.isFinite(number.doubleValue());
  }

  private static AionException invalid(String why) {
    return new AionException(ErrorCode.INVALID_JSON, "the value is sent as JSON but is not valid JSON: " + why);
  }

  private static AionException outOfRange(String text, String where) {
    return new AionException(ErrorCode.INVALID_JSON, "the value is sent as JSON but " + rangeMessage(text, where));
  }

  private static String rangeMessage(String text, String where) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    return "the number " + shown + " at " + where + " is outside the range of a 64-bit floating-point number "
        + "(±1.8e308): it could not be indexed or compared";
  }

  public static boolean isUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
