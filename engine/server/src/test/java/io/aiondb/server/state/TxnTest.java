package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.raft.ApplyResultCodec;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.NamespaceInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TxnTest {
  @TempDir Path dir;

  private static TxnOp.Put put(String ns, String k, String v) {
    return new TxnOp.Put(ns, b(k), b(v), ContentType.TEXT);
  }

  private static ApplyResult.TxnDone txn(StoreHarness h, List<Compare> cmp, List<TxnOp> ok, List<TxnOp> fail, long ts) {
    ApplyResult r = h.apply(new Command.Txn(cmp, ok, fail), ts);
    assertThat(r).isInstanceOf(ApplyResult.TxnDone.class);
    // what the leader sends back decodes to the same answer
    assertThat(ApplyResultCodec.decode(ApplyResultCodec.encode(r)).toString().replaceAll("\\[B@\\w+", ""))
        .isEqualTo(r.toString().replaceAll("\\[B@\\w+", ""));
    return (ApplyResult.TxnDone) r;
  }

  @Test
  void allWritesShareOneRevisionAcrossNamespaces() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("b"), 1);
      h.put("a", "x", "0", 2); // revision 1
      var t = txn(h, List.of(), List.of(put("a", "x", "1"), put("b", "y", "2"), new TxnOp.Delete("a", b("absent"))), List.of(), 3);
      assertThat(t.succeeded()).isTrue();
      assertThat(t.revision()).isEqualTo(2);
      assertThat(t.results()).containsExactly(
          new ApplyResult.OpResult.Put(2, 1, 2), new ApplyResult.OpResult.Put(2, 2, 1), new ApplyResult.OpResult.Delete(false));
      NamespaceInfo a = h.store.requireNamespace("a");
      NamespaceInfo bns = h.store.requireNamespace("b");
      assertThat(h.store.getAt(a, b("x"), 1).orElseThrow().value()).isEqualTo(b("0"));
      assertThat(h.store.getAt(a, b("x"), 2).orElseThrow().value()).isEqualTo(b("1"));
      assertThat(h.store.getAt(bns, b("y"), 2).orElseThrow().value()).isEqualTo(b("2"));
      assertThat(h.store.appliedRevision()).isEqualTo(2);
    }
  }

  @Test
  void comparesChooseTheBranch() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      var w = h.put("a", "k", "hello", 2);
      Compare modEq = Compare.numeric("a", b("k"), Compare.Target.MOD_REVISION, Compare.Op.EQ, w.revision());
      Compare absent = Compare.numeric("a", b("missing"), Compare.Target.VERSION, Compare.Op.EQ, 0);
      Compare valueEq = Compare.value("a", b("k"), Compare.Op.EQ, b("hello"));
      Compare valueGt = Compare.value("a", b("k"), Compare.Op.GT, b("hallo"));
      Compare valueOfAbsent = Compare.value("a", b("missing"), Compare.Op.NE, b("x"));
      Compare createLt = Compare.numeric("a", b("k"), Compare.Target.CREATE_REVISION, Compare.Op.LT, 2);
      assertThat(txn(h, List.of(modEq, absent, valueEq, valueGt, createLt), List.of(), List.of(), 3).succeeded()).isTrue();
      assertThat(txn(h, List.of(modEq, valueOfAbsent), List.of(), List.of(), 3).succeeded()).isFalse();

      var failed = txn(h, List.of(Compare.numeric("a", b("k"), Compare.Target.VERSION, Compare.Op.GT, 5)),
          List.of(put("a", "k", "never")), List.of(new TxnOp.Get("a", b("k")), new TxnOp.Get("a", b("missing"))), 4);
      assertThat(failed.succeeded()).isFalse();
      assertThat(failed.revision()).isEqualTo(1); // wrote nothing
      assertThat(((ApplyResult.OpResult.Get) failed.results().get(0)).version().value()).isEqualTo(b("hello"));
      assertThat(((ApplyResult.OpResult.Get) failed.results().get(1)).version()).isNull();
      assertThat(h.store.getCurrent(h.store.requireNamespace("a").id(), b("k")).orElseThrow().value()).isEqualTo(b("hello"));
    }
  }

  @Test
  void readsInABranchSeeItsEarlierWrites() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "p/1", "one", 2);
      h.put("a", "p/2", "two", 2);
      h.put("a", "p/3", "three", 2);
      h.put("a", "q", "other", 2);
      var t = txn(h, List.of(), List.of(
          new TxnOp.Delete("a", b("p/2")), put("a", "p/25", "new"), new TxnOp.Get("a", b("p/25")),
          new TxnOp.Range("a", b("p/"), b("p0"), 10), new TxnOp.Range("a", b("p/"), b("p0"), 2)), List.of(), 3);
      var get = (ApplyResult.OpResult.Get) t.results().get(2);
      assertThat(get.version().value()).isEqualTo(b("new"));
      var all = (ApplyResult.OpResult.Range) t.results().get(3);
      assertThat(all.items()).extracting(kv -> new String(kv.key())).containsExactly("p/1", "p/25", "p/3");
      assertThat(all.more()).isFalse();
      var two = (ApplyResult.OpResult.Range) t.results().get(4);
      assertThat(two.items()).extracting(kv -> new String(kv.key())).containsExactly("p/1", "p/25");
      assertThat(two.more()).isTrue();
    }
  }

  @Test
  void missingNamespaceRejectsTheWholeTransaction() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      var r = h.apply(new Command.Txn(List.of(), List.of(put("a", "k", "v"), put("nope", "k", "v")), List.of()), 2);
      assertThat(r).isInstanceOfSatisfying(ApplyResult.Rejected.class,
          x -> assertThat(x.code()).isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND));
      assertThat(h.store.getCurrent(h.store.requireNamespace("a").id(), b("k"))).isEmpty();
      assertThat(h.store.appliedRevision()).isZero();
    }
  }

  @Test
  void badTransactionsAreRefusedBeforeTheLog() {
    assertThatThrownBy(() -> new Command.Txn(List.of(), List.of(put("a", "k", "1"), new TxnOp.Delete("a", b("k"))), List.of()))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.getMessage()).contains("more than once"));
    List<TxnOp> many = new ArrayList<>();
    for (int i = 0; i <= Command.MAX_TXN_OPS; i++) many.add(new TxnOp.Get("a", b("k" + i)));
    assertThatThrownBy(() -> new Command.Txn(List.of(), many, List.of())).hasMessageContaining("at most");
    assertThatThrownBy(() -> new TxnOp.Range("a", b(""), null, 0)).hasMessageContaining("limit");
    assertThatThrownBy(() -> Compare.numeric("a", b("k"), Compare.Target.VERSION, Compare.Op.EQ, -1)).isInstanceOf(AionException.class);
    byte[] big = new byte[3 * 1024 * 1024];
    assertThatThrownBy(() -> new Command.Txn(List.of(), List.of(new TxnOp.Put("a", b("1"), big, ContentType.OCTET_STREAM),
        new TxnOp.Put("a", b("2"), big, ContentType.OCTET_STREAM)), List.of()))
        .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALUE_TOO_LARGE));
  }

  @Test
  void codecRoundTripsAndRevalidates() {
    Command.Txn t = new Command.Txn(
        List.of(Compare.value("a", new byte[] {0, 1}, Compare.Op.NE, new byte[] {9}),
            Compare.numeric("b", b("k"), Compare.Target.MOD_REVISION, Compare.Op.LT, 77)),
        List.of(put("a", "k", "v"), new TxnOp.Delete("b", b("d")), new TxnOp.Range("a", b(""), null, 5)),
        List.of(new TxnOp.Get("a", b("g")), new TxnOp.Range("a", b("a"), b("b"), 1000)));
    Command back = CommandCodec.decode(CommandCodec.encode(t));
    assertThat(back).isEqualTo(t);
    byte[] bytes = CommandCodec.encode(t);
    java.util.Arrays.fill(bytes, bytes.length - 4, bytes.length, (byte) 0); // the last range's limit becomes 0
    assertThatThrownBy(() -> CommandCodec.decode(bytes)).isInstanceOf(RuntimeException.class);
  }

  /** Bank transfers as transactions: the total never changes, and a transfer whose compare fails changes nothing. */
  @Test
  void transfersKeepTheTotal() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("bank"), 1);
      int accounts = 8;
      for (int i = 0; i < accounts; i++) h.put("bank", "acct" + i, "100", 2);
      Random r = new Random(42);
      Map<String, Long> seen = new HashMap<>(); // a client's stale view of mod revisions
      NamespaceInfo ns = h.store.requireNamespace("bank");
      for (int i = 0; i < 500; i++) {
        String from = "acct" + r.nextInt(accounts);
        String to = "acct" + r.nextInt(accounts);
        if (from.equals(to)) continue;
        var fv = h.store.getCurrent(ns.id(), b(from)).orElseThrow();
        var tv = h.store.getCurrent(ns.id(), b(to)).orElseThrow();
        long fRev = r.nextInt(4) == 0 && seen.containsKey(from) ? seen.get(from) : fv.revision(); // sometimes stale
        seen.put(from, fv.revision());
        int amount = r.nextInt(20);
        long fb = Long.parseLong(new String(fv.value()));
        long tb = Long.parseLong(new String(tv.value()));
        txn(h, List.of(Compare.numeric("bank", b(from), Compare.Target.MOD_REVISION, Compare.Op.EQ, fRev),
                Compare.numeric("bank", b(to), Compare.Target.MOD_REVISION, Compare.Op.EQ, tv.revision())),
            List.of(put("bank", from, Long.toString(fb - amount)), put("bank", to, Long.toString(tb + amount))),
            List.of(), 3 + i);
      }
      long total = 0;
      for (int i = 0; i < accounts; i++) {
        total += Long.parseLong(new String(h.store.getCurrent(ns.id(), b("acct" + i)).orElseThrow().value()));
      }
      assertThat(total).isEqualTo(100L * accounts);
    }
  }
}
