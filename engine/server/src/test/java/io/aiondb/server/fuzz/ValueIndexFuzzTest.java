package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import io.aiondb.server.AionException;
import io.aiondb.server.json.Json;
import io.aiondb.server.state.IndexValues;
import io.aiondb.server.state.JsonPath;
import io.aiondb.server.query.Plan;
import io.aiondb.server.query.Planner;
import io.aiondb.server.query.Predicate;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.Row;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.VersionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Whatever a PUT accepts as JSON must be indexable and queryable. Input: the value's bytes. When either transport
 * accepts them (see {@link StoredValues}), then for every node of the document that a field path can name:
 * <ul>
 *   <li>the path parses and resolves to that node;</li>
 *   <li>{@link IndexValues#encode} does not throw for any {@link IndexDef.Type}, and an index entry made of the
 *       encoding gives back its value and user key;</li>
 *   <li>conditions comparing the field with its own value evaluate without throwing and as equality demands
 *       ({@code eq}, {@code in}, {@code exists}, {@code lte}, {@code gte} hold; {@code ne}, {@code lt}, {@code gt}
 *       do not);</li>
 *   <li>planning such a query with a ready index of each type does not throw.</li>
 * </ul>
 */
class ValueIndexFuzzTest {
  private static final int MAX_NODES = 256;
  private static final byte[] KEY = {'k', 0, 1};

  @FuzzTest
  @DictionaryEntries({"{\"", "\":", "[", "]", "true", "false", "null", "e308", "E-400", ".5", "-0", "\\\\u0000",
      "\"2026-01-31T12:00:00Z\"", "12345678901234567890"})
  void acceptedValuesAreIndexable(byte[] value) {
    if (!StoredValues.acceptedAsJson(value)) return;
    VersionRecord rec = StoredValues.stored(value);
    JsonNode root = IndexValues.json(rec);
    if (root == null) throw new AssertionError("a value accepted as JSON does not parse for indexing");
    List<Map.Entry<String, JsonNode>> nodes = new ArrayList<>();
    collect("$", root, nodes);
    for (Map.Entry<String, JsonNode> e : nodes) check(e.getKey(), e.getValue(), rec);
  }

  private static void check(String pathText, JsonNode node, VersionRecord rec) {
    JsonPath path;
    try {
      path = JsonPath.parse(pathText);
    } catch (AionException tooLong) {
      Invariants.clientError(tooLong);
      return; // deeper than a path can name (512 characters): no query or index can reach it
    }
    JsonNode resolved = path.resolve(IndexValues.json(rec));
    if (resolved == null || !resolved.equals(node)) throw new AssertionError(pathText + " resolves to " + resolved);
    for (IndexDef.Type type : IndexDef.Type.values()) {
      byte[] v = IndexValues.encode(type, node);
      if (v == null) continue;
      byte[] entry = IndexValues.entry(1, 2, v, KEY);
      if (!Arrays.equals(IndexValues.userKey(type, entry), KEY) || !Arrays.equals(IndexValues.value(type, entry), v)) {
        throw new AssertionError(type + " index entry of " + pathText + " does not give back its key and value");
      }
    }
    Row.Value row = new Row.Value(rec);
    ArrayNode in = Json.MAPPER.createArrayNode().add(node);
    expect(new Predicate.Field(path, Predicate.Op.EQ, node), row, true);
    expect(new Predicate.Field(path, Predicate.Op.NE, node), row, false);
    expect(new Predicate.Field(path, Predicate.Op.IN, in), row, true);
    expect(new Predicate.Field(path, Predicate.Op.EXISTS, BooleanNode.TRUE), row, true);
    boolean ordered = node.isNumber() || node.isTextual();
    for (Predicate.Op op : List.of(Predicate.Op.LT, Predicate.Op.GT, Predicate.Op.LTE, Predicate.Op.GTE)) {
      boolean inclusive = op == Predicate.Op.LTE || op == Predicate.Op.GTE;
      Predicate.Field f = new Predicate.Field(path, op, node);
      expect(f, row, ordered && inclusive);
      plan(f, pathText);
    }
    plan(new Predicate.Field(path, Predicate.Op.EQ, node), pathText);
  }

  private static void expect(Predicate p, Row.Value row, boolean holds) {
    if (p.test(row) != holds) throw new AssertionError(p.describe() + " should be " + holds + " on its own value");
  }

  private static void plan(Predicate.Field f, String pathText) {
    List<IndexDef> indexes = new ArrayList<>();
    for (IndexDef.Type t : IndexDef.Type.values()) {
      indexes.add(new IndexDef("i" + t.ordinal(), 10 + t.ordinal(), pathText, t, false, IndexDef.State.READY, null,
          null, 0));
    }
    Query q = new Query(null, null, null, null, null, List.of(f), false, false, 100, Query.DEFAULT_MAX_BYTES, null,
        false, 0);
    Plan plan = new Planner().plan(q, indexes);
    if (plan.index() == null && f.op() != Predicate.Op.NE && usable(f.operand())) {
      throw new AssertionError("no index used for " + f.describe());
    }
  }

  /** Operands some index type can order: numbers, strings, booleans (eq only, checked by the caller's ops). */
  private static boolean usable(JsonNode operand) {
    return operand.isNumber() || operand.isTextual();
  }

  /** Every node a path can name, breadth-first, at most MAX_NODES. */
  private static void collect(String root, JsonNode doc, List<Map.Entry<String, JsonNode>> out) {
    java.util.ArrayDeque<Map.Entry<String, JsonNode>> todo = new java.util.ArrayDeque<>();
    todo.add(Map.entry(root, doc));
    while (!todo.isEmpty() && out.size() < MAX_NODES) {
      Map.Entry<String, JsonNode> e = todo.poll();
      out.add(e);
      JsonNode n = e.getValue();
      if (n.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          String step = step(f.getKey());
          if (step != null) todo.add(Map.entry(e.getKey() + step, f.getValue()));
        }
      } else if (n.isArray()) {
        for (int i = 0; i < n.size(); i++) todo.add(Map.entry(e.getKey() + "[" + i + "]", n.get(i)));
      }
    }
  }

  /** The path step naming a field, or null when the path syntax cannot name it (a quoted name cannot hold ']'). */
  private static String step(String name) {
    if (!name.isEmpty() && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
      return "." + name;
    }
    return name.indexOf(']') < 0 ? "[\"" + name + "\"]" : null;
  }
}
