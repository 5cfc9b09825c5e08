package io.aiondb.server.api;

import io.aiondb.server.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.Compare;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The JSON form of a transaction (request and answer), as documented in docs/api.md "Transactions". Every item may
 * name its {@code namespace}; a top-level {@code namespace} is the default. Keys are {@code "key"} (UTF-8) or
 * {@code "keyBase64"}.
 */
public final class TxnJson {
  private TxnJson() {}

  public static Command.Txn parse(JsonNode body) {
    if (body == null || !body.isObject()) throw bad("a transaction is a JSON object with compare, success and failure");
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("namespace", "compare", "success", "failure").contains(f)) {
        throw bad("unknown transaction field '" + f + "' (expected namespace, compare, success, failure)");
      }
    }
    String dflt = body.hasNonNull("namespace") ? text(body, "namespace") : null;
    List<Compare> compares = new ArrayList<>();
    for (JsonNode c : array(body, "compare")) compares.add(compare(c, dflt));
    return new Command.Txn(compares, ops(body, "success", dflt), ops(body, "failure", dflt));
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

  static byte[] key(JsonNode n, String field, boolean required) {
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

  private static Compare compare(JsonNode c, String dflt) {
    if (!c.isObject()) throw bad("a compare is an object, not " + c);
    String ns = namespace(c, dflt);
    byte[] key = key(c, "key", true);
    if (c.has("exists")) {
      if (!c.get("exists").isBoolean()) throw bad("'exists' must be true or false");
      return Compare.numeric(ns, key, Compare.Target.VERSION, c.get("exists").asBoolean() ? Compare.Op.NE : Compare.Op.EQ, 0);
    }
    String t = text(c, "target");
    Compare.Target target = switch (t) {
      case "value" -> Compare.Target.VALUE;
      case "version" -> Compare.Target.VERSION;
      case "createRevision" -> Compare.Target.CREATE_REVISION;
      case "modRevision", "revision" -> Compare.Target.MOD_REVISION;
      default -> throw bad("unknown compare target '" + t + "' (value, version, createRevision, modRevision, or use exists)");
    };
    String o = c.hasNonNull("op") ? text(c, "op") : "eq";
    Compare.Op op = switch (o.toLowerCase(Locale.ROOT)) {
      case "eq", "=", "==" -> Compare.Op.EQ;
      case "ne", "!=" -> Compare.Op.NE;
      case "lt", "<" -> Compare.Op.LT;
      case "gt", ">" -> Compare.Op.GT;
      default -> throw bad("unknown compare op '" + o + "' (eq, ne, lt, gt)");
    };
    if (target == Compare.Target.VALUE) {
      byte[] v;
      if (c.hasNonNull("valueBase64")) v = base64(text(c, "valueBase64"), "valueBase64");
      else if (c.has("value") && c.get("value").isTextual()) v = c.get("value").asText().getBytes(StandardCharsets.UTF_8);
      else if (c.has("value")) { // a JSON value, compact
        io.aiondb.server.state.Values.checkTree(c.get("value"), "the value of a compare");
        v = c.get("value").toString().getBytes(StandardCharsets.UTF_8);
      }
      else throw bad("a value compare needs 'value' or 'valueBase64'");
      return Compare.value(ns, key, op, v);
    }
    JsonNode v = c.get("value");
    if (v == null || !v.canConvertToExactIntegral() || v.asLong() < 0) {
      throw bad("a " + t + " compare needs an integer 'value' >= 0, not " + v);
    }
    return Compare.numeric(ns, key, target, op, v.asLong());
  }

  private static List<TxnOp> ops(JsonNode body, String field, String dflt) {
    List<TxnOp> out = new ArrayList<>();
    for (JsonNode n : array(body, field)) out.add(op(n, dflt));
    return out;
  }

  private static TxnOp op(JsonNode n, String dflt) {
    if (!n.isObject()) throw bad("an operation is an object, not " + n);
    String kind = text(n, "op");
    String ns = namespace(n, dflt);
    return switch (kind) {
      case "put" -> put(n, ns);
      case "delete" -> new TxnOp.Delete(ns, key(n, "key", true));
      case "get" -> new TxnOp.Get(ns, key(n, "key", true));
      case "range" -> range(n, ns);
      default -> throw bad("unknown operation '" + kind + "' (put, delete, get, range)");
    };
  }

  private static TxnOp put(JsonNode n, String ns) {
    byte[] key = key(n, "key", true);
    int given = (n.has("value") ? 1 : 0) + (n.hasNonNull("text") ? 1 : 0) + (n.hasNonNull("valueBase64") ? 1 : 0);
    if (given != 1) throw bad("a put needs exactly one of 'value' (JSON), 'text' or 'valueBase64'");
    if (n.hasNonNull("text")) return new TxnOp.Put(ns, key, text(n, "text").getBytes(StandardCharsets.UTF_8), ContentType.TEXT);
    if (n.hasNonNull("valueBase64")) {
      return new TxnOp.Put(ns, key, base64(text(n, "valueBase64"), "valueBase64"), ContentType.OCTET_STREAM);
    }
    io.aiondb.server.state.Values.checkTree(n.get("value"), "the value of a put");
    return new TxnOp.Put(ns, key, n.get("value").toString().getBytes(StandardCharsets.UTF_8), ContentType.JSON);
  }

  private static TxnOp range(JsonNode n, String ns) {
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
    if (prefix != null) return new TxnOp.Range(ns, prefix, prefix.length == 0 ? null : Keys.prefixEnd(prefix), limit);
    return new TxnOp.Range(ns, start == null ? new byte[0] : start, end, limit);
  }

  private static AionException bad(String message) {
    return new AionException(ErrorCode.BAD_REQUEST, message);
  }

  public static ObjectNode render(ApplyResult.TxnDone t) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("succeeded", t.succeeded());
    n.put("revision", t.revision());
    n.put("timestamp", Json.time(t.timestampMillis()));
    ArrayNode results = n.putArray("results");
    for (ApplyResult.OpResult r : t.results()) {
      ObjectNode o = results.addObject();
      switch (r) {
        case ApplyResult.OpResult.Put p -> {
          o.put("op", "put");
          o.put("revision", p.revision());
          o.put("createRevision", p.createRevision());
          o.put("version", p.version());
        }
        case ApplyResult.OpResult.Delete d -> {
          o.put("op", "delete");
          o.put("deleted", d.existed());
        }
        case ApplyResult.OpResult.Get g -> {
          o.put("op", "get");
          o.put("found", g.version() != null);
          if (g.version() != null) o.setAll(Json.version(g.version(), true));
        }
        case ApplyResult.OpResult.Range rg -> {
          o.put("op", "range");
          ArrayNode items = o.putArray("items");
          for (ApplyResult.KeyVersion kv : rg.items()) {
            ObjectNode item = items.addObject();
            Json.putKey(item, kv.key());
            item.setAll(Json.version(kv.version(), true));
          }
          o.put("more", rg.more());
        }
      }
    }
    return n;
  }
}
