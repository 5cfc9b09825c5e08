package io.aiondb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.client.KeyValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Pure rendering: tables for people, JSON for scripts. Values render as the HTTP API renders them (docs/api.md):
 * a JSON value as JSON ({@code value}), a text value as a string ({@code value}), bytes as {@code valueBase64}.
 */
final class Output {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Table cells longer than this are cut with an ellipsis; {@code -o json} always has the whole value. */
  static final int MAX_CELL = 80;

  /** {@code -o}: readable tables (default) or JSON. */
  enum Format { table, json }

  private Output() {}

  // ------------------------------------------------------------------ tables

  /** Columns padded to their widest cell, two spaces apart, no trailing spaces; the header in capitals. */
  static String table(List<String> header, List<List<String>> rows) {
    int n = header.size();
    int[] width = new int[n];
    List<List<String>> all = new ArrayList<>();
    all.add(header.stream().map(h -> h.toUpperCase(Locale.ROOT)).toList());
    for (List<String> r : rows) all.add(r.stream().map(Output::cell).toList());
    for (List<String> r : all) {
      for (int i = 0; i < n; i++) width[i] = Math.max(width[i], i < r.size() ? r.get(i).length() : 0);
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> r : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < n; i++) {
        String c = i < r.size() ? r.get(i) : "";
        line.append(c);
        if (i < n - 1) line.append(" ".repeat(width[i] - c.length() + 2));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  /** Two columns, one row per field of a JSON object: how single answers of the admin API print. */
  static String fields(JsonNode object) {
    List<List<String>> rows = new ArrayList<>();
    object.properties().forEach(e -> rows.add(List.of(e.getKey(), scalar(e.getValue()))));
    return table(List.of("field", "value"), rows);
  }

  /** A table of an array of objects: the given columns (all the objects' fields, in order, when none are given). */
  static String objects(JsonNode array, List<String> columns) {
    List<String> cols = columns;
    if (cols.isEmpty()) {
      Set<String> seen = new LinkedHashSet<>();
      for (JsonNode o : array) o.fieldNames().forEachRemaining(seen::add);
      cols = List.copyOf(seen);
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode o : array) {
      List<String> r = new ArrayList<>();
      for (String c : cols) r.add(scalar(o.get(c)));
      rows.add(r);
    }
    return table(cols.stream().map(Output::snake).toList(), rows);
  }

  /** {@code createRevision} → {@code CREATE_REVISION} (then capitalised by {@link #table}). */
  static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
  }

  /** A JSON value in a cell: strings bare, null and missing as "-", anything else as compact JSON. */
  static String scalar(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return "-";
    if (v.isTextual()) return v.asText();
    return v.toString();
  }

  /** A cell: control characters escaped (one row stays one line), cut at {@link #MAX_CELL} characters. */
  static String cell(String s) {
    if (s == null) return "-";
    StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CELL + 8));
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    if (sb.codePointCount(0, sb.length()) > MAX_CELL) {
      return sb.substring(0, sb.offsetByCodePoints(0, MAX_CELL - 1)) + "…";
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ values

  static boolean isJson(String contentType) {
    return contentType != null && contentType.startsWith("application/json");
  }

  static boolean isText(String contentType) {
    return contentType != null && contentType.startsWith("text/");
  }

  /** A value as a table shows it: text and JSON as stored, bytes as {@code base64:...}. */
  static String valueText(byte[] value, String contentType) {
    if (isJson(contentType) || isText(contentType)) return new String(value, StandardCharsets.UTF_8);
    return "base64:" + Base64.getEncoder().encodeToString(value);
  }

  /** Adds {@code value} (JSON or text) or {@code valueBase64} (bytes), as the HTTP API does. */
  static void putValue(ObjectNode n, byte[] value, String contentType) {
    if (isJson(contentType)) {
      try {
        n.set("value", JSON.readTree(value));
        return;
      } catch (IOException e) {
        // not valid JSON after all: fall through to base64
      }
    }
    if (isText(contentType)) n.put("value", new String(value, StandardCharsets.UTF_8));
    else n.put("valueBase64", Base64.getEncoder().encodeToString(value));
  }

  /**
   * A version as JSON: revision, createRevision, version, timestamp, then {@code deleted: true} for a delete or the
   * content type and value. A delete's version is its tombstone, whose {@code version} is 0.
   */
  static ObjectNode version(KeyValue kv) {
    ObjectNode n = JSON.createObjectNode();
    n.put("revision", kv.revision());
    n.put("createRevision", kv.createRevision());
    n.put("version", kv.version());
    n.put("timestamp", kv.timestamp());
    if (isTombstone(kv)) {
      n.put("deleted", true);
      return n;
    }
    n.put("contentType", kv.contentType());
    putValue(n, kv.value(), kv.contentType());
    return n;
  }

  /** The client's {@link KeyValue} has no deleted flag; a tombstone is the only version numbered 0. */
  static boolean isTombstone(KeyValue kv) {
    return kv.version() == 0;
  }

  /** A value from a JSON answer (an item of a query or a transaction range) as a table shows it. */
  static String valueCell(JsonNode item) {
    if (item.has("deleted") && item.get("deleted").asBoolean()) return "(deleted)";
    if (item.has("valueBase64")) return "base64:" + item.get("valueBase64").asText();
    JsonNode v = item.get("value");
    if (v == null) return "";
    return v.isTextual() && !isJson(item.path("contentType").asText()) ? v.asText() : v.toString();
  }

  /** A key of a JSON answer: {@code key}, or {@code base64:...} for a key that is not UTF-8. */
  static String keyCell(JsonNode item) {
    if (item.has("key")) return item.get("key").asText();
    if (item.has("keyBase64")) return "base64:" + item.get("keyBase64").asText();
    return "-";
  }

  static String compact(JsonNode n) {
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pretty(JsonNode n) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
