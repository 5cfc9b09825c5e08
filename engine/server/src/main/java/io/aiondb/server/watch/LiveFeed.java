package io.aiondb.server.watch;

import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.ReadView;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the watches that are caught up ("live"): after each applied batch, ONE reader reads the new changes of the
 * namespaces that have live watches, once, and hands each matching watch its events. A revision costs work for the
 * watches it concerns only: a namespace no live watch looks at is not read, and watches of one key or prefix share
 * one read.
 *
 * <p>Live watches are indexed by namespace, then by exact key or by prefix. {@link #dispatched()} is the revision up
 * to which every live watch has been handed its events (its {@link Watcher#offer} happens before the volatile write).
 * A watch joins ({@link #join}) only with a start revision after {@code dispatched}, atomically with respect to a
 * dispatch step, so no revision falls between its own reads and the live feed; revisions before its start that a
 * later step hands it are skipped by the watch. A watch whose queue is full leaves the index and is told the
 * revision it missed ({@link Watcher#fellBehind}); it catches up with its own reads and joins again. A namespace
 * whose feed was trimmed past what was dispatched, or that was dropped, sends its live watches back to their own
 * reads too, which then report the error (HISTORY_COMPACTED, NAMESPACE_NOT_FOUND) exactly as before.
 */
final class LiveFeed implements RocksStore.FeedListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

  /** The live watches of one namespace. */
  private static final class Index {
    final String name;
    final Map<String, List<Watcher>> byKey = new HashMap<>();
    final Map<String, List<Watcher>> byPrefix = new HashMap<>();
    /** Prefix length to how many prefix watches have it: a changed key is looked up once per length in use. */
    final TreeMap<Integer, Integer> prefixLengths = new TreeMap<>();
    int size;

    Index(String name) {
      this.name = name;
    }

    void add(Watcher w) {
      byte[] k = w.spec().key();
      (w.spec().prefix() ? byPrefix : byKey).computeIfAbsent(str(k), x -> new ArrayList<>()).add(w);
      if (w.spec().prefix()) prefixLengths.merge(k.length, 1, Integer::sum);
      size++;
    }

    boolean remove(Watcher w) {
      byte[] k = w.spec().key();
      Map<String, List<Watcher>> m = w.spec().prefix() ? byPrefix : byKey;
      List<Watcher> l = m.get(str(k));
      if (l == null || !l.remove(w)) return false;
      if (l.isEmpty()) m.remove(str(k));
      if (w.spec().prefix()) prefixLengths.computeIfPresent(k.length, (len, n) -> n == 1 ? null : n - 1);
      size--;
      return true;
    }

    void matching(byte[] key, List<Watcher> out) {
      List<Watcher> exact = byKey.get(str(key));
      if (exact != null) out.addAll(exact);
      for (int len : prefixLengths.headMap(key.length, true).keySet()) {
        List<Watcher> l = byPrefix.get(new String(key, 0, len, StandardCharsets.ISO_8859_1));
        if (l != null) out.addAll(l);
      }
    }

    List<Watcher> all() {
      List<Watcher> out = new ArrayList<>();
      byKey.values().forEach(out::addAll);
      byPrefix.values().forEach(out::addAll);
      return out;
    }

    /** Bytes as a string, one char per byte: lossless, with value equality, for hash lookups. */
    static String str(byte[] b) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }

  private final RocksStore store;
  private final ChangeFeed feed;

  /** What the applier reported and the feed has not yet handled; guarded by {@code pendingLock}. */
  private final ReentrantLock pendingLock = new ReentrantLock();
  private final Condition arrived = pendingLock.newCondition();
  private long pendingUpTo;
  private Set<Integer> pendingNamespaces = new HashSet<>();
  private boolean pendingReplaced;

  /** The live watches by namespace id, and every dispatch step; guarded by {@code liveLock}. */
  private final ReentrantLock liveLock = new ReentrantLock();
  private final Map<Integer, Index> live = new HashMap<>();
  private volatile long dispatched;
  /** Watches in {@link #live} (read without the lock, for metrics). */
  private final java.util.concurrent.atomic.AtomicInteger liveWatches = new java.util.concurrent.atomic.AtomicInteger();

  private volatile boolean closed;
  private final Thread thread;
  /** Runs at the start of each dispatch step (tests hold the feed there while they apply more). */
  volatile Runnable beforeStep = () -> {};
  /** Runs as a watch asks to join, before the check (tests apply a revision there to hit the switch). */
  volatile java.util.function.Consumer<Watcher> beforeJoin = w -> {};
  /** Times a watch joined, and was sent back to its own reads (for tests). */
  private final java.util.concurrent.atomic.LongAdder joins = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sentBack = new java.util.concurrent.atomic.LongAdder();

  LiveFeed(RocksStore store, ChangeFeed feed) {
    this.store = store;
    this.feed = feed;
    store.feedListener(this); // first: a batch committed after this is reported; one before is in appliedRevision
    this.dispatched = store.appliedRevision();
    this.pendingUpTo = dispatched;
    this.thread = Thread.ofVirtual().name("watch-live-feed").start(this::run);
  }

  /** Every live watch has been handed its events of every revision up to this one. */
  long dispatched() {
    return dispatched;
  }

  @Override
  public void committed(long revision, Set<Integer> namespaces) {
    pendingLock.lock();
    try {
      pendingUpTo = Math.max(pendingUpTo, revision);
      pendingNamespaces.addAll(namespaces);
      arrived.signal();
    } finally {
      pendingLock.unlock();
    }
  }

  @Override
  public void replaced(long revision) {
    pendingLock.lock();
    try {
      pendingReplaced = true;
      pendingUpTo = revision;
      arrived.signal();
    } finally {
      pendingLock.unlock();
    }
  }

  /**
   * Adds a watch that has delivered everything before {@code next} to the live set, unless a dispatch step already
   * passed {@code next} (then it reads on by itself and tries again). True: every revision from {@code next} on
   * reaches it through {@link Watcher#offer} (with some before {@code next}, which it skips).
   */
  boolean join(Watcher w, long next) {
    beforeJoin.accept(w);
    liveLock.lock();
    try {
      if (next <= dispatched) return false;
      live.computeIfAbsent(w.nsId(), id -> new Index(w.spec().namespace())).add(w);
      liveWatches.incrementAndGet();
      joins.increment();
      return true;
    } finally {
      liveLock.unlock();
    }
  }

  /** Removes a watch from the live set (it ended). */
  void leave(Watcher w) {
    liveLock.lock();
    try {
      Index idx = live.get(w.nsId());
      if (idx != null && idx.remove(w)) {
        liveWatches.decrementAndGet();
        if (idx.size == 0) live.remove(w.nsId());
      }
    } finally {
      liveLock.unlock();
    }
  }

  long joins() {
    return joins.sum();
  }

  long sentBack() {
    return sentBack.sum();
  }

  /** Live watches. */
  int liveCount() {
    return liveWatches.get();
  }

  private void run() {
    while (!closed) {
      long upTo;
      Set<Integer> namespaces;
      boolean replaced;
      pendingLock.lock();
      try {
        while (!closed && !pendingReplaced && pendingUpTo <= dispatched && pendingNamespaces.isEmpty()) {
          arrived.await();
        }
        if (closed) return;
        upTo = pendingUpTo;
        namespaces = pendingNamespaces;
        replaced = pendingReplaced;
        pendingNamespaces = new HashSet<>();
        pendingReplaced = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        pendingLock.unlock();
      }
      liveLock.lock();
      try {
        step(upTo, namespaces, replaced);
      } finally {
        liveLock.unlock();
      }
    }
  }

  /** One dispatch step, under {@code liveLock}: revisions {@code (dispatched, upTo]} of the given namespaces. */
  private void step(long upTo, Set<Integer> namespaces, boolean replaced) {
    beforeStep.run();
    long from = dispatched + 1;
    try {
      if (replaced) { // the database was swapped: nothing known about what changed; every live watch reads itself
        for (Index idx : List.copyOf(live.values())) sendBack(idx, from);
      } else {
        List<Integer> concerned = new ArrayList<>();
        for (int ns : namespaces) if (live.containsKey(ns)) concerned.add(ns);
        if (!concerned.isEmpty()) {
          try (ReadView v = feed.openView()) {
            for (int ns : concerned) dispatch(v, ns, live.get(ns), from, upTo);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("the live watch feed failed at revision {}; its watches read on by themselves", from, e);
      for (Index idx : List.copyOf(live.values())) sendBack(idx, from);
    }
    dispatched = upTo; // after every offer of the step: a watch that reads it has been handed all before it
  }

  private void dispatch(ReadView v, int nsId, Index idx, long from, long upTo) {
    byte[] info = v.get(Cf.META, RocksStore.namespaceKey(idx.name));
    NamespaceInfo ns = info == null ? null : NamespaceInfo.decode(idx.name, info);
    if (ns == null || ns.id() != nsId || ns.compactRevision() >= from) {
      sendBack(idx, from); // dropped, or trimmed past what they have: their own read says which
      return;
    }
    if (upTo < from) return; // the feed changed (a compaction) but no new revision
    byte[] nsPrefix = Keys.nsPrefix(nsId);
    Map<Watcher, List<WatchEvent>> current = new IdentityHashMap<>();
    long currentRev = -1;
    List<Watcher> matched = new ArrayList<>();
    try (RocksIterator it = v.iterator(Cf.CHANGES)) {
      for (it.seek(Keys.changeFrom(nsId, from)); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!Keys.startsWith(k, nsPrefix)) break;
        long rev = Keys.revisionOfChange(k);
        if (rev > upTo) break;
        if (rev != currentRev) {
          hand(idx, currentRev, current);
          currentRev = rev;
        }
        byte[] userKey = Keys.userKeyOfChange(k);
        matched.clear();
        idx.matching(userKey, matched);
        if (matched.isEmpty()) continue;
        byte[] version = v.get(Cf.HISTORY, Keys.history(nsId, userKey, rev));
        if (version == null) throw new IllegalStateException("change feed entry without its version: revision " + rev);
        WatchEvent e = new WatchEvent(userKey, v.decode(version)); // one event, shared by the watches
        for (Watcher w : matched) current.computeIfAbsent(w, x -> new ArrayList<>()).add(e);
      }
    }
    hand(idx, currentRev, current);
  }

  /** Hands each watch its events of one revision; a watch whose queue is full leaves the live set. */
  private void hand(Index idx, long revision, Map<Watcher, List<WatchEvent>> events) {
    for (Map.Entry<Watcher, List<WatchEvent>> e : events.entrySet()) {
      Watcher w = e.getKey();
      if (!w.offer(revision, e.getValue())) {
        idx.remove(w);
        liveWatches.decrementAndGet();
        sentBack.increment();
        w.fellBehind(revision);
      }
    }
    events.clear();
    if (idx.size == 0) live.values().remove(idx);
  }

  private void sendBack(Index idx, long from) {
    for (Watcher w : idx.all()) {
      idx.remove(w);
      liveWatches.decrementAndGet();
      sentBack.increment();
      w.fellBehind(from);
    }
    live.values().remove(idx);
  }

  @Override
  public void close() {
    closed = true;
    store.removeFeedListener(this);
    thread.interrupt();
  }
}
