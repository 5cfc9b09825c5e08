package io.aiondb.server.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.server.AionException;
import io.aiondb.server.json.Json;
import io.aiondb.server.query.Cursor;
import io.aiondb.server.state.IndexValues;
import io.aiondb.server.query.Plan;
import io.aiondb.server.query.Planner;
import io.aiondb.server.query.Predicate;
import io.aiondb.server.query.Query;
import io.aiondb.server.query.QueryParser;
import io.aiondb.server.query.Row;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The query language on hostile queries and stored values. Input: the query's JSON body, a newline, then the bytes of
 * a stored value (stored as a PUT would store them, see {@link StoredValues}). Checks:
 * <ul>
 *   <li>parsing ({@link QueryParser}), decoding its cursor, planning it ({@link Planner}, with a ready index of every
 *       type on every field it compares) and evaluating its conditions on the value throw nothing but a 4xx
 *       {@link AionException};</li>
 *   <li>the plan never loses a row: when every condition holds for the value and the plan scans an index, the value's
 *       index entry lies inside the range the executor scans (the planner's promise that a plan changes the cost of
 *       a query, never its answer).</li>
 * </ul>
 */
class QueryFuzzTest {
  private static final int NS = 1;
  private static final byte[] KEY = {'u', 0, 'k'};

  @FuzzTest
  @DictionaryEntries({"\"where\"", "\"field\"", "\"op\"", "\"value\"", "\"eq\"", "\"ne\"", "\"lt\"", "\"lte\"",
      "\"gt\"", "\"gte\"", "\"in\"", "\"exists\"", "\"contains\"", "\"matches\"", "\"prefix\"", "\"start\"",
      "\"end\"", "\"after\"", "\"before\"", "\"limit\"", "\"maxBytes\"", "\"cursor\"", "\"keysOnly\"",
      "\"reverse\"", "\"explain\"", "\"$.", "[0]", "2026-01-31T12:00:00Z", "e308", "true", "null"})
  void parsePlanEvaluate(byte[] input) {
    int nl = indexOf(input, (byte) '\n');
    byte[] body = nl < 0 ? input : Arrays.copyOfRange(input, 0, nl);
    byte[] stored = nl < 0 ? new byte[0] : Arrays.copyOfRange(input, nl + 1, input.length);
    JsonNode json;
    try {
      json = Json.parse(body);
    } catch (java.io.IOException e) {
      return; // the transports answer INVALID_JSON
    }
    Query q;
    List<IndexDef> indexes;
    Plan plan;
    try {
      q = QueryParser.parse(json);
      if (q.cursor() != null) Cursor.decode(q.cursor());
      indexes = indexesFor(q);
      plan = new Planner().plan(q, indexes);
    } catch (AionException e) {
      Invariants.clientError(e);
      return;
    }
    VersionRecord rec = StoredValues.stored(stored);
    boolean matches = Predicate.all(q.where(), new Row.Value(rec));
    if (!matches || plan.empty() || plan.index() == null) return;
    Plan.IndexScan scan = plan.index();
    Predicate.Field f = field(q, scan.def());
    byte[] v = IndexValues.of(scan.def(), f.path(), rec);
    if (v == null) {
      throw new AssertionError("every condition holds but the value has no entry in " + scan.describe());
    }
    byte[] entry = IndexValues.entry(NS, scan.def().id(), v, KEY);
    byte[] prefix = IndexValues.prefix(NS, scan.def().id());
    byte[] start = scan.from() == null ? prefix : concat(prefix, scan.from());
    byte[] end = Keys.prefixEnd(scan.to() == null ? prefix : concat(prefix, scan.to()));
    if (Arrays.compareUnsigned(entry, start) < 0 || (end != null && Arrays.compareUnsigned(entry, end) >= 0)) {
      throw new AssertionError("the plan loses a matching row: " + scan.describe() + " does not cover the entry of "
          + new String(stored, StandardCharsets.UTF_8));
    }
  }

  /** A ready index of every type on every field a condition compares: the planner may pick any. */
  private static List<IndexDef> indexesFor(Query q) {
    List<IndexDef> out = new ArrayList<>();
    int id = 10;
    for (Predicate p : q.where()) {
      if (!(p instanceof Predicate.Field f)) continue;
      for (IndexDef.Type t : IndexDef.Type.values()) {
        out.add(new IndexDef("i" + id, id++, f.path().text(), t, false, IndexDef.State.READY, null, null, 0));
      }
    }
    return out;
  }

  private static Predicate.Field field(Query q, IndexDef def) {
    for (Predicate p : q.where()) {
      if (p instanceof Predicate.Field f && f.path().text().equals(def.field())) return f;
    }
    throw new AssertionError("the plan scans " + def.field() + ", which no condition names");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] b, byte x) {
    for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
    return -1;
  }
}
