package io.aiondb.server.query;

import io.aiondb.server.state.JsonPath;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns the JSON body of {@code POST /v1/ns/{ns}/query} into a {@link Query}, or a 400 naming what is wrong. */
public final class QueryParser {
  private static final Set<String> FIELDS = Set.of("prefix", "start", "end", "after", "before", "where", "keysOnly",
      "reverse", "limit", "maxBytes", "cursor", "explain");
  private static final Set<String> PAGING = Set.of("limit", "maxBytes", "cursor", "explain");
  static final int MAX_PATTERN = 1024;
  static final int MAX_PREDICATES = 32;

  private QueryParser() {}

  public static Query parse(JsonNode body) {
    if (body == null || !body.isObject()) throw bad("the query must be a JSON object");
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) throw bad("unknown field '" + f + "'; allowed: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
    }
    byte[] prefix = keyBound(body, "prefix");
    byte[] start = keyBound(body, "start");
    byte[] end = keyBound(body, "end");
    Long after = time(body, "after");
    Long before = time(body, "before");
    List<Predicate> where = predicates(body.get("where"));
    boolean keysOnly = bool(body, "keysOnly");
    boolean reverse = bool(body, "reverse");
    int limit = Query.DEFAULT_LIMIT;
    if (body.has("limit")) {
      JsonNode l = body.get("limit");
      if (!l.canConvertToInt() || !l.isIntegralNumber() || l.intValue() < 1 || l.intValue() > Query.MAX_LIMIT) {
        throw bad("limit must be an integer from 1 to " + Query.MAX_LIMIT + ", not " + l);
      }
      limit = l.intValue();
    }
    long maxBytes = Query.DEFAULT_MAX_BYTES;
    if (body.has("maxBytes")) {
      JsonNode m = body.get("maxBytes");
      if (!m.isIntegralNumber() || !m.canConvertToLong() || m.longValue() < 1 || m.longValue() > Query.MAX_MAX_BYTES) {
        throw bad("maxBytes must be an integer from 1 to " + Query.MAX_MAX_BYTES + " (8 MiB), not " + m);
      }
      maxBytes = m.longValue();
    }
    String cursor = null;
    if (body.has("cursor") && !body.get("cursor").isNull()) {
      if (!body.get("cursor").isTextual()) throw new AionException(ErrorCode.INVALID_CURSOR, "cursor must be a string");
      cursor = body.get("cursor").textValue();
    }
    return new Query(prefix, start, end, after, before, where, keysOnly, reverse, limit, maxBytes, cursor,
        bool(body, "explain"), hash(body));
  }

  private static byte[] keyBound(JsonNode body, String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) return null;
    if (!n.isTextual()) throw bad(name + " must be a string");
    byte[] b = n.textValue().getBytes(StandardCharsets.UTF_8);
    if (b.length > 256) throw bad(name + " is longer than the longest key (256 bytes)");
    return b;
  }

  private static Long time(JsonNode body, String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) return null;
    if (!n.isTextual()) throw bad(name + " must be an RFC 3339 time string such as 2026-01-31T12:00:00Z");
    try {
      return OffsetDateTime.parse(n.textValue()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(n.textValue()).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw bad(name + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z, not '" + n.textValue() + "'");
      }
    }
  }

  private static boolean bool(JsonNode body, String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) return false;
    if (!n.isBoolean()) throw bad(name + " must be true or false");
    return n.booleanValue();
  }

  private static List<Predicate> predicates(JsonNode where) {
    List<Predicate> out = new ArrayList<>();
    if (where == null || where.isNull()) return out;
    if (!where.isArray()) throw bad("where must be an array of conditions, all of which must hold");
    if (where.size() > MAX_PREDICATES) throw bad("where has more than " + MAX_PREDICATES + " conditions");
    for (JsonNode p : where) out.add(predicate(p));
    return List.copyOf(out);
  }

  private static Predicate predicate(JsonNode p) {
    if (!p.isObject()) throw bad("each where condition must be an object");
    if (p.has("contains")) {
      only(p, "contains");
      String s = text(p, "contains");
      if (s.length() > MAX_PATTERN) throw bad("contains is longer than " + MAX_PATTERN + " characters");
      return Predicate.Contains.of(s);
    }
    if (p.has("matches")) {
      only(p, "matches");
      String re = text(p, "matches");
      if (re.length() > MAX_PATTERN) throw bad("matches is longer than " + MAX_PATTERN + " characters");
      try {
        return new Predicate.Matches(re, Pattern.compile(re));
      } catch (PatternSyntaxException e) {
        throw bad("matches is not a valid regular expression (RE2 syntax; backreferences and lookaround are not supported): " + e.getMessage());
      }
    }
    if (p.has("field")) {
      for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!Set.of("field", "op", "value").contains(f)) throw bad("unknown key '" + f + "' in a field condition (use field, op, value)");
      }
      JsonPath path = JsonPath.parse(text(p, "field"));
      Predicate.Op op;
      try {
        op = Predicate.Op.valueOf(text(p, "op").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw bad("op must be one of eq, ne, lt, lte, gt, gte, in, exists; not '" + p.get("op").asText() + "'");
      }
      JsonNode value = p.get("value");
      if (value != null && !finite(value)) {
        throw bad("numbers in a condition must be finite; " + value + " is out of range (|x| < 1.8e308)");
      }
      switch (op) {
        case EXISTS -> {
          if (value != null && !value.isBoolean()) throw bad("exists takes value true or false (or none, meaning true)");
          if (value == null) value = com.fasterxml.jackson.databind.node.BooleanNode.TRUE;
        }
        case IN -> {
          if (value == null || !value.isArray()) throw bad("in needs an array value");
          if (value.size() > 1000) throw bad("in takes at most 1000 values");
        }
        case LT, LTE, GT, GTE -> {
          if (value == null || !(value.isNumber() || value.isTextual())) throw bad(op.name().toLowerCase(Locale.ROOT) + " needs a number or string value");
        }
        default -> {
          if (value == null) throw bad(op.name().toLowerCase(Locale.ROOT) + " needs a value");
        }
      }
      return new Predicate.Field(path, op, value);
    }
    throw bad("a where condition is one of {\"contains\": …}, {\"matches\": …}, {\"field\": …, \"op\": …, \"value\": …}");
  }

  /** False if a number anywhere in {@code n} is infinite (Jackson reads 1e999 as a double infinity): it has no decimal value to compare. */
  private static boolean finite(JsonNode n) {
    if (n.isNumber()) return !n.isDouble() && !n.isFloat() || Double.isFinite(n.doubleValue());
    for (JsonNode c : n) if (!finite(c)) return false;
    return true;
  }

  private static void only(JsonNode p, String key) {
    if (p.size() != 1) throw bad("a '" + key + "' condition takes no other keys");
  }

  private static String text(JsonNode p, String key) {
    JsonNode n = p.get(key);
    if (n == null || !n.isTextual()) throw bad(key + " must be a string");
    return n.textValue();
  }

  /** A stable hash of everything but paging: key order inside objects does not matter. */
  static long hash(JsonNode body) {
    ObjectNode copy = ((ObjectNode) body).deepCopy();
    PAGING.forEach(copy::remove);
    StringBuilder sb = new StringBuilder();
    canonical(copy, sb);
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return java.nio.ByteBuffer.wrap(d).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void canonical(JsonNode n, StringBuilder sb) {
    if (n.isObject()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      n.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      sb.append('{');
      sorted.forEach((k, v) -> {
        sb.append('"').append(k).append("\":");
        canonical(v, sb);
        sb.append(',');
      });
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (JsonNode e : n) {
        canonical(e, sb);
        sb.append(',');
      }
      sb.append(']');
    } else {
      sb.append(n.toString());
    }
  }

  static AionException bad(String message) {
    return new AionException(ErrorCode.INVALID_QUERY, message);
  }
}
