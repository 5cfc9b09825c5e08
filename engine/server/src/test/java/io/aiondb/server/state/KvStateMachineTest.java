package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.VersionRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStateMachineTest {
  @TempDir Path dir;

  @Test
  void versionsRevisionsAndTombstones() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("app"), 1000);
      var w1 = h.put("app", "k", "a", 1001);
      var w2 = h.put("app", "k", "b", 1002);
      assertThat(w1.revision()).isEqualTo(1);
      assertThat(w2.revision()).isEqualTo(2);
      assertThat(w2.createRevision()).isEqualTo(1);
      assertThat(w2.version()).isEqualTo(2);
      var d = h.delete("app", "k", 1003);
      assertThat(d.existed()).isTrue();
      assertThat(d.revision()).isEqualTo(3);
      assertThat(h.delete("app", "k", 1004).existed()).isFalse();
      var w4 = h.put("app", "k", "c", 1005);
      assertThat(w4.revision()).isEqualTo(4);
      assertThat(w4.createRevision()).isEqualTo(4);
      assertThat(w4.version()).isEqualTo(1);

      NamespaceInfo ns = h.store.requireNamespace("app");
      assertThat(h.store.getCurrent(ns.id(), b("k")).orElseThrow().value()).isEqualTo(b("c"));
      assertThat(h.store.getAt(ns, b("k"), 1).orElseThrow().value()).isEqualTo(b("a"));
      assertThat(h.store.getAt(ns, b("k"), 2).orElseThrow().value()).isEqualTo(b("b"));
      assertThat(h.store.getAt(ns, b("k"), 3)).isEmpty();
      assertThatThrownBy(() -> h.store.getAt(ns, b("k"), 5))
          .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FUTURE_REVISION));

      List<VersionRecord> hist = h.store.history(ns.id(), b("k"), Long.MAX_VALUE, 10);
      assertThat(hist).extracting(VersionRecord::revision).containsExactly(4L, 3L, 2L, 1L);
      assertThat(hist.get(1).tombstone()).isTrue();
      assertThat(hist.get(0).prevRevision()).isEqualTo(3);
      assertThat(hist.get(0).timestampMillis()).isEqualTo(1005);
      assertThat(h.store.appliedRevision()).isEqualTo(4);
    }
  }

  @Test
  void compareAndSet() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("app"), 1);
      var created = h.apply(new Command.Put("app", b("k"), b("1"), ContentType.TEXT, 0), 2);
      assertThat(created).isInstanceOf(ApplyResult.Written.class);
      var again = h.apply(new Command.Put("app", b("k"), b("2"), ContentType.TEXT, 0), 3);
      assertThat(again).isInstanceOfSatisfying(ApplyResult.Rejected.class, r -> assertThat(r.code()).isEqualTo(ErrorCode.REVISION_MISMATCH));
      var stale = h.apply(new Command.Put("app", b("k"), b("2"), ContentType.TEXT, 99), 4);
      assertThat(stale).isInstanceOf(ApplyResult.Rejected.class);
      var ok = h.apply(new Command.Put("app", b("k"), b("2"), ContentType.TEXT, 1), 5);
      assertThat(ok).isInstanceOf(ApplyResult.Written.class);
      assertThat(h.apply(new Command.Delete("app", b("k"), 1), 6)).isInstanceOf(ApplyResult.Rejected.class);
      assertThat(h.apply(new Command.Delete("app", b("k"), 2), 7)).isInstanceOf(ApplyResult.Deleted.class);
      assertThat(h.store.appliedRevision()).isEqualTo(3); // rejected commands consume no revision
    }
  }

  @Test
  void namespacesAreIsolatedAndDropRemovesEverything() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("b"), 1);
      assertThat(((ApplyResult.NamespaceCreated) h.apply(new Command.CreateNamespace("a"), 2)).created()).isFalse();
      h.put("a", "k", "in-a", 3);
      h.put("b", "k", "in-b", 3);
      assertThat(h.apply(new Command.Put("zzz", b("k"), b("v"), ContentType.TEXT, -1), 3))
          .isInstanceOfSatisfying(ApplyResult.Rejected.class, r -> assertThat(r.code()).isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND));
      int aId = h.store.requireNamespace("a").id();
      assertThat(((ApplyResult.NamespaceDropped) h.apply(new Command.DropNamespace("a"), 4)).existed()).isTrue();
      assertThat(h.store.namespace("a")).isEmpty();
      assertThat(h.store.getCurrent(aId, b("k"))).isEmpty();
      assertThat(h.store.history(aId, b("k"), Long.MAX_VALUE, 10)).isEmpty();
      NamespaceInfo nb = h.store.requireNamespace("b");
      assertThat(h.store.getCurrent(nb.id(), b("k")).orElseThrow().value()).isEqualTo(b("in-b"));
      h.apply(new Command.CreateNamespace("a"), 5);
      assertThat(h.store.requireNamespace("a").id()).isNotEqualTo(aId); // a new id: nothing old can leak back
    }
  }

  @Test
  void cacheNeverServesAValueOlderThanTheLastCommit() {
    try (StoreHarness h = new StoreHarness(dir, 1 << 20)) {
      h.apply(new Command.CreateNamespace("app"), 1);
      int id = h.store.requireNamespace("app").id();
      for (int i = 0; i < 200; i++) {
        h.put("app", "k", "v" + i, 2 + i);
        // the first read after a commit loads the value, the second is served by the cache: both must be current
        assertThat(h.store.getCurrent(id, b("k")).orElseThrow().value()).isEqualTo(b("v" + i));
        assertThat(h.store.getCurrent(id, b("k")).orElseThrow().value()).isEqualTo(b("v" + i));
      }
      h.delete("app", "k", 500);
      assertThat(h.store.getCurrent(id, b("k"))).isEmpty();
      assertThat(h.store.getCurrent(id, b("k"))).isEmpty();
      // the reads above really went through the cache (else this test could not see a stale entry)
      assertThat(h.store.cache().stats().hitCount()).isGreaterThanOrEqualTo(200);
    }
  }

  @Test
  void stateSurvivesReopen() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("app"), 1);
      h.put("app", "k", "v", 2);
    }
    try (StoreHarness h = new StoreHarness(dir)) {
      assertThat(h.store.appliedRevision()).isEqualTo(1);
      assertThat(h.store.appliedIndex()).isEqualTo(2);
      NamespaceInfo ns = h.store.requireNamespace("app");
      assertThat(h.store.getCurrent(ns.id(), b("k")).orElseThrow().value()).isEqualTo(b("v"));
      assertThat(h.put("app", "k", "w", 3).revision()).isEqualTo(2);
    }
  }

  /** Same entries, same order, two fresh stores: identical results and identical bytes on disk. */
  @Test
  void applyIsDeterministic(@TempDir Path other) {
    List<Command> cmds = new ArrayList<>();
    Random r = new Random(1234);
    cmds.add(new Command.CreateNamespace("x"));
    for (int i = 0; i < 400; i++) {
      byte[] key = b("k" + r.nextInt(30));
      switch (r.nextInt(6)) {
        case 0 -> cmds.add(new Command.Delete("x", key, -1));
        case 1 -> cmds.add(new Command.Put("x", key, b("v" + i), ContentType.TEXT, r.nextInt(3) - 1));
        case 2 -> cmds.add(new Command.Compact("x", new byte[0], 7, 2, 100 + i));
        case 5 -> cmds.add(new Command.Txn(
            List.of(Compare.numeric("x", key, Compare.Target.VERSION, Compare.Op.GT, r.nextInt(3))),
            List.of(new TxnOp.Put("x", key, b("t" + i), ContentType.TEXT), new TxnOp.Delete("x", b("k" + ((Integer.parseInt(new String(key).substring(1)) + 1) % 30)))),
            List.of(new TxnOp.Range("x", b("k1"), b("k3"), 5))));
        default -> cmds.add(new Command.Put("x", key, b("v" + i), ContentType.TEXT, -1));
      }
    }
    List<String> ra = run(dir, cmds);
    List<String> rb = run(other, cmds);
    assertThat(rb).isEqualTo(ra);
  }

  private static List<String> run(Path d, List<Command> cmds) {
    List<String> out = new ArrayList<>();
    try (StoreHarness h = new StoreHarness(d)) {
      long ts = 100;
      for (Command c : cmds) {
        ApplyResult res = h.apply(c, ts++);
        out.add(switch (res) {
          case ApplyResult.Compacted cp -> "compacted " + cp.keysScanned() + " " + cp.versionsRemoved();
          case ApplyResult.TxnDone t -> java.util.Arrays.toString(io.aiondb.server.consensus.raft.ApplyResultCodec.encode(t));
          default -> res.toString();
        });
      }
      NamespaceInfo ns = h.store.requireNamespace("x");
      for (int k = 0; k < 30; k++) {
        for (VersionRecord v : h.store.history(ns.id(), b("k" + k), Long.MAX_VALUE, 1000)) {
          out.add("k" + k + "@" + v.revision() + ":" + java.util.Arrays.toString(v.encode()));
        }
      }
    }
    return out;
  }

  @Test
  void groupedCommandsSeeEachOthersWrites() {
    try (StoreHarness h = new StoreHarness(dir)) {
      try (Batch batch = h.store.newBatch()) {
        h.sm.apply(new LogEntry(1, 10, new Command.CreateNamespace("g")), batch);
        var w1 = (ApplyResult.Written) h.sm.apply(new LogEntry(2, 11, new Command.Put("g", b("k"), b("1"), ContentType.TEXT, 0)), batch);
        var w2 = (ApplyResult.Written) h.sm.apply(new LogEntry(3, 12, new Command.Put("g", b("k"), b("2"), ContentType.TEXT, w1.revision())), batch);
        assertThat(w2.version()).isEqualTo(2);
        assertThat(h.sm.apply(new LogEntry(4, 13, new Command.Put("g", b("k"), b("3"), ContentType.TEXT, 0)), batch))
            .isInstanceOf(ApplyResult.Rejected.class);
        h.store.commit(batch);
      }
      assertThat(h.store.appliedRevision()).isEqualTo(2);
      assertThat(h.store.appliedIndex()).isEqualTo(4);
    }
  }
}
