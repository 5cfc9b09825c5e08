package io.aiondb.server.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost of an applied revision is proportional to the watches it concerns: watches that are caught up are fed
 * by one reader per applied batch, so idle watches (another namespace, another prefix) cost no reads and many
 * watches of one prefix share one read.
 */
class WatchFanoutTest {
  private static final int WATCHERS = 1_000;
  private static final int REVISIONS = 50;
  @TempDir Path dir;

  private static WatchHub hub(StoreHarness h) {
    return new WatchHub(h.store, Duration.ofSeconds(10), new WatchLimits(20_000, 20_000, 100, Duration.ofSeconds(5)));
  }

  private static List<RecordingSink> open(WatchHub hub, String ns, String prefix, int n) {
    List<RecordingSink> sinks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RecordingSink s = new RecordingSink(false);
      hub.open(new WatchSpec(ns, prefix.getBytes(), true, 0), s, "client-" + i);
      sinks.add(s);
    }
    Awaitility.await("every watch is caught up").atMost(Duration.ofSeconds(60))
        .until(() -> sinks.stream().allMatch(s -> s.lastProgress.get() >= 0));
    return sinks;
  }

  @Test
  void idleWatchesOnAnotherNamespaceCauseNoReads() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = hub(h)) {
      h.apply(new Command.CreateNamespace("busy"), 1);
      h.apply(new Command.CreateNamespace("idle"), 1);
      open(hub, "idle", "", WATCHERS);
      RecordingSink probe = open(hub, "busy", "", 1).getFirst();
      long before = hub.feedViews();
      for (int i = 0; i < REVISIONS; i++) h.put("busy", "k" + i, "v", 2);
      long last = h.store.appliedRevision();
      Awaitility.await("the watch of the busy namespace saw every revision").atMost(Duration.ofSeconds(60))
          .until(() -> probe.lastRevision.get() == last);
      Awaitility.await("the idle watches read nothing").atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(500))
          .until(() -> hub.feedViews() - before <= REVISIONS);
    }
  }

  /** Without any watch of the written namespace, the live feed opens no snapshot at all. */
  @Test
  void aNamespaceWithoutLiveWatchesIsNotRead() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = hub(h)) {
      h.apply(new Command.CreateNamespace("busy"), 1);
      h.apply(new Command.CreateNamespace("idle"), 1);
      open(hub, "idle", "", WATCHERS);
      long before = hub.feedViews();
      for (int i = 0; i < REVISIONS; i++) h.put("busy", "k" + i, "v", 2);
      long last = h.store.appliedRevision();
      Awaitility.await("the live feed handled every revision").atMost(Duration.ofSeconds(10))
          .until(() -> hub.liveFeed().dispatched() == last);
      Awaitility.await("no snapshot opened").atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(300))
          .until(() -> hub.feedViews() == before);
      assertThat(hub.live()).isEqualTo(WATCHERS);
    }
  }

  @Test
  void watchesOfOnePrefixShareOneReadPerBatch() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = hub(h)) {
      h.apply(new Command.CreateNamespace("busy"), 1);
      List<RecordingSink> same = open(hub, "busy", "p/", WATCHERS);
      open(hub, "busy", "other/", WATCHERS); // same namespace, another prefix: concerned by no revision
      long before = hub.feedViews();
      for (int i = 0; i < REVISIONS; i++) h.put("busy", "p/" + (i % 7), "v" + i, 2);
      long last = h.store.appliedRevision();
      Awaitility.await("every watch of the prefix saw every revision").atMost(Duration.ofSeconds(120))
          .until(() -> same.stream().allMatch(s -> s.lastRevision.get() == last));
      assertThat(same).allSatisfy(s -> assertThat(s.eventCount.get()).isEqualTo(REVISIONS));
      assertThat(hub.feedViews() - before).as("one snapshot per applied batch (one write each here), not per watch")
          .isLessThanOrEqualTo(REVISIONS);
    }
  }
}
