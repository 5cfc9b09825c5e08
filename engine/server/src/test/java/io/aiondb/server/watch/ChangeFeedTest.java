package io.aiondb.server.watch;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import io.aiondb.server.state.TxnOp;
import io.aiondb.server.storage.ContentType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeFeedTest {
  @TempDir Path dir;

  private static List<String> flatten(ChangeFeed.Page p) {
    List<String> out = new ArrayList<>();
    for (ChangeFeed.Revision r : p.revisions()) {
      for (WatchEvent e : r.events()) {
        out.add(r.revision() + ":" + new String(e.key()) + "=" + (e.deleted() ? "<deleted>" : new String(e.version().value())));
      }
    }
    return out;
  }

  private static ChangeFeed.Page readAll(ChangeFeed feed, StoreHarness h, WatchSpec spec, long from, int step) {
    int id = feed.check(spec, from);
    List<ChangeFeed.Revision> all = new ArrayList<>();
    long next = from;
    long last = h.store.appliedRevision();
    while (next <= last) {
      ChangeFeed.Page p = feed.read(spec, id, next, last, step);
      all.addAll(p.revisions());
      assertThat(p.next()).isGreaterThan(next);
      next = p.next();
    }
    return new ChangeFeed.Page(all, next);
  }

  @Test
  void prefixAndKeyWatchesSeeEveryChangeInRevisionOrder() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("other"), 1);
      h.put("a", "p/1", "x", 2);                 // 1
      h.put("other", "p/1", "not mine", 2);      // 2
      h.put("a", "q", "outside", 2);             // 3
      h.apply(new Command.Txn(List.of(), List.of(
          new TxnOp.Put("a", b("p/2"), b("y"), ContentType.TEXT),
          new TxnOp.Put("a", b("p/1"), b("x2"), ContentType.TEXT)), List.of()), 3); // 4, both keys
      h.delete("a", "p/2", 4);                    // 5
      ChangeFeed feed = new ChangeFeed(h.store);
      WatchSpec prefix = new WatchSpec("a", b("p/"), true, 1);
      assertThat(flatten(readAll(feed, h, prefix, 1, 100)))
          .containsExactly("1:p/1=x", "4:p/1=x2", "4:p/2=y", "5:p/2=<deleted>");
      // a revision is never split, even with a step of one event
      ChangeFeed.Page first = feed.read(prefix, feed.check(prefix, 4), 4, 5, 1);
      assertThat(flatten(first)).containsExactly("4:p/1=x2", "4:p/2=y");
      assertThat(first.next()).isEqualTo(5);
      WatchSpec key = new WatchSpec("a", b("p/1"), false, 2);
      assertThat(flatten(readAll(feed, h, key, 2, 100))).containsExactly("4:p/1=x2");
      WatchSpec all = new WatchSpec("a", b(""), true, 0);
      assertThat(flatten(readAll(feed, h, all, 1, 2))).hasSize(5);
    }
  }

  @Test
  void resumingFromAnyRevisionMissesNothingAndRepeatsNothing() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      Random r = new Random(7);
      for (int i = 0; i < 300; i++) {
        if (r.nextInt(4) == 0) h.delete("a", "k" + r.nextInt(20), i);
        else h.put("a", "k" + r.nextInt(20), "v" + i, i);
      }
      ChangeFeed feed = new ChangeFeed(h.store);
      WatchSpec spec = new WatchSpec("a", b("k1"), true, 1);
      List<String> whole = flatten(readAll(feed, h, spec, 1, 1000));
      List<String> pieces = new ArrayList<>();
      long next = 1;
      while (next <= h.store.appliedRevision()) {
        ChangeFeed.Page p = feed.read(spec, feed.check(spec, next), next, h.store.appliedRevision(), 1 + r.nextInt(5));
        pieces.addAll(flatten(p));
        next = p.next();
      }
      assertThat(pieces).isEqualTo(whole);
    }
  }

  @Test
  void compactedStartIsRefusedAndDropEndsTheWatch() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "k", "1", 2); // 1
      h.put("a", "k", "2", 3); // 2
      h.put("a", "k", "3", 4); // 3
      h.apply(new Command.Compact("a", new byte[0], 100, 1, Long.MIN_VALUE), 5); // keeps only revision 3
      ChangeFeed feed = new ChangeFeed(h.store);
      WatchSpec spec = new WatchSpec("a", b("k"), false, 2);
      assertThatThrownBy(() -> feed.check(spec, 2)).isInstanceOfSatisfying(AionException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_COMPACTED);
        assertThat(e.getMessage()).contains("oldest revision a watch can start from is 3");
      });
      assertThat(flatten(readAll(feed, h, new WatchSpec("a", b(""), true, 3), 3, 10))).containsExactly("3:k=3");
      int id = feed.check(spec, 3);
      h.apply(new Command.DropNamespace("a"), 6);
      h.apply(new Command.CreateNamespace("a"), 7); // same name, new namespace: the old watch must not see it
      assertThatThrownBy(() -> feed.read(spec, id, 3, 10, 10)).isInstanceOfSatisfying(AionException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND));
    }
  }

  @Test
  void badSpecsAreRefused() {
    assertThatThrownBy(() -> new WatchSpec("a", b(""), false, 0)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> new WatchSpec("a", new byte[300], true, 0)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> new WatchSpec("a", b("k"), false, -1)).isInstanceOf(AionException.class);
    assertThatThrownBy(() -> new WatchSpec("Bad", b("k"), false, 0)).isInstanceOf(AionException.class);
  }

  /**
   * A step is bounded in bytes and, for a prefix, in entries examined: large values end a step early (whole
   * revisions, at least one), and a busy namespace whose changes do not match ends a step without a result instead
   * of scanning everything at once; paging on still delivers exactly every matching change.
   */
  @Test
  void aStepIsBoundedInBytesAndExaminedEntries() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("w"), 1);
      byte[] big = new byte[3 << 20];
      for (int i = 0; i < 4; i++) h.apply(new Command.Put("w", b("big"), big, ContentType.OCTET_STREAM, -1), 2);
      ChangeFeed feed = new ChangeFeed(h.store);
      WatchSpec key = new WatchSpec("w", b("big"), false, 1);
      ChangeFeed.Page first = feed.read(key, feed.check(key, 1), 1, h.store.appliedRevision(), 512);
      assertThat(first.revisions()).as("4 MiB per step: two 3 MiB versions").hasSize(2);
      WatchSpec pfx = new WatchSpec("w", b("b"), true, 1);
      ChangeFeed.Page firstPrefix = feed.read(pfx, feed.check(pfx, 1), 1, h.store.appliedRevision(), 512);
      assertThat(firstPrefix.revisions()).hasSize(2);
      assertThat(flatten(readAll(feed, h, key, 1, 512))).hasSize(4);

      int noise = ChangeFeed.STEP_MAX_EXAMINED + 100;
      for (int i = 0; i < noise; i++) h.put("w", "other/" + i, "x", 3);
      h.put("w", "wanted/1", "y", 4);
      WatchSpec wanted = new WatchSpec("w", b("wanted/"), true, 5);
      ChangeFeed.Page step = feed.read(wanted, feed.check(wanted, 5), 5, h.store.appliedRevision(), 512);
      assertThat(step.revisions()).as("the step ended after examining its maximum").isEmpty();
      assertThat(step.next()).isEqualTo(5 + ChangeFeed.STEP_MAX_EXAMINED);
      assertThat(flatten(readAll(feed, h, wanted, 5, 512))).containsExactly((5 + noise) + ":wanted/1=y");
    }
  }
}
