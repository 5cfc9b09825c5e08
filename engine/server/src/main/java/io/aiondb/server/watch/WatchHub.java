package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.RocksStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every watch of this node: opens them (bounded), counts them, ends them at shutdown. */
public final class WatchHub implements AutoCloseable {
  /** The most concurrent watches per node; more answer UNAVAILABLE. */
  public static final int MAX_WATCHES = 10_000;

  private final RocksStore store;
  private final Duration progressEvery;
  private final Set<Watcher> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public WatchHub(RocksStore store, Duration progressEvery) {
    this.store = store;
    this.progressEvery = progressEvery;
  }

  /**
   * Starts a watch. Throws (before anything is delivered) if the namespace does not exist, the start revision is
   * compacted, or the node is at its watch limit or shutting down.
   */
  public Watcher open(WatchSpec spec, WatchSink sink) {
    if (closed) throw new AionException(ErrorCode.UNAVAILABLE, "this node is shutting down");
    if (active.size() >= MAX_WATCHES) {
      throw new AionException(ErrorCode.UNAVAILABLE, "this node serves " + MAX_WATCHES + " watches already; try another node");
    }
    Watcher[] self = new Watcher[1];
    Watcher w = new Watcher(store, spec, sink, progressEvery, () -> active.remove(self[0]));
    self[0] = w;
    active.add(w);
    w.start();
    return w;
  }

  public int active() {
    return active.size();
  }

  @Override
  public void close() {
    closed = true;
    for (Watcher w : active) w.shutdown();
  }
}
