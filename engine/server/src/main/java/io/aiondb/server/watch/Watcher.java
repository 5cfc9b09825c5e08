package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.RocksStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running watch, on a virtual thread of its own. It catches up from its start revision with its own reads of
 * the change feed, then joins the {@link LiveFeed}, which hands it the events of new revisions through a bounded
 * queue; it delivers them to its sink (which may block: the client's backpressure). If it falls behind (its queue
 * is full) it leaves the live set, catches up with its own reads again and rejoins. Sends a progress mark once
 * caught up and after each {@code progressEvery} without events.
 */
public final class Watcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);
  /** Events read from storage per step (whole revisions, so a step may carry a little more). */
  static final int STEP_EVENTS = 512;
  /** Revisions a live watch's queue holds at most; a fuller queue makes the watch fall behind. */
  static final int LIVE_MAX_REVISIONS = 512;
  /** Value bytes a live watch's queue holds at most (at least one revision, however large). */
  static final long LIVE_MAX_BYTES = ChangeFeed.STEP_MAX_BYTES;

  /** One revision's events handed by the live feed. */
  private record Live(long revision, List<WatchEvent> events, long bytes) {}

  /** The live feed dropped this watch: everything before {@code from} was queued; read on from there. */
  private record Behind(long from) {}

  private final RocksStore store;
  private final ChangeFeed feed;
  private final LiveFeed liveFeed;
  private final WatchSpec spec;
  private final WatchSink sink;
  private final Duration progressEvery;
  private final Runnable onEnd;
  private final int nsId;
  private final long from;
  private final int liveMaxRevisions;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  /** Revisions and value bytes in {@link #queue} (written by the live feed, released by this watch). */
  private final AtomicLong queuedRevisions = new AtomicLong();
  private final AtomicLong queuedBytes = new AtomicLong();
  private volatile boolean closed;
  private volatile Thread thread;

  /** Validates the start (namespace exists, start revision not compacted); throws before anything is sent. */
  Watcher(RocksStore store, ChangeFeed feed, LiveFeed liveFeed, WatchSpec spec, WatchSink sink, Duration progressEvery,
      int liveMaxRevisions, Runnable onEnd) {
    this.store = store;
    this.feed = feed;
    this.liveFeed = liveFeed;
    this.spec = spec;
    this.sink = sink;
    this.progressEvery = progressEvery;
    this.liveMaxRevisions = liveMaxRevisions;
    this.onEnd = onEnd;
    this.from = spec.fromRevision() > 0 ? spec.fromRevision() : store.appliedRevision() + 1;
    this.nsId = feed.check(spec, from);
  }

  /** The first revision this watch delivers. */
  public long startRevision() {
    return from;
  }

  WatchSpec spec() {
    return spec;
  }

  int nsId() {
    return nsId;
  }

  void start() {
    thread = Thread.ofVirtual().name("watch-" + spec.namespace()).start(this::run);
  }

  /**
   * From the live feed (its one thread): queues one revision's events. False, queuing nothing, when the queue is
   * full (in revisions or value bytes): the watch has fallen behind.
   */
  boolean offer(long revision, List<WatchEvent> events) {
    long bytes = 0;
    for (WatchEvent e : events) bytes += e.version().value().length;
    long held = queuedRevisions.get();
    if (held >= liveMaxRevisions || (held > 0 && queuedBytes.get() + bytes > LIVE_MAX_BYTES)) return false;
    queuedRevisions.incrementAndGet();
    queuedBytes.addAndGet(bytes);
    queue.add(new Live(revision, events, bytes));
    return true;
  }

  /** From the live feed: this watch left the live set; it was handed every revision before {@code revision}. */
  void fellBehind(long revision) {
    queue.add(new Behind(revision));
  }

  private void run() {
    long next = from;
    boolean caughtUp = false;
    boolean check = false; // sent back by the live feed: read once even if nothing new (a drop, a compaction)
    try {
      while (!closed) {
        long applied = store.appliedRevision();
        if (applied >= next || check) {
          check = false;
          ChangeFeed.Page page = feed.read(spec, nsId, next, applied, STEP_EVENTS);
          for (ChangeFeed.Revision r : page.revisions()) {
            if (closed || !sink.events(r.revision(), r.events())) return;
          }
          next = Math.max(next, page.next());
          if (next <= applied) continue; // more to read before going live
        }
        if (!liveFeed.join(this, next)) continue; // the live feed passed `next` meanwhile: read on
        if (!caughtUp) {
          caughtUp = true;
          if (!sink.progress(next - 1)) return;
        }
        next = followLive(next);
        if (next < 0) return;
        check = true;
      }
    } catch (InterruptedException e) {
      if (!closed) sink.failed(new AionException(ErrorCode.UNAVAILABLE, "the watch was interrupted; resume it"));
    } catch (AionException e) {
      sink.failed(e);
    } catch (RuntimeException e) {
      LOG.error("watch of namespace {} failed", spec.namespace(), e);
      sink.failed(new AionException(ErrorCode.INTERNAL, "the watch failed on the server; resume it from its last revision"));
    } finally {
      liveFeed.leave(this);
      onEnd.run();
    }
  }

  /**
   * Delivers what the live feed hands this watch until it falls behind (returns the revision to read on from) or
   * the client is gone (returns -1). Revisions before {@code next} (already delivered by its own reads) are skipped.
   */
  private long followLive(long next) throws InterruptedException {
    long idleSince = System.nanoTime();
    while (!closed) {
      long wait = progressEvery.toNanos() - (System.nanoTime() - idleSince);
      Object item = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
      if (item == null) {
        long d = liveFeed.dispatched(); // read before looking again: every revision up to d is queued by now
        item = queue.poll();
        if (item == null) {
          next = Math.max(next, d + 1);
          if (!sink.progress(next - 1)) return -1;
          idleSince = System.nanoTime();
          continue;
        }
      }
      if (item instanceof Behind b) return Math.max(next, b.from());
      Live r = (Live) item;
      queuedRevisions.decrementAndGet();
      queuedBytes.addAndGet(-r.bytes());
      if (r.revision() < next) continue;
      if (closed || !sink.events(r.revision(), r.events())) return -1;
      next = r.revision() + 1;
      idleSince = System.nanoTime();
    }
    return -1;
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
