package io.aiondb.server.state;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.VersionRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  @TempDir Path dir;

  private static List<Long> revs(StoreHarness h, String key) {
    NamespaceInfo ns = h.store.requireNamespace("r");
    return h.store.history(ns.id(), b(key), Long.MAX_VALUE, 1000).stream().map(VersionRecord::revision).toList();
  }

  private static ApplyResult.Compacted compact(StoreHarness h, int keep, long cutoff, int chunk) {
    byte[] from = new byte[0];
    ApplyResult.Compacted last = null;
    long removed = 0;
    int keys = 0;
    while (from != null) {
      last = (ApplyResult.Compacted) h.apply(new Command.Compact("r", from, chunk, keep, cutoff), 0);
      removed += last.versionsRemoved();
      keys += last.keysScanned();
      from = last.nextKey();
    }
    return new ApplyResult.Compacted(keys, removed, null);
  }

  @Test
  void keepsTheNewestNVersionsPerKeyInChunks() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("r"), 0);
      for (int i = 0; i < 10; i++) for (String k : List.of("a", "b", "c")) h.put("r", k, k + i, 100 + i);
      var c = compact(h, 3, Long.MIN_VALUE, 2);
      assertThat(c.keysScanned()).isEqualTo(3);
      assertThat(c.versionsRemoved()).isEqualTo(21);
      assertThat(revs(h, "a")).containsExactly(28L, 25L, 22L);
      NamespaceInfo ns = h.store.requireNamespace("r");
      // reading inside the retained window works; before it is reported, never answered wrongly
      assertThat(h.store.getAt(ns, b("a"), 23).orElseThrow().value()).isEqualTo(b("a7"));
      assertThatThrownBy(() -> h.store.getAt(ns, b("a"), 21))
          .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_COMPACTED));
      assertThat(compact(h, 3, Long.MIN_VALUE, 100).versionsRemoved()).isZero(); // idempotent
    }
  }

  @Test
  void keepsVersionsSupersededAfterTheCutoff() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("r"), 0);
      h.put("r", "k", "v1", 100); // rev 1, superseded at 200
      h.put("r", "k", "v2", 200); // rev 2, superseded at 300
      h.put("r", "k", "v3", 300); // rev 3, current
      compact(h, 0, 250, 10);
      assertThat(revs(h, "k")).containsExactly(3L, 2L);
      compact(h, 0, 10_000, 10);
      assertThat(revs(h, "k")).containsExactly(3L); // the current version is always kept
    }
  }

  @Test
  void eitherLimitKeepsAVersion() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("r"), 0);
      for (int i = 1; i <= 6; i++) h.put("r", "k", "v" + i, i * 100L);
      compact(h, 2, 250, 10); // count keeps revs 6,5; time keeps those superseded at >= 250: revs 2..5
      assertThat(revs(h, "k")).containsExactly(6L, 5L, 4L, 3L, 2L);
    }
  }

  @Test
  void deletedKeysAreCollectedAfterTheCutoffAndOldScansAreRefused() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("r"), 0);
      h.put("r", "gone", "x", 100); // rev 1
      h.delete("r", "gone", 200); // rev 2
      h.put("r", "live", "y", 300); // rev 3
      compact(h, 1, 150, 10); // rev 1 was current until 200, after the cutoff: both stay
      assertThat(revs(h, "gone")).containsExactly(2L, 1L);
      compact(h, 1, 1000, 10);
      assertThat(revs(h, "gone")).isEmpty();
      NamespaceInfo ns = h.store.requireNamespace("r");
      assertThat(ns.gcRevision()).isEqualTo(2);
      assertThat(h.store.getCurrent(ns.id(), b("gone"))).isEmpty();
      assertThatThrownBy(() -> h.store.getAt(ns, b("gone"), 1))
          .isInstanceOfSatisfying(AionException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.HISTORY_COMPACTED));
      assertThat(h.store.getAt(ns, b("live"), 3)).isPresent();
      // a new put of a collected key starts a fresh history
      var w = h.put("r", "gone", "again", 2000);
      assertThat(w.version()).isEqualTo(1);
    }
  }

  @Test
  void noPolicyKeepsEverything() {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("r"), 0);
      for (int i = 0; i < 5; i++) h.put("r", "k", "v" + i, i);
      assertThat(compact(h, 0, Long.MIN_VALUE, 10).versionsRemoved()).isZero();
      assertThat(revs(h, "k")).hasSize(5);
    }
  }
}
