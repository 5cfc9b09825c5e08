package io.aiondb.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/**
 * What every YCSB binding must do, written once; each system is a small subclass that starts a real server process
 * (one node) and names its binding. Also runs the harness's smoke (load 200 records, then a few hundred operations
 * of workloads A and E) through YCSB's own workload and measurement classes and requires zero errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
abstract class BindingContract {
  /** The binding's class name. */
  abstract String binding();

  /** The properties that point the binding at the started server. */
  abstract Properties connection();

  private DB db;

  @BeforeEach
  void open() throws Exception {
    db = (DB) Class.forName(binding()).getDeclaredConstructor().newInstance();
    Properties p = connection();
    p.setProperty("fieldcount", "3");
    db.setProperties(p);
    db.init();
  }

  @AfterEach
  void closeBinding() throws Exception {
    db.cleanup();
  }

  private static Map<String, ByteIterator> fields(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return StringByteIterator.getByteIteratorMap(m);
  }

  private Map<String, String> read(String table, String key, Set<String> fields) {
    Map<String, ByteIterator> out = new HashMap<>();
    Status s = db.read(table, key, fields, out);
    assertThat(s).as("read %s", key).isEqualTo(Status.OK);
    return StringByteIterator.getStringMap(out);
  }

  @Test
  void insertReadUpdateScanDelete() {
    String t = "contract";
    for (String k : List.of("k1", "k2", "k3", "k4")) {
      assertThat(db.insert(t, k, fields("id", k, "a", "a-" + k, "b", "quote \" and \\ backslash"))).isEqualTo(Status.OK);
    }
    assertThat(read(t, "k2", null)).containsExactlyInAnyOrderEntriesOf(
        Map.of("id", "k2", "a", "a-k2", "b", "quote \" and \\ backslash"));
    assertThat(read(t, "k2", Set.of("a"))).containsExactlyEntriesOf(Map.of("a", "a-k2"));

    assertThat(db.update(t, "k2", fields("a", "changed"))).isEqualTo(Status.OK); // one field: the others stay
    assertThat(read(t, "k2", null)).containsEntry("a", "changed").containsEntry("id", "k2").containsEntry("b", "quote \" and \\ backslash");
    assertThat(db.update(t, "k3", fields("id", "k3", "a", "all", "b", "new"))).isEqualTo(Status.OK); // every field
    assertThat(read(t, "k3", null)).containsExactlyInAnyOrderEntriesOf(Map.of("id", "k3", "a", "all", "b", "new"));

    Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
    assertThat(db.scan(t, "k2", 2, null, rows)).isEqualTo(Status.OK);
    assertThat(rows).extracting(r -> r.get("id").toString()).containsExactly("k2", "k3"); // key order, limited
    rows.clear();
    assertThat(db.scan(t, "k3", 10, Set.of("id"), rows)).isEqualTo(Status.OK);
    assertThat(rows).extracting(r -> r.get("id").toString()).containsExactly("k3", "k4"); // stops at the table's end
    assertThat(rows.getFirst()).containsOnlyKeys("id");

    assertThat(db.delete(t, "k1")).isEqualTo(Status.OK);
    assertThat(db.read(t, "k1", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    assertThat(db.delete(t, "k1")).isEqualTo(Status.NOT_FOUND);
    rows.clear();
    assertThat(db.scan(t, "k0", 10, null, rows)).isEqualTo(Status.OK);
    assertThat(rows).extracting(r -> r.get("id").toString()).containsExactly("k2", "k3", "k4");
  }

  @Test
  void smokeRunOfWorkloadsAAndEHasNoErrors() throws Exception {
    Properties base = PeersBench.baseProperties(binding(), "1k", 200, connection());
    base.setProperty("table", "smoke");
    YcsbPhase.Result load = YcsbPhase.run(with(base, "a"), true, 4, 200, 0);
    assertThat(load.errors()).isEmpty();
    assertThat(load.opsDone()).isEqualTo(200);
    for (String w : List.of("a", "e")) {
      YcsbPhase.Result r = YcsbPhase.run(with(base, w), false, 2, 300, 0);
      assertThat(r.errors()).as("workload %s", w).isEmpty();
      assertThat(r.opsDone()).isEqualTo(300);
      assertThat(r.ops()).allSatisfy(op -> assertThat(op.p999us()).isPositive());
    }
  }

  private static Properties with(Properties base, String workload) throws Exception {
    Properties p = new Properties();
    p.putAll(PeersBench.workload(workload));
    p.putAll(base);
    return p;
  }
}
