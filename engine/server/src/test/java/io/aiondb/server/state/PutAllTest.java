package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.raft.ApplyResultCodec;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch write command: its validation, its log form, and how it is applied (all or nothing, one revision). */
class PutAllTest {
  @TempDir Path dir;

  private static Command.PutAll.Item text(String k, String v) {
    return new Command.PutAll.Item(b(k), b(v), ContentType.TEXT);
  }

  private static Command.PutAll.Item json(String k, String v) {
    return new Command.PutAll.Item(b(k), b(v), ContentType.JSON);
  }

  private static List<Command.PutAll.Item> texts(int n, String prefix) {
    List<Command.PutAll.Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) items.add(text(prefix + i, "v" + i));
    return items;
  }

  private static AionException refused(Runnable r) {
    try {
      r.run();
    } catch (AionException e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  @Test
  void roundTripsThroughTheLogForm() {
    Command.PutAll c = new Command.PutAll("orders", List.of(text("a", "1"), json("b", "{\"x\":2}"),
        new Command.PutAll.Item(new byte[] {0, (byte) 0xFF}, new byte[] {7, 8, 9}, ContentType.OCTET_STREAM),
        new Command.PutAll.Item(b("empty"), new byte[0], ContentType.OCTET_STREAM)));
    byte[] encoded = CommandCodec.encode(c);
    Command.PutAll back = (Command.PutAll) CommandCodec.decode(encoded);
    assertThat(back.namespace()).isEqualTo("orders");
    assertThat(back.items()).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(back.items().get(i).key()).isEqualTo(c.items().get(i).key());
      assertThat(back.items().get(i).value()).isEqualTo(c.items().get(i).value());
      assertThat(back.items().get(i).contentType()).isEqualTo(c.items().get(i).contentType());
    }
    assertThat(CommandCodec.encode(back)).isEqualTo(encoded);
    // truncated or with a count over the limit: not a command
    assertThatThrownBy(() -> CommandCodec.decode(java.util.Arrays.copyOf(encoded, encoded.length - 2)))
        .isInstanceOf(RuntimeException.class);
    byte[] huge = encoded.clone();
    int countAt = 2 + 2 + "orders".length();
    huge[countAt] = 0x7F; // count ~2^31
    assertThatThrownBy(() -> CommandCodec.decode(huge)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch size");
  }

  @Test
  void refusesWhatASinglePutWouldAndTheBatchLimits() {
    assertThat(refused(() -> new Command.PutAll("ns", List.of())).getMessage()).contains("at least one item");
    AionException tooMany = refused(() -> new Command.PutAll("ns", texts(Command.MAX_BATCH_ITEMS + 1, "k")));
    assertThat(tooMany.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(tooMany.getMessage()).contains("at most 10000 items, not 10001");
    new Command.PutAll("ns", texts(Command.MAX_BATCH_ITEMS, "k")); // the limit is inclusive

    List<Command.PutAll.Item> items = texts(7, "k");
    items.add(new Command.PutAll.Item(new byte[0], b("v"), ContentType.TEXT));
    AionException emptyKey = refused(() -> new Command.PutAll("ns", items));
    assertThat(emptyKey.code()).isEqualTo(ErrorCode.INVALID_KEY);
    assertThat(emptyKey.getMessage()).startsWith("item 7: key must not be empty");

    List<Command.PutAll.Item> dup = texts(5, "k");
    dup.add(text("k2", "again"));
    AionException twice = refused(() -> new Command.PutAll("ns", dup));
    assertThat(twice.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(twice.getMessage()).isEqualTo("items 2 and 5 both write key 'k2'; a batch writes a key at most once");

    List<Command.PutAll.Item> big = new ArrayList<>();
    big.add(new Command.PutAll.Item(b("a"), new byte[3 << 20], ContentType.OCTET_STREAM));
    big.add(new Command.PutAll.Item(b("b"), new byte[1 << 20], ContentType.OCTET_STREAM)); // 4 MiB + 2 key bytes
    AionException tooLarge = refused(() -> new Command.PutAll("ns", big));
    assertThat(tooLarge.code()).isEqualTo(ErrorCode.VALUE_TOO_LARGE);
    assertThat(tooLarge.getMessage()).contains("at item 1");
    big.set(1, new Command.PutAll.Item(b("b"), new byte[(1 << 20) - 2], ContentType.OCTET_STREAM));
    new Command.PutAll("ns", big); // exactly 4 MiB of keys and values

    assertThat(refused(() -> new Command.PutAll("Bad", texts(1, "k"))).code()).isEqualTo(ErrorCode.INVALID_NAMESPACE);
    List<Command.PutAll.Item> one = texts(2, "k");
    one.add(new Command.PutAll.Item(b("huge"), new byte[4 * 1024 * 1024], ContentType.OCTET_STREAM));
    AionException alone = refused(() -> new Command.PutAll("ns", one));
    assertThat(alone.code()).isEqualTo(ErrorCode.VALUE_TOO_LARGE);
    assertThat(alone.getMessage()).isEqualTo("item 2 (key 'huge'): key and value are 4194308 bytes; a batch carries at "
        + "most 4194304 bytes (4 MiB) of keys and values");
  }

  @Test
  void valuesAreCheckedAsSinglePutsAreNamingTheItem() {
    List<Command.PutAll.Item> items = new ArrayList<>();
    for (int i = 0; i < 7; i++) items.add(json("k" + i, "{\"n\":" + i + "}"));
    items.add(json("k7", "{\"n\":"));
    AionException e = refused(() -> Values.validate(new Command.PutAll("ns", items)));
    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
    assertThat(e.getMessage()).startsWith("item 7 (key 'k7'): the value is sent as JSON but is not valid JSON");

    items.set(7, new Command.PutAll.Item(b("k7"), new byte[] {(byte) 0xC3}, ContentType.TEXT));
    AionException text = refused(() -> Values.validate(new Command.PutAll("ns", items)));
    assertThat(text.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(text.getMessage()).isEqualTo("item 7 (key 'k7'): a text/plain value must be valid UTF-8");

    items.set(7, new Command.PutAll.Item(b("k7"), new byte[] {(byte) 0xC3}, ContentType.OCTET_STREAM));
    Values.validate(new Command.PutAll("ns", items)); // bytes are opaque
    assertThat(Values.contentBytes(new Command.PutAll("ns", items))).isEqualTo(7 * "{\"n\":0}".length());
  }

  @Test
  void appliesEveryKeyAtOneRevision() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "k1", "old", 2); // revision 1
      ApplyResult r = h.apply(new Command.PutAll("a", List.of(text("k1", "new"), text("k2", "x"), json("k3", "[1]"))), 3);
      assertThat(r).isEqualTo(new ApplyResult.BatchWritten(2, 3, 3));
      assertThat(ApplyResultCodec.decode(ApplyResultCodec.encode(r))).isEqualTo(r);
      NamespaceInfo ns = h.store.requireNamespace("a");
      var k1 = h.store.getCurrent(ns.id(), b("k1")).orElseThrow();
      assertThat(k1.value()).isEqualTo(b("new"));
      assertThat(k1.revision()).isEqualTo(2);
      assertThat(k1.version()).isEqualTo(2);
      assertThat(k1.createRevision()).isEqualTo(1);
      var k3 = h.store.getCurrent(ns.id(), b("k3")).orElseThrow();
      assertThat(k3.contentType()).isEqualTo(ContentType.JSON);
      assertThat(k3.revision()).isEqualTo(2);
      assertThat(k3.version()).isEqualTo(1);
      assertThat(h.store.getAt(ns, b("k1"), 1).orElseThrow().value()).isEqualTo(b("old"));
      assertThat(h.store.getAt(ns, b("k2"), 1)).isEmpty();
      assertThat(h.store.appliedRevision()).isEqualTo(2);
    }
  }

  @Test
  void aRejectedBatchWritesNothing() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("u"), 1);
      h.apply(new Command.CreateIndex("u", "email", "$.email", IndexDef.Type.STRING, true), 1);
      h.apply(new Command.PutAll("u", List.of(json("ada", "{\"email\":\"a@x\"}"))), 2); // revision 1
      // item 2 takes ada's email: the unique index refuses the whole batch, items 0 and 1 included
      ApplyResult r = h.apply(new Command.PutAll("u", List.of(json("bob", "{\"email\":\"b@x\"}"),
          json("cy", "{\"email\":\"c@x\"}"), json("dan", "{\"email\":\"a@x\"}"))), 3);
      assertThat(r).isInstanceOfSatisfying(ApplyResult.Rejected.class,
          x -> assertThat(x.code()).isEqualTo(ErrorCode.UNIQUE_VIOLATION));
      // two items of one batch with the same unique value: refused too
      ApplyResult clash = h.apply(new Command.PutAll("u", List.of(json("eve", "{\"email\":\"e@x\"}"),
          json("fay", "{\"email\":\"e@x\"}"))), 3);
      assertThat(clash).isInstanceOf(ApplyResult.Rejected.class);
      NamespaceInfo ns = h.store.requireNamespace("u");
      for (String k : List.of("bob", "cy", "dan", "eve", "fay")) assertThat(h.store.getCurrent(ns.id(), b(k))).isEmpty();
      assertThat(h.store.appliedRevision()).isEqualTo(1);

      ApplyResult missing = h.apply(new Command.PutAll("nope", texts(3, "k")), 4);
      assertThat(missing).isInstanceOfSatisfying(ApplyResult.Rejected.class,
          x -> assertThat(x.code()).isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND));
      assertThat(h.store.appliedRevision()).isEqualTo(1);
    }
  }
}
