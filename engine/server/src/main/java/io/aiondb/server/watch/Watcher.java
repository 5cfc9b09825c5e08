package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.RocksStore;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running watch, on a virtual thread of its own: catch up from the start revision, then wait for this node to
 * apply more and read again. Sends a progress mark once caught up and after each idle {@code progressEvery}.
 */
public final class Watcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
  /** Events read from storage per step (whole revisions, so a step may carry a little more). */
  static final int STEP_EVENTS = 512;

  private final RocksStore store;
  private final ChangeFeed feed;
  private final WatchSpec spec;
  private final WatchSink sink;
  private final Duration progressEvery;
  private final Runnable onEnd;
  private final int nsId;
  private final long from;
  private volatile boolean closed;
  private volatile Thread thread;

  /** Validates the start (namespace exists, start revision not compacted); throws before anything is sent. */
  Watcher(RocksStore store, ChangeFeed feed, WatchSpec spec, WatchSink sink, Duration progressEvery, Runnable onEnd) {
    this.store = store;
    this.feed = feed;
    this.spec = spec;
    this.sink = sink;
    this.progressEvery = progressEvery;
    this.onEnd = onEnd;
    this.from = spec.fromRevision() > 0 ? spec.fromRevision() : store.appliedRevision() + 1;
    this.nsId = feed.check(spec, from);
  }

  /** The first revision this watch delivers. */
  public long startRevision() {
    return from;
  }

  void start() {
    thread = Thread.ofVirtual().name("watch-" + spec.namespace()).start(this::run);
  }

  private void run() {
    long next = from;
    boolean caughtUp = false;
    try {
      while (!closed) {
        long applied = store.appliedRevision();
        if (applied >= next) {
          ChangeFeed.Page page = feed.read(spec, nsId, next, applied, STEP_EVENTS);
          for (ChangeFeed.Revision r : page.revisions()) {
            if (closed || !sink.events(r.revision(), r.events())) return;
          }
          next = page.next();
          if (next <= applied) continue; // more to read before waiting
        }
        if (!caughtUp) {
          caughtUp = true;
          if (!sink.progress(next - 1)) return;
        }
        try {
          store.awaitRevision(next, progressEvery).get(); // the waiter is forgotten when it times out
        } catch (ExecutionException idle) {
          if (!(idle.getCause() instanceof TimeoutException)) throw idle;
          if (!sink.progress(next - 1)) return;
        }
      }
    } catch (InterruptedException e) {
      if (!closed) sink.failed(new AionException(ErrorCode.UNAVAILABLE, "the watch was interrupted; resume it"));
    } catch (AionException e) {
      sink.failed(e);
    } catch (ExecutionException | RuntimeException e) {
      LOG.error("watch of namespace {} failed", spec.namespace(), e);
      sink.failed(new AionException(ErrorCode.INTERNAL, "the watch failed on the server; resume it from its last revision"));
    } finally {
      onEnd.run();
    }
  }

  /** Ends the watch (client gone); delivers nothing more. */
  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) t.interrupt();
  }

  /** Ends the watch telling the client why (node shutting down); it can resume elsewhere. */
  void shutdown() {
    if (closed) return;
    closed = true;
    sink.failed(new AionException(ErrorCode.UNAVAILABLE, "this node is shutting down; resume the watch on another node"));
    Thread t = thread;
    if (t != null) t.interrupt();
  }
}
