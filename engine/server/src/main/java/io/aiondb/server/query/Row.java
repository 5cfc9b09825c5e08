package io.aiondb.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.VersionRecord;
import java.nio.charset.StandardCharsets;

/** One query result: a key and the version visible at the query's revision. */
public record Row(byte[] key, VersionRecord version) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A value, decoded lazily once per predicate evaluation pass. */
  public static final class Value {
    private final VersionRecord rec;
    private String text;
    private JsonNode json;
    private boolean jsonParsed;

    public Value(VersionRecord rec) {
      this.rec = rec;
    }

    public String text() {
      if (text == null) text = new String(rec.value(), StandardCharsets.UTF_8);
      return text;
    }

    /** The parsed JSON value, or null when the value is not stored as JSON. */
    public JsonNode json() {
      if (!jsonParsed) {
        jsonParsed = true;
        if (rec.contentType() == ContentType.JSON) {
          try {
            json = JSON.readTree(rec.value());
          } catch (java.io.IOException e) {
            json = null;
          }
        }
      }
      return json;
    }
  }
}
