package io.aiondb.server.watch;

import static io.aiondb.server.state.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live feed keeps every guarantee of a watch's own reads: order, nothing missed, nothing twice. */
class LiveFeedTest {
  @TempDir Path dir;

  private static WatchLimits limits() {
    return new WatchLimits(1_000, 1_000, 100, Duration.ofSeconds(5));
  }

  /** A sink that blocks on its first event until {@code gate} opens: its queue fills and it falls behind. */
  private static final class StalledSink implements WatchSink {
    final RecordingSink inner = new RecordingSink(true);
    final CountDownLatch gate;

    StalledSink(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public boolean events(long revision, List<WatchEvent> events) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        return false;
      }
      return inner.events(revision, events);
    }

    @Override
    public boolean progress(long revision) {
      return inner.progress(revision);
    }

    @Override
    public void failed(AionException error) {
      inner.failed(error);
    }
  }

  private record Opened(WatchSpec spec, long start, RecordingSink sink) {}

  /** With encryption at rest, the live feed and a watch's own catch-up reads give the values in clear. */
  @Test
  void watchesOpenSealedValues() throws Exception {
    byte[] k = new byte[32];
    java.util.Arrays.fill(k, (byte) 3);
    var atRest = io.aiondb.server.storage.AtRest.of(
        new io.aiondb.server.storage.AtRest.Kek(io.aiondb.server.security.KeyFiles.id(k), k), List.of(),
        Duration.ZERO, java.time.Clock.systemUTC());
    try (StoreHarness h = new StoreHarness(dir, atRest); WatchHub hub = new WatchHub(h.store, Duration.ofSeconds(10), limits(), 4)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "old", "sealed before the watch", 2);
      List<String> values = new java.util.concurrent.CopyOnWriteArrayList<>();
      WatchSink sink = new WatchSink() {
        @Override
        public boolean events(long revision, List<WatchEvent> events) {
          for (WatchEvent e : events) values.add(new String(e.version().value(), java.nio.charset.StandardCharsets.UTF_8));
          return true;
        }

        @Override
        public boolean progress(long revision) {
          return true;
        }

        @Override
        public void failed(AionException error) {
          values.add("failed: " + error.getMessage());
        }
      };
      hub.open(new WatchSpec("a", b(""), true, 1), sink, "from-start"); // reads the change feed itself first
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> values.contains("sealed before the watch"));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      h.put("a", "new", "sealed while live", 3); // handed out by the live feed
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> values.contains("sealed while live"));
      assertThat(values).noneMatch(v -> v.startsWith("failed"));
      assertThat(hub.liveFeed().sentBack()).as("the live feed read the sealed value itself (no fallback)").isZero();
    }
  }

  /**
   * Watches opened while a writer applies thousands of revisions (from the start, from "now", with stalled clients
   * that fall behind and rejoin, with a tiny live queue) each receive exactly the matching events from their start
   * revision, in order, each once: no revision is lost or repeated when a watch switches between its own reads and
   * the live feed, either way.
   */
  @Test
  void everyWatchSeesEveryMatchingRevisionOnceAcrossCatchUpAndLive() throws Exception {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = new WatchHub(h.store, Duration.ofSeconds(10), limits(), 4)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("b"), 1);
      Map<Long, String> written = new ConcurrentHashMap<>(); // revision -> key, namespace a
      int writes = 3_000;
      CountDownLatch done = new CountDownLatch(1);
      Thread writer = Thread.ofPlatform().start(() -> {
        Random r = new Random(11);
        for (int i = 0; i < writes; i++) {
          if (r.nextInt(10) == 0) {
            h.put("b", "k" + r.nextInt(10), "x", 2); // another namespace: never seen by these watches
          } else {
            String key = "k" + r.nextInt(10);
            written.put(h.put("a", key, "v" + i, 2).revision(), key);
          }
        }
        done.countDown();
      });
      List<Opened> opened = new ArrayList<>();
      WatchSpec[] specs = {new WatchSpec("a", b(""), true, 0), new WatchSpec("a", b("k1"), true, 0),
          new WatchSpec("a", b("k3"), false, 0)};
      Random r = new Random(5);
      for (int i = 0; i < 60 && done.getCount() > 0; i++) {
        WatchSpec base = specs[i % specs.length];
        long from = i % 2 == 0 ? 1 + r.nextInt((int) Math.max(1, h.store.appliedRevision())) : 0;
        WatchSpec spec = new WatchSpec("a", base.key(), base.prefix(), from);
        RecordingSink sink;
        WatchSink given;
        if (i % 4 == 3) {
          StalledSink s = new StalledSink(done);
          sink = s.inner;
          given = s;
        } else {
          sink = new RecordingSink(true);
          given = sink;
        }
        Watcher w = hub.open(spec, given, "c" + i);
        opened.add(new Opened(spec, w.startRevision(), sink));
        Thread.yield();
      }
      writer.join();
      for (Opened o : opened) {
        List<String> expected = new ArrayList<>();
        written.entrySet().stream().filter(e -> e.getKey() >= o.start()).sorted(Map.Entry.comparingByKey())
            .filter(e -> o.spec().matches(b(e.getValue())))
            .forEach(e -> expected.add(e.getKey() + ":" + e.getValue()));
        long lastExpected = expected.isEmpty() ? -1 : Long.parseLong(expected.getLast().split(":")[0]);
        Awaitility.await("watch from " + o.start() + " caught up").atMost(Duration.ofSeconds(30))
            .until(() -> o.sink().lastRevision.get() >= lastExpected || o.sink().failure != null);
        assertThat(o.sink().failure).isNull();
        assertThat(List.copyOf(o.sink().events)).as("watch of %s from %d", new String(o.spec().key()), o.start())
            .isEqualTo(expected);
      }
      assertThat(opened).hasSizeGreaterThan(10);
      assertThat(hub.liveFeed().sentBack()).as("stalled watches fell behind").isPositive();
      assertThat(hub.liveFeed().joins()).as("and rejoined").isGreaterThan(opened.size());
    }
  }

  /**
   * A revision applied (and dispatched to the live watches) after a watch's last own read but before it joins the
   * live feed: the join is refused, the watch reads it itself, joins after it, and delivers it exactly once.
   */
  @Test
  void aRevisionAppliedWhileAWatchSwitchesToLiveArrivesOnce() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = new WatchHub(h.store, Duration.ofSeconds(10), limits())) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "k", "before", 2);
      h.put("a", "other", "x", 2);
      hub.open(new WatchSpec("a", b(""), true, 0), new RecordingSink(false), "live"); // so the feed reads "a"
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
      hub.liveFeed().beforeJoin = w -> {
        if (!w.spec().prefix() && calls.getAndIncrement() == 0) {
          h.put("a", "k", "during", 3);
          long applied = h.store.appliedRevision();
          Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.liveFeed().dispatched() >= applied);
        }
      };
      RecordingSink sink = new RecordingSink(true);
      hub.open(new WatchSpec("a", b("k"), false, 1), sink, "switching");
      Awaitility.await("both watches are live").atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 2);
      h.put("a", "k", "after", 4);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sink.lastRevision.get() == 4);
      assertThat(List.copyOf(sink.events)).containsExactly("1:k", "3:k", "4:k");
      assertThat(calls.get()).as("the first join was refused, the second accepted").isEqualTo(2);
    }
  }

  /**
   * Retention removes a revision before the live feed handed it out: the live watch does not skip it silently but
   * ends with HISTORY_COMPACTED, as a watch reading the feed itself would.
   */
  @Test
  void aRevisionCompactedBeforeItWasDispatchedEndsTheLiveWatchWithHistoryCompacted() throws Exception {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = new WatchHub(h.store, Duration.ofMinutes(5), limits())) {
      h.apply(new Command.CreateNamespace("a"), 1);
      RecordingSink sink = new RecordingSink(true);
      hub.open(new WatchSpec("a", b("k"), false, 0), sink, "c");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      hub.liveFeed().beforeStep = () -> {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      long first = h.put("a", "k", "1", 2).revision();
      entered.await(); // the feed holds revision `first`, not yet handed out
      h.put("a", "k", "2", 3);
      h.apply(new Command.Compact("a", new byte[0], 100, 1, Long.MIN_VALUE), 4); // keeps only the newest version
      assertThat(h.store.requireNamespace("a").compactRevision()).isEqualTo(first);
      hub.liveFeed().beforeStep = () -> {};
      release.countDown();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sink.failure != null);
      assertThat(sink.failure.code()).isEqualTo(ErrorCode.HISTORY_COMPACTED);
      assertThat(sink.events).isEmpty();
    }
  }

  /**
   * A snapshot installed under live watches (a follower that fell far behind gets the leader's database): the
   * revisions it brings are delivered from the installed data, then the live feed goes on.
   */
  @Test
  void aSnapshotInstallSendsLiveWatchesToReadTheNewData() {
    Path checkpoint = dir.resolve("checkpoint");
    try (StoreHarness leader = new StoreHarness(dir.resolve("leader"))) {
      leader.apply(new Command.CreateNamespace("a"), 1);
      for (int i = 1; i <= 3; i++) leader.put("a", "k", "v" + i, 2); // revisions 1..3
      leader.store.checkpoint(checkpoint);
    }
    try (StoreHarness h = new StoreHarness(dir.resolve("follower"));
         WatchHub hub = new WatchHub(h.store, Duration.ofMinutes(5), limits())) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.put("a", "k", "v1", 2); // revision 1, as on the leader
      RecordingSink sink = new RecordingSink(true);
      hub.open(new WatchSpec("a", b("k"), false, 0), sink, "c"); // from revision 2
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      h.store.restoreFrom(checkpoint);
      assertThat(h.store.appliedRevision()).isEqualTo(3);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1 && sink.lastRevision.get() == 3);
      h.put("a", "k", "v4", 3);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sink.lastRevision.get() == 4);
      assertThat(List.copyOf(sink.events)).containsExactly("2:k", "3:k", "4:k");
    }
  }

  @Test
  void aDroppedNamespaceEndsItsLiveWatchesAtOnce() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = new WatchHub(h.store, Duration.ofMinutes(5), limits())) {
      h.apply(new Command.CreateNamespace("a"), 1);
      RecordingSink sink = new RecordingSink(true);
      hub.open(new WatchSpec("a", b(""), true, 0), sink, "c");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      h.put("a", "k", "v", 2);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sink.lastRevision.get() == h.store.appliedRevision());
      h.apply(new Command.DropNamespace("a"), 3);
      h.apply(new Command.CreateNamespace("a"), 4); // same name, another namespace: the watch must not follow it
      h.put("a", "k", "new", 5);
      Awaitility.await("the watch ends well before its next progress mark").atMost(Duration.ofSeconds(10))
          .until(() -> sink.failure != null);
      assertThat(sink.failure.code()).isEqualTo(ErrorCode.NAMESPACE_NOT_FOUND);
      assertThat(List.copyOf(sink.events)).containsExactly("1:k");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.active() == 0 && hub.live() == 0);
    }
  }

  @Test
  void anIdleLiveWatchGetsProgressMarksThatFollowTheRevision() {
    try (StoreHarness h = new StoreHarness(dir); WatchHub hub = new WatchHub(h.store, Duration.ofMillis(200), limits())) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("b"), 1);
      RecordingSink sink = new RecordingSink(true);
      hub.open(new WatchSpec("a", b("mine"), false, 0), sink, "c");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> hub.live() == 1);
      for (int i = 0; i < 5; i++) h.put("b", "k", "v", 2);
      h.put("a", "other", "v", 2);
      long last = h.store.appliedRevision();
      Awaitility.await("a progress mark at the newest revision").atMost(Duration.ofSeconds(10))
          .until(() -> sink.lastProgress.get() == last);
      assertThat(sink.events).isEmpty();
    }
  }
}
