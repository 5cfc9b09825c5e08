package io.aiondb.server.query;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * Secondary indexes: maintained in the same batch as the data, unique constraints, backfill, and the property that
 * matters most — on random data and random queries, the index path answers exactly what the full scan answers.
 */
class IndexTest {
  private static final ObjectMapper M = new ObjectMapper();
  @TempDir Path dir;

  private static ApplyResult putJson(StoreHarness h, String ns, String key, String json, long ts) {
    return h.apply(new Command.Put(ns, b(key), b(json), ContentType.JSON, Command.ANY_REVISION), ts);
  }

  /** Creates an index and runs its backfill to the end, as the leader's IndexBuilder does. */
  private static IndexDef index(StoreHarness h, String ns, String name, String field, IndexDef.Type type, boolean unique) {
    ApplyResult r = h.apply(new Command.CreateIndex(ns, name, field, type, unique), 1);
    IndexDef def = ((ApplyResult.IndexCreated) r).index();
    while (true) {
      var bf = (ApplyResult.Backfilled) h.apply(new Command.BackfillIndex(ns, name, def.id(), 3), 1);
      if (bf.state() != IndexDef.State.BUILDING) break;
    }
    return h.store.index(h.store.requireNamespace(ns).id(), name).orElseThrow();
  }

  private static int entries(StoreHarness h) {
    int n = 0;
    try (var view = h.store.openView(); RocksIterator it = view.iterator(Cf.INDEX)) {
      for (it.seekToFirst(); it.isValid(); it.next()) n++;
    }
    return n;
  }

  @Test
  void backfillThenWritesKeepTheIndexCurrent() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      for (int i = 0; i < 10; i++) putJson(h, "u", "user/" + i, "{\"age\":" + (20 + i) + "}", 2);
      putJson(h, "u", "user/x", "{\"age\":\"old\"}", 2); // a string: not in a number index
      IndexDef def = index(h, "u", "by-age", "$.age", IndexDef.Type.NUMBER, false);
      assertThat(def.state()).isEqualTo(IndexDef.State.READY);
      assertThat(entries(h)).isEqualTo(10);
      putJson(h, "u", "user/0", "{\"age\":99}", 3);      // moves its entry
      h.delete("u", "user/1", 4);                          // removes its entry
      putJson(h, "u", "user/2", "{\"name\":\"no age\"}", 5); // removes its entry
      assertThat(entries(h)).isEqualTo(8);
      var q = QueryParser.parse(M.createObjectNode().set("where", M.createArrayNode().add(
          M.createObjectNode().put("field", "$.age").put("op", "gte").put("value", 90))));
      QueryExecutor ex = new QueryExecutor(h.store);
      NamespaceInfo ns = h.store.requireNamespace("u");
      QueryResult r = ex.execute(q, ns);
      assertThat(r.plan().access()).isEqualTo("index-scan");
      assertThat(r.rows()).extracting(row -> new String(row.key(), StandardCharsets.UTF_8)).containsExactly("user/0");
      h.apply(new Command.DropIndex("u", "by-age"), 6);
      assertThat(entries(h)).isZero();
      assertThat(ex.execute(q, ns).plan().access()).isEqualTo("key-range-scan");
    }
  }

  @Test
  void uniqueIndexesRefuseDuplicatesAndWriteNothing() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      putJson(h, "u", "a", "{\"email\":\"a@x\"}", 2);
      putJson(h, "u", "b", "{\"email\":\"b@x\"}", 2);
      index(h, "u", "email", "$.email", IndexDef.Type.STRING, true);
      long rev = h.store.appliedRevision();
      ApplyResult dup = putJson(h, "u", "c", "{\"email\":\"a@x\"}", 3);
      assertThat(dup).isInstanceOfSatisfying(ApplyResult.Rejected.class, r -> {
        assertThat(r.code()).isEqualTo(ErrorCode.UNIQUE_VIOLATION);
        assertThat(r.message()).contains("'c'").contains("'a'");
      });
      assertThat(h.store.appliedRevision()).isEqualTo(rev);
      assertThat(putJson(h, "u", "a", "{\"email\":\"a@x\",\"v\":2}", 3)).isInstanceOf(ApplyResult.Written.class); // same key
      // a transaction may swap two values: after it, no two keys share one
      var swap = h.apply(new Command.Txn(List.of(), List.of(
          new TxnOp.Put("u", b("a"), b("{\"email\":\"b@x\"}"), ContentType.JSON),
          new TxnOp.Put("u", b("b"), b("{\"email\":\"a@x\"}"), ContentType.JSON)), List.of()), 4);
      assertThat(swap).isInstanceOfSatisfying(ApplyResult.TxnDone.class, t -> assertThat(t.succeeded()).isTrue());
      // but not give one value to two keys, nor take a value another key keeps
      var both = h.apply(new Command.Txn(List.of(), List.of(
          new TxnOp.Put("u", b("c"), b("{\"email\":\"c@x\"}"), ContentType.JSON),
          new TxnOp.Put("u", b("d"), b("{\"email\":\"c@x\"}"), ContentType.JSON)), List.of()), 5);
      assertThat(both).isInstanceOf(ApplyResult.Rejected.class);
      var taken = h.apply(new Command.Txn(List.of(), List.of(
          new TxnOp.Delete("u", b("a")), new TxnOp.Put("u", b("c"), b("{\"email\":\"a@x\"}"), ContentType.JSON)), List.of()), 6);
      assertThat(taken).isInstanceOf(ApplyResult.Rejected.class); // 'b' holds a@x now
      var freed = h.apply(new Command.Txn(List.of(), List.of(
          new TxnOp.Delete("u", b("b")), new TxnOp.Put("u", b("c"), b("{\"email\":\"a@x\"}"), ContentType.JSON)), List.of()), 7);
      assertThat(freed).isInstanceOf(ApplyResult.TxnDone.class);
      assertThat(entries(h)).isEqualTo(2); // a -> b@x, c -> a@x
    }
  }

  @Test
  void uniqueBackfillOverDuplicatesFails() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      putJson(h, "u", "a", "{\"email\":\"same\"}", 2);
      putJson(h, "u", "b", "{\"email\":\"same\"}", 2);
      IndexDef def = index(h, "u", "email", "$.email", IndexDef.Type.STRING, true);
      assertThat(def.state()).isEqualTo(IndexDef.State.FAILED);
      assertThat(def.message()).contains("'a'").contains("'b'");
      ApplyResult again = h.apply(new Command.CreateIndex("u", "email", "$.email", IndexDef.Type.NUMBER, true), 3);
      assertThat(again).isInstanceOfSatisfying(ApplyResult.Rejected.class, r -> assertThat(r.code()).isEqualTo(ErrorCode.INDEX_EXISTS));
    }
  }

  @Test
  void droppingTheNamespaceRemovesIndexes() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      putJson(h, "u", "a", "{\"n\":1}", 2);
      int id = h.store.requireNamespace("u").id();
      index(h, "u", "n", "$.n", IndexDef.Type.NUMBER, false);
      h.apply(new Command.DropNamespace("u"), 3);
      assertThat(entries(h)).isZero();
      assertThat(h.store.indexes(id)).isEmpty();
      h.apply(new Command.CreateNamespace("u"), 4);
      assertThat(h.store.indexes(h.store.requireNamespace("u").id())).isEmpty();
    }
  }

  // ------------------------------------------------------------------ index path = full scan path

  private static String randomValue(Random r) {
    ObjectNode o = M.createObjectNode();
    switch (r.nextInt(8)) {
      case 0 -> o.put("n", r.nextInt(20) - 5);
      case 1 -> o.put("n", (r.nextInt(400) - 100) / 8.0);
      case 2 -> o.put("n", "str" + r.nextInt(3)); // wrong type for the number index
      case 3 -> { } // no field
      default -> o.put("n", r.nextInt(10));
    }
    String[] strings = {"a", "ab", "b", "\u00e9", "\ud83d\ude00", "2026-01-01T00:00:00Z", "", "zz"};
    if (r.nextInt(5) != 0) o.put("s", strings[r.nextInt(strings.length)]);
    if (r.nextInt(4) != 0) o.put("f", r.nextBoolean());
    String[] times = {"2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.5Z", "2025-12-31T23:59:59Z",
        "2026-06-01T12:00:00-07:00", "not a time"};
    if (r.nextInt(4) != 0) o.put("t", times[r.nextInt(times.length)]);
    if (r.nextInt(10) == 0) o.put("u", r.nextInt(1000)); // mostly unique values
    return o.toString();
  }

  private static ObjectNode randomQuery(Random r) {
    ObjectNode q = M.createObjectNode();
    ArrayNode where = q.putArray("where");
    int conditions = 1 + r.nextInt(2);
    String[] ops = {"eq", "lt", "lte", "gt", "gte", "ne"};
    for (int i = 0; i < conditions; i++) {
      ObjectNode c = where.addObject();
      String op = ops[r.nextInt(ops.length)];
      switch (r.nextInt(5)) {
        case 0 -> c.put("field", "$.n").put("op", op).put("value", r.nextBoolean() ? r.nextInt(15) - 3 : (r.nextInt(200) - 50) / 8.0);
        case 1 -> c.put("field", "$.s").put("op", op).put("value", new String[] {"a", "b", "\u00e9", "2026-01-01T00:00:00Z", ""}[r.nextInt(5)]);
        case 2 -> c.put("field", "$.f").put("op", "eq").put("value", r.nextBoolean());
        case 3 -> c.put("field", "$.t").put("op", op).put("value", new String[] {"2026-01-01T00:00:00Z", "2026-01-01T00:30:00+00:30",
            "2025-01-01T00:00:00Z", "not a time"}[r.nextInt(4)]);
        default -> c.put("field", "$.u").put("op", op).put("value", r.nextInt(1000));
      }
    }
    if (r.nextInt(4) == 0) q.put("prefix", "k" + r.nextInt(3));
    if (r.nextInt(5) == 0) q.put("start", "k" + r.nextInt(60));
    if (r.nextBoolean()) q.put("reverse", true);
    if (r.nextInt(3) == 0) q.put("keysOnly", true);
    q.put("limit", 1 + r.nextInt(9));
    return q;
  }

  /** Every row of every page, following cursors. */
  private static List<String> all(QueryExecutor ex, NamespaceInfo ns, ObjectNode qj, boolean forceScan, List<String> access) {
    List<String> out = new ArrayList<>();
    ObjectNode page = qj.deepCopy();
    for (int i = 0; i < 500; i++) {
      QueryResult r = ex.execute(QueryParser.parse(page), ns, false, forceScan);
      if (access != null) access.add(r.plan().access());
      for (Row row : r.rows()) {
        out.add(new String(row.key(), StandardCharsets.UTF_8) + "@" + row.version().revision()
            + (qj.path("keysOnly").asBoolean() ? "" : "=" + new String(row.version().value(), StandardCharsets.UTF_8)));
      }
      if (r.cursor() == null) return out;
      page.put("cursor", r.cursor());
    }
    throw new AssertionError("too many pages");
  }

  /** Namespace "p": 150 random JSON writes over 60 keys, then a ready index of each type (n, s, f, t). */
  private static void randomIndexedNamespace(StoreHarness h, Random r) {
    h.apply(new Command.CreateNamespace("p"), 1);
    for (int i = 0; i < 150; i++) putJson(h, "p", "k" + r.nextInt(60), randomValue(r), 2);
    index(h, "p", "n", "$.n", IndexDef.Type.NUMBER, false);
    index(h, "p", "s", "$.s", IndexDef.Type.STRING, false);
    index(h, "p", "f", "$.f", IndexDef.Type.BOOLEAN, false);
    index(h, "p", "t", "$.t", IndexDef.Type.TIMESTAMP, false);
  }

  @Test
  void indexPathEqualsFullScanPath() {
    long seed = Long.getLong("aion.seed", System.nanoTime());
    Random r = new Random(seed);
    try (StoreHarness h = new StoreHarness(dir)) {
      randomIndexedNamespace(h, r);
      index(h, "p", "u", "$.u", IndexDef.Type.NUMBER, true); // may FAIL on duplicate values: then it is simply not used
      for (int i = 0; i < 100; i++) { // writes after the backfill, maintained by the writes themselves
        if (r.nextInt(5) == 0) h.delete("p", "k" + r.nextInt(60), 3);
        else putJson(h, "p", "k" + r.nextInt(60), randomValue(r), 3);
      }
      QueryExecutor ex = new QueryExecutor(h.store);
      NamespaceInfo ns = h.store.requireNamespace("p");
      int indexed = 0;
      for (int i = 0; i < 400; i++) {
        ObjectNode q = randomQuery(r);
        List<String> access = new ArrayList<>();
        List<String> viaIndex = all(ex, ns, q, false, access);
        List<String> viaScan = all(ex, ns, q, true, null);
        assertThat(viaIndex).as("seed %d query %s (-Daion.seed=%d replays)", seed, q, seed).isEqualTo(viaScan);
        if (access.contains("index-scan")) indexed++;
      }
      assertThat(indexed).as("queries that used an index (seed %d)", seed).isGreaterThan(100);
    }
  }

  /** As above with budgets so small that index rounds are cut short and pages end early: still exactly the scan's answer. */
  @Test
  void indexPathUnderTinyBudgetsEqualsFullScanPath() {
    long seed = Long.getLong("aion.seed", System.nanoTime());
    Random r = new Random(seed);
    try (StoreHarness h = new StoreHarness(dir)) {
      randomIndexedNamespace(h, r);
      for (int i = 0; i < 300; i++) { // deletes leave index entries behind nothing; overwrites move them
        if (r.nextInt(3) == 0) h.delete("p", "k" + r.nextInt(60), 3);
        else putJson(h, "p", "k" + r.nextInt(60), randomValue(r), 3);
      }
      QueryExecutor full = new QueryExecutor(h.store);
      NamespaceInfo ns = h.store.requireNamespace("p");
      int indexed = 0;
      int truncated = 0;
      for (int i = 0; i < 300; i++) {
        ObjectNode q = randomQuery(r);
        QueryLimits tiny = new QueryLimits(1 + r.nextInt(60), 1L << 30, 1 + r.nextInt(200), java.time.Duration.ofHours(1), 1);
        QueryExecutor ex = new QueryExecutor(h.store, tiny);
        List<String> access = new ArrayList<>();
        List<String> viaIndex = all(ex, ns, q, false, access);
        List<String> viaScan = all(full, ns, q, true, null);
        assertThat(viaIndex).as("seed %d query %s %s (-Daion.seed=%d replays)", seed, q, tiny, seed).isEqualTo(viaScan);
        if (access.contains("index-scan")) indexed++;
        if (access.size() > 1) truncated++;
      }
      assertThat(indexed).as("queries that used an index (seed %d)", seed).isGreaterThan(50);
      assertThat(truncated).as("queries that took several pages (seed %d)", seed).isGreaterThan(100);
    }
  }

  /**
   * A page after a deep cursor seeks to it inside each indexed value instead of reading every entry before it: it
   * examines about what a first page examines, whatever the cursor's depth.
   */
  @Test
  void indexPageAfterADeepCursorExaminesAboutAPage() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("p"), 1);
      for (int i = 0; i < 4000; i++) {
        putJson(h, "p", String.format("k%05d", i), "{\"s\":\"" + (i % 3 == 0 ? "x" : "y") + "\",\"n\":" + (i % 5) + "}", 2);
      }
      index(h, "p", "s", "$.s", IndexDef.Type.STRING, false);
      index(h, "p", "n", "$.n", IndexDef.Type.NUMBER, false);
      QueryExecutor ex = new QueryExecutor(h.store);
      NamespaceInfo ns = h.store.requireNamespace("p");
      String[] queries = {
          "{\"where\":[{\"field\":\"$.s\",\"op\":\"eq\",\"value\":\"x\"}],\"limit\":10}",  // one value
          "{\"where\":[{\"field\":\"$.n\",\"op\":\"gte\",\"value\":1}],\"limit\":10}",      // a range of 4 values
          "{\"where\":[{\"field\":\"$.s\",\"op\":\"eq\",\"value\":\"x\"}],\"limit\":10,\"reverse\":true}",
          "{\"where\":[{\"field\":\"$.n\",\"op\":\"lte\",\"value\":3}],\"limit\":10,\"reverse\":true}"};
      for (String text : queries) {
        ObjectNode qj;
        try {
          qj = (ObjectNode) M.readTree(text);
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
        Query q = QueryParser.parse(qj);
        QueryResult first = ex.execute(q, ns);
        assertThat(first.plan().access()).isEqualTo("index-scan");
        assertThat(first.rows()).hasSize(10);
        boolean rev = qj.path("reverse").asBoolean();
        String deepKey = rev ? "k00700" : "k03300"; // 3,300 keys in scan order before it
        String deep = new Cursor(first.revision(), q.hash(), b(deepKey)).encode();
        QueryResult later = ex.execute(QueryParser.parse(qj.deepCopy().put("cursor", deep)), ns);
        assertThat(later.plan().access()).isEqualTo("index-scan");
        assertThat(later.rows()).hasSize(10);
        String firstRow = new String(later.rows().getFirst().key(), StandardCharsets.UTF_8);
        assertThat(rev ? firstRow.compareTo(deepKey) < 0 : firstRow.compareTo(deepKey) > 0).as(text).isTrue();
        assertThat(later.examined()).as("%s: entries examined after a deep cursor (first page: %d)", text, first.examined())
            .isLessThanOrEqualTo(first.examined() + 10).isLessThan(150);
      }
    }
  }
}
