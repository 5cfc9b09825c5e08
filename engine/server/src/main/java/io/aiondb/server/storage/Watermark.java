package io.aiondb.server.storage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** A value that only moves forward, and futures that complete when it reaches a level (applied index, revision). */
public final class Watermark {
  private volatile long value;
  private final ConcurrentSkipListMap<Long, List<CompletableFuture<Void>>> waiters = new ConcurrentSkipListMap<>();

  public long get() {
    return value;
  }

  /**
   * Completes when the value is at least {@code level} (at once if it already is), or exceptionally with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeout}. A waiter that times out or is cancelled is
   * forgotten at once: waiting for a level that never comes (a client's {@code minRevision=<huge>}) holds nothing
   * after its timeout.
   */
  public CompletableFuture<Void> await(long level, java.time.Duration timeout) {
    if (value >= level) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiters.compute(level, (l, list) -> {
      List<CompletableFuture<Void>> l2 = list == null ? new CopyOnWriteArrayList<>() : list;
      l2.add(f);
      return l2;
    });
    // Raced with advance(): its release() may have taken this level's list off the map before f was added to it,
    // so nothing would complete f; the value is written before release() runs, so checking it here is enough.
    if (value >= level) {
      f.complete(null);
      release();
      return f;
    }
    f.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> {
          if (e != null) forget(level, f);
        });
    return f;
  }

  private void forget(long level, CompletableFuture<Void> f) {
    waiters.computeIfPresent(level, (l, list) -> {
      list.remove(f);
      return list.isEmpty() ? null : list;
    });
  }

  /** How many waiters are registered (for tests and metrics). */
  public int waiting() {
    int n = 0;
    for (List<CompletableFuture<Void>> l : waiters.values()) n += l.size();
    return n;
  }

  public void advance(long to) {
    if (to <= value) return;
    synchronized (this) {
      if (to > value) value = to;
    }
    release();
  }

  /** Sets the value without the forward-only rule (a snapshot install may move it anywhere). */
  public synchronized void reset(long to) {
    value = to;
    release();
  }

  private void release() {
    Map<Long, List<CompletableFuture<Void>>> ready = waiters.headMap(value, true);
    for (var it = ready.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      it.remove();
      e.getValue().forEach(f -> f.complete(null));
    }
  }
}
