package io.aiondb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.Txn;
import io.aiondb.client.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A transaction in the JSON form of docs/api.md "Transactions", parsed into the client's {@link Txn} builder calls.
 * Accepts exactly what {@code POST /v1/txn} accepts (the server's {@code TxnJson}): a top-level {@code namespace}
 * as every item's default, {@code compare}, {@code success}, {@code failure}; keys as {@code key} (UTF-8) or
 * {@code keyBase64}. Anything else is a {@link CliException usage error} naming the item. Limits (128 compares and
 * operations, 4 MiB) are the server's to check.
 */
record TxnPlan(List<Consumer<Txn>> compares, List<Step> success, List<Step> failure) {
  /** One operation of a branch: what it is (for printing its result) and the builder's operation. */
  record Step(String kind, String ns, byte[] key, String label, Txn.Op op) {}

  /** Adds the compares and both branches to {@code t}. */
  void applyTo(Txn t) {
    compares.forEach(c -> c.accept(t));
    t.then(success.stream().map(Step::op).toArray(Txn.Op[]::new));
    t.otherwise(failure.stream().map(Step::op).toArray(Txn.Op[]::new));
  }

  static TxnPlan parse(JsonNode body) {
    if (body == null || !body.isObject()) throw bad("a transaction is a JSON object with compare, success and failure");
    body.fieldNames().forEachRemaining(f -> {
      if (!List.of("namespace", "compare", "success", "failure").contains(f)) {
        throw bad("unknown transaction field '" + f + "' (expected namespace, compare, success, failure)");
      }
    });
    String dflt = body.hasNonNull("namespace") ? text(body, "namespace") : null;
    List<Consumer<Txn>> compares = new ArrayList<>();
    for (JsonNode c : array(body, "compare")) compares.add(compare(c, dflt));
    return new TxnPlan(compares, steps(body, "success", dflt), steps(body, "failure", dflt));
  }

  private static Iterable<JsonNode> array(JsonNode body, String field) {
    JsonNode a = body.get(field);
    if (a == null || a.isNull()) return List.of();
    if (!a.isArray()) throw bad("'" + field + "' must be an array");
    return a;
  }

  private static String namespace(JsonNode n, String dflt) {
    String ns = n.hasNonNull("namespace") ? text(n, "namespace") : dflt;
    if (ns == null) throw bad("every transaction item needs a namespace (or give one at the top level): " + n);
    return ns;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) throw bad("'" + field + "' must be a string in " + n);
    return v.asText();
  }

  private static byte[] key(JsonNode n, String field, boolean required) {
    if (n.hasNonNull(field)) return text(n, field).getBytes(StandardCharsets.UTF_8);
    if (n.hasNonNull(field + "Base64")) return base64(text(n, field + "Base64"), field + "Base64");
    if (required) throw bad("missing '" + field + "' (or '" + field + "Base64') in " + n);
    return null;
  }

  private static byte[] base64(String s, String field) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw bad("'" + field + "' is not valid base64");
    }
  }

  private static Consumer<Txn> compare(JsonNode c, String dflt) {
    if (!c.isObject()) throw bad("a compare is an object, not " + c);
    String ns = namespace(c, dflt);
    byte[] key = key(c, "key", true);
    if (c.has("exists")) {
      if (!c.get("exists").isBoolean()) throw bad("'exists' must be true or false");
      String op = c.get("exists").asBoolean() ? "!=" : "=";
      return t -> t.ifVersion(ns, key, op, 0);
    }
    String target = text(c, "target");
    String o = c.hasNonNull("op") ? text(c, "op").toLowerCase(Locale.ROOT) : "eq";
    String op = switch (o) {
      case "eq", "=", "==" -> "=";
      case "ne", "!=" -> "!=";
      case "lt", "<" -> "<";
      case "gt", ">" -> ">";
      default -> throw bad("unknown compare op '" + o + "' (eq, ne, lt, gt)");
    };
    if (target.equals("value")) {
      byte[] v;
      if (c.hasNonNull("valueBase64")) v = base64(text(c, "valueBase64"), "valueBase64");
      else if (c.has("value") && c.get("value").isTextual()) v = c.get("value").asText().getBytes(StandardCharsets.UTF_8);
      else if (c.has("value")) v = c.get("value").toString().getBytes(StandardCharsets.UTF_8); // a JSON value, compact
      else throw bad("a value compare needs 'value' or 'valueBase64'");
      return t -> t.ifValue(ns, key, op, v);
    }
    JsonNode v = c.get("value");
    if (v == null || !v.canConvertToExactIntegral() || v.asLong() < 0) {
      throw bad("a " + target + " compare needs an integer 'value' >= 0, not " + v);
    }
    long n = v.asLong();
    return switch (target) {
      case "version" -> t -> t.ifVersion(ns, key, op, n);
      case "createRevision" -> t -> t.ifCreateRevision(ns, key, op, n);
      case "modRevision", "revision" -> t -> t.ifModRevision(ns, key, op, n);
      default -> throw bad("unknown compare target '" + target
          + "' (value, version, createRevision, modRevision, or use exists)");
    };
  }

  private static List<Step> steps(JsonNode body, String field, String dflt) {
    List<Step> out = new ArrayList<>();
    for (JsonNode n : array(body, field)) out.add(step(n, dflt));
    return out;
  }

  private static Step step(JsonNode n, String dflt) {
    if (!n.isObject()) throw bad("an operation is an object, not " + n);
    String kind = text(n, "op");
    String ns = namespace(n, dflt);
    return switch (kind) {
      case "put" -> put(n, ns);
      case "delete" -> {
        byte[] k = key(n, "key", true);
        yield new Step(kind, ns, k, label(k), Txn.delete(ns, k));
      }
      case "get" -> {
        byte[] k = key(n, "key", true);
        yield new Step(kind, ns, k, label(k), Txn.get(ns, k));
      }
      case "range" -> range(n, ns);
      default -> throw bad("unknown operation '" + kind + "' (put, delete, get, range)");
    };
  }

  private static Step put(JsonNode n, String ns) {
    byte[] key = key(n, "key", true);
    int given = (n.has("value") ? 1 : 0) + (n.hasNonNull("text") ? 1 : 0) + (n.hasNonNull("valueBase64") ? 1 : 0);
    if (given != 1) throw bad("a put needs exactly one of 'value' (JSON), 'text' or 'valueBase64': " + n);
    byte[] value;
    ValueType type;
    if (n.hasNonNull("text")) {
      value = text(n, "text").getBytes(StandardCharsets.UTF_8);
      type = ValueType.TEXT;
    } else if (n.hasNonNull("valueBase64")) {
      value = base64(text(n, "valueBase64"), "valueBase64");
      type = ValueType.BINARY;
    } else {
      value = n.get("value").toString().getBytes(StandardCharsets.UTF_8);
      type = ValueType.JSON;
    }
    return new Step("put", ns, key, label(key), Txn.put(ns, key, value, type));
  }

  private static Step range(JsonNode n, String ns) {
    byte[] prefix = key(n, "prefix", false);
    byte[] start = key(n, "start", false);
    byte[] end = key(n, "end", false);
    if (prefix != null && (start != null || end != null)) throw bad("a range takes either prefix or start/end");
    int limit = 100;
    if (n.has("limit")) {
      JsonNode l = n.get("limit");
      if (!l.canConvertToExactIntegral()) throw bad("'limit' must be an integer");
      limit = l.asInt();
    }
    if (prefix != null) {
      return new Step("range", ns, prefix, "prefix '" + label(prefix) + "'", Txn.range(ns, prefix, prefixEnd(prefix), limit));
    }
    byte[] from = start == null ? new byte[0] : start;
    return new Step("range", ns, from, "[" + label(from) + ", " + (end == null ? "end" : label(end)) + ")",
        Txn.range(ns, from, end, limit));
  }

  /** The smallest key after every key starting with {@code prefix}; null when there is none (or the prefix is empty). */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }

  /** A key as the result table shows it: the text, or base64: for bytes that are not UTF-8. */
  static String label(byte[] key) {
    var dec = StandardCharsets.UTF_8.newDecoder();
    try {
      return dec.decode(java.nio.ByteBuffer.wrap(key)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return "base64:" + Base64.getEncoder().encodeToString(key);
    }
  }

  private static CliException bad(String message) {
    return CliException.usage("invalid transaction: " + message);
  }
}
