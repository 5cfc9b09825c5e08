package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.RocksStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every watch of this node: opens them within {@link WatchLimits} (in total and per client address), counts them,
 * ends them at shutdown. The watches that are caught up are fed by one {@link LiveFeed}, so an applied revision
 * costs reads only for the namespaces that have watches and work only for the watches it concerns.
 */
public final class WatchHub implements AutoCloseable {
  private final RocksStore store;
  private final ChangeFeed feed;
  private final LiveFeed liveFeed;
  private final int liveMaxRevisions;
  private final Duration progressEvery;
  private final WatchLimits limits;
  private final Set<Watcher> active = ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, Integer> perClient = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public WatchHub(RocksStore store, Duration progressEvery, WatchLimits limits) {
    this(store, progressEvery, limits, Watcher.LIVE_MAX_REVISIONS);
  }

  /** {@code liveMaxRevisions}: revisions a caught-up watch may have queued before it falls behind (small in tests). */
  WatchHub(RocksStore store, Duration progressEvery, WatchLimits limits, int liveMaxRevisions) {
    this.store = store;
    this.feed = new ChangeFeed(store);
    this.liveFeed = new LiveFeed(store, feed);
    this.liveMaxRevisions = liveMaxRevisions;
    this.progressEvery = progressEvery;
    this.limits = limits;
  }

  public WatchLimits limits() {
    return limits;
  }

  /**
   * Starts a watch for the client at {@code client} (its address). Throws (before anything is delivered) if the
   * namespace does not exist, the start revision is compacted, the node is at its watch limit ({@code UNAVAILABLE}:
   * another member may serve it), the client is at its own limit ({@code TOO_MANY_WATCHES}) or the node shuts down.
   */
  public Watcher open(WatchSpec spec, WatchSink sink, String client) {
    if (closed) throw new AionException(ErrorCode.UNAVAILABLE, "this node is shutting down");
    if (active.size() >= limits.maxTotal()) {
      throw new AionException(ErrorCode.UNAVAILABLE, "this node serves " + limits.maxTotal() + " watches already (watch.max); try another member");
    }
    boolean[] admitted = {false};
    perClient.compute(client, (c, n) -> {
      int held = n == null ? 0 : n;
      if (held >= limits.maxPerClient()) return n;
      admitted[0] = true;
      return held + 1;
    });
    if (!admitted[0]) {
      throw new AionException(ErrorCode.TOO_MANY_WATCHES, "client " + client + " holds " + limits.maxPerClient()
          + " watches on this node already (watch.max-per-client); close some or watch a common prefix");
    }
    Watcher[] self = new Watcher[1];
    Watcher w;
    try {
      w = new Watcher(store, feed, liveFeed, spec, sink, progressEvery, liveMaxRevisions, () -> {
        active.remove(self[0]);
        release(client);
      });
    } catch (RuntimeException e) {
      release(client);
      throw e;
    }
    self[0] = w;
    active.add(w);
    w.start();
    return w;
  }

  private void release(String client) {
    perClient.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
  }

  /** Watches held by one client address (for tests and metrics). */
  public int heldBy(String client) {
    return perClient.getOrDefault(client, 0);
  }

  /** RocksDB snapshots the watches of this node opened so far (for tests and the fan-out benchmark). */
  long feedViews() {
    return feed.viewsOpened();
  }

  LiveFeed liveFeed() {
    return liveFeed;
  }

  /** Watches fed by the live feed right now (caught up); the others are reading the change feed themselves. */
  public int live() {
    return liveFeed.liveCount();
  }

  public int active() {
    return active.size();
  }

  @Override
  public void close() {
    closed = true;
    liveFeed.close();
    for (Watcher w : active) w.shutdown();
  }
}
