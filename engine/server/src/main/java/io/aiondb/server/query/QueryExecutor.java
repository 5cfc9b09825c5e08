package io.aiondb.server.query;

import io.aiondb.server.state.IndexValues;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.ReadView;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.Keys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.rocksdb.RocksIterator;

/**
 * Runs a {@link Query} against a consistent snapshot. The first page is read at the snapshot's revision from the
 * current values; its cursor pins that revision, and later pages read the history at exactly that revision (or the
 * current values again when nothing was written since). So paging under concurrent writes never skips or repeats a
 * key; a pinned revision that retention compacted away answers HISTORY_COMPACTED (410).
 *
 * <p>Every page has a {@link WorkBudget} ({@link QueryLimits}: entries examined, value bytes read, conditions
 * evaluated, wall-clock time). Every entry costs — tombstones, history versions and index entries as much as the
 * rows returned. When the budget runs out the page ends early with a cursor just after the last key it examined and
 * {@link QueryResult#truncated()} says why: a client that follows cursors sees every match exactly once, never a
 * silent partial answer. At most {@code maxConcurrent} pages run at once on a node; more answer UNAVAILABLE (503)
 * at once, so queries cannot take every worker thread from point reads.
 */
public final class QueryExecutor {
  private final RocksStore store;
  private final QueryLimits limits;
  private final LongSupplier nanoClock;
  private final Semaphore running;
  private final Planner planner = new Planner();

  public QueryExecutor(RocksStore store) {
    this(store, QueryLimits.DEFAULT);
  }

  public QueryExecutor(RocksStore store, QueryLimits limits) {
    this(store, limits, System::nanoTime);
  }

  /** {@code nanoClock}: the clock of the per-page deadline (tests pass a fake one). */
  QueryExecutor(RocksStore store, QueryLimits limits, LongSupplier nanoClock) {
    this.store = store;
    this.limits = limits;
    this.nanoClock = nanoClock;
    this.running = new Semaphore(limits.maxConcurrent());
  }

  public QueryLimits limits() {
    return limits;
  }

  public Plan plan(Query q) {
    return planner.plan(q);
  }

  public QueryResult execute(Query q, NamespaceInfo ns) {
    return execute(q, ns, false);
  }

  /** {@code forceHistory}: read history even when current values would do (tests prove both paths agree). */
  QueryResult execute(Query q, NamespaceInfo ns, boolean forceHistory) {
    return execute(q, ns, forceHistory, false);
  }

  /** {@code forceScan}: ignore secondary indexes (tests prove the index path answers the same). */
  QueryResult execute(Query q, NamespaceInfo ns, boolean forceHistory, boolean forceScan) {
    if (!running.tryAcquire()) {
      throw new AionException(ErrorCode.UNAVAILABLE, "this node runs " + limits.maxConcurrent()
          + " queries already (query.max-concurrent); retry shortly or on another node");
    }
    try {
      return run(q, ns, forceHistory, forceScan, new WorkBudget(limits, nanoClock));
    } finally {
      running.release();
    }
  }

  private QueryResult run(Query q, NamespaceInfo ns, boolean forceHistory, boolean forceScan, WorkBudget budget) {
    Plan plan = planner.plan(q, forceScan ? List.of() : store.indexes(ns.id()));
    Cursor cursor = q.cursor() == null ? null : Cursor.decode(q.cursor());
    if (cursor != null && cursor.queryHash() != q.hash()) {
      throw new AionException(ErrorCode.INVALID_CURSOR,
          "this cursor was issued for a different query; send the same query with it (only limit and maxBytes may change)");
    }
    try (ReadView view = store.openView()) {
      long revision = cursor == null ? view.revision() : cursor.revision();
      if (cursor != null) {
        if (revision > view.revision()) throw new AionException(ErrorCode.INVALID_CURSOR, "cursor revision " + revision + " is ahead of this node");
        if (revision < ns.gcRevision()) throw RocksStore.compacted(revision);
      }
      boolean fromCurrent = revision == view.revision() && !forceHistory;
      String source = fromCurrent ? "current" : "history@" + revision;
      if (!fromCurrent && plan.index() != null) plan = plan.withAccess("key-range-scan", null); // indexes hold the present only
      if (q.explain()) return new QueryResult(revision, List.of(), null, plan, source, null, 0);
      byte[] lower = plan.lower();
      byte[] upper = plan.upper();
      if (cursor != null) {
        if (q.reverse()) upper = min(upper, cursor.lastKey());
        else lower = max(lower, VersionScanner.successor(cursor.lastKey()));
      }
      Page page = new Page(q, revision, budget);
      if (plan.empty() || (lower != null && upper != null && Arrays.compareUnsigned(lower, upper) >= 0)) {
        return page.result(plan, source);
      }
      if (plan.index() != null) {
        IndexPage ip = new IndexPage(view, ns.id(), plan.index(), q.reverse(), budget);
        if (ip.run(page, lower, upper)) return page.result(plan, source);
        // an index round would have cost more than half the budget left (its range holds too many values):
        // the rest of this page scans the keys after the last one examined
        if (q.reverse()) upper = ip.hi;
        else lower = ip.lo;
        plan = plan.withAccess("key-range-scan", null);
      }
      try (VersionScanner s = fromCurrent
          ? VersionScanner.current(view, ns.id(), lower, upper, q.reverse(), budget)
          : VersionScanner.atRevision(view, ns.id(), lower, upper, q.reverse(), revision, budget)) {
        while (s.next()) {
          if (!page.offer(s.key(), s.version())) break;
          if (page.full()) {
            if (s.next() || s.stopped()) page.more();
            break;
          }
        }
        if (s.stopped()) page.stoppedAt(s.position(), budget.reason());
      }
      return page.result(plan, source);
    }
  }

  /** The rows of one page and where it ends. */
  private static final class Page {
    final Query q;
    final long revision;
    final WorkBudget budget;
    final List<Row> rows = new ArrayList<>();
    long bytes;
    byte[] stopKey;
    WorkBudget.Reason truncated;

    Page(Query q, long revision, WorkBudget budget) {
      this.q = q;
      this.revision = revision;
      this.budget = budget;
    }

    /** Checks a live version and keeps it if it matches; false when it does not fit maxBytes (the page ends). */
    boolean offer(byte[] key, VersionRecord v) {
      if (!matches(q, v, budget)) return true;
      long size = key.length + (q.keysOnly() ? 0 : v.value().length);
      if (!rows.isEmpty() && bytes + size > q.maxBytes()) {
        stopKey = rows.getLast().key();
        return false;
      }
      rows.add(new Row(key, v));
      bytes += size;
      return true;
    }

    boolean full() {
      return rows.size() >= q.limit();
    }

    /** The page is full and more keys may follow. */
    void more() {
      stopKey = rows.getLast().key();
    }

    /** The budget ran out after examining {@code position}: resume after it. */
    void stoppedAt(byte[] position, WorkBudget.Reason reason) {
      if (stopKey != null || position == null) return;
      stopKey = position;
      truncated = reason;
    }

    QueryResult result(Plan plan, String source) {
      String next = stopKey == null ? null : new Cursor(revision, q.hash(), stopKey).encode();
      return new QueryResult(revision, rows, next, plan, source, truncated, budget.examined());
    }
  }

  /**
   * The index path. An index orders its entries by value, then key; a page must come out in key order. So the page
   * is read in rounds: a round visits each value of the index range once, seeking straight to the first key after
   * the page's position within that value (keys before the cursor are never read), and keeps the {@code k} smallest
   * keys (largest when reversed) in a bounded set; those candidates are then read from the current values and checked
   * like a scan's keys. A round costs one seek per distinct value plus the candidates, so a page after a deep cursor
   * costs what a first page costs. A round that would use more than half the remaining budget is abandoned and the
   * page continues as a key-range scan from the same position.
   */
  private static final class IndexPage {
    final ReadView view;
    final int nsId;
    final Plan.IndexScan scan;
    final boolean reverse;
    final WorkBudget budget;
    final byte[] prefix;
    final byte[] start;
    final byte[] end;
    /** The key range still to read, {@code [lo, hi)}: narrowed after every candidate examined. */
    byte[] lo;
    byte[] hi;

    IndexPage(ReadView view, int nsId, Plan.IndexScan scan, boolean reverse, WorkBudget budget) {
      this.view = view;
      this.nsId = nsId;
      this.scan = scan;
      this.reverse = reverse;
      this.budget = budget;
      this.prefix = IndexValues.prefix(nsId, scan.def().id());
      this.start = scan.from() == null ? prefix : concat(prefix, scan.from());
      this.end = Keys.prefixEnd(scan.to() == null ? prefix : concat(prefix, scan.to()));
    }

    /** Fills the page; false when a round was too costly and the caller must scan from {@code lo}/{@code hi}. */
    boolean run(Page page, byte[] lower, byte[] upper) {
      lo = lower;
      hi = upper;
      if (scan.from() != null && scan.to() != null && Arrays.compareUnsigned(scan.from(), scan.to()) > 0) return true;
      byte[] last = null; // the last candidate examined
      while (true) {
        int k = Math.max(16, page.q.limit() - page.rows.size() + 1);
        TreeSet<byte[]> round = round(k, budget.halfRemaining());
        if (round == null) return false;
        if (round.isEmpty()) return true;
        Iterator<byte[]> it = reverse ? round.descendingIterator() : round.iterator();
        while (it.hasNext()) {
          byte[] key = it.next();
          if (last != null && budget.exhausted()) {
            page.stoppedAt(last, budget.reason());
            return true;
          }
          byte[] raw = view.get(Cf.KV, Keys.current(nsId, key));
          budget.examine(1);
          last = key;
          if (reverse) hi = key;
          else lo = VersionScanner.successor(key);
          if (raw == null) continue;
          budget.read(raw.length);
          VersionRecord v = view.decode(raw);
          if (v.tombstone()) continue;
          if (!page.offer(key, v)) return true;
          if (page.full()) {
            if (it.hasNext() || round.size() >= k) page.more();
            return true;
          }
        }
        if (round.size() < k) return true; // the round saw every candidate left
      }
    }

    /**
     * The {@code k} first candidate keys in {@code [lo, hi)} in scan order, or null when finding them would take the
     * examined count past {@code maxExamined} (or past the deadline).
     */
    private TreeSet<byte[]> round(int k, long maxExamined) {
      TreeSet<byte[]> best = new TreeSet<>(Arrays::compareUnsigned);
      try (RocksIterator it = view.iterator(Cf.INDEX)) {
        if (reverse) it.seekForPrev(end);
        else it.seek(start);
        while (it.isValid()) {
          byte[] entry = it.key();
          if (Arrays.compareUnsigned(entry, start) < 0 || Arrays.compareUnsigned(entry, end) >= 0) {
            if (reverse ? Arrays.compareUnsigned(entry, start) < 0 : Arrays.compareUnsigned(entry, end) >= 0) break;
            if (reverse) it.prev(); else it.next(); // seekForPrev landed on the exclusive end itself
            continue;
          }
          budget.examine(1);
          if (budget.examined() > maxExamined || budget.exhausted()) return null;
          byte[] key = IndexValues.userKey(scan.def().type(), entry);
          byte[] group = Arrays.copyOf(entry, entry.length - key.length); // prefix | value: one value's entries
          if (!reverse) {
            if (lo != null && Arrays.compareUnsigned(key, lo) < 0) { // before the position: seek past it
              it.seek(concat(group, lo));
            } else if ((hi != null && Arrays.compareUnsigned(key, hi) >= 0)
                || (best.size() >= k && Arrays.compareUnsigned(key, best.last()) > 0)) {
              it.seek(Keys.prefixEnd(group)); // nothing more of this value can be among the first k
            } else {
              best.add(key);
              if (best.size() > k) best.pollLast();
              it.next();
            }
          } else {
            if (hi != null && Arrays.compareUnsigned(key, hi) >= 0) {
              if (Arrays.equals(key, hi)) it.prev();
              else it.seekForPrev(concat(group, hi));
            } else if ((lo != null && Arrays.compareUnsigned(key, lo) < 0)
                || (best.size() >= k && Arrays.compareUnsigned(key, best.first()) < 0)) {
              it.seekForPrev(group); // below every entry of this value, above every smaller value's
            } else {
              best.add(key);
              if (best.size() > k) best.pollFirst();
              it.prev();
            }
          }
        }
      }
      return best;
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static boolean matches(Query q, VersionRecord v, WorkBudget budget) {
    if (q.afterMillis() != null && v.timestampMillis() <= q.afterMillis()) return false;
    if (q.beforeMillis() != null && v.timestampMillis() >= q.beforeMillis()) return false;
    if (q.where().isEmpty()) return true;
    budget.evaluate(q.where().size());
    return Predicate.all(q.where(), new Row.Value(v));
  }

  private static byte[] max(byte[] a, byte[] b) {
    if (a == null) return b;
    return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
  }

  private static byte[] min(byte[] a, byte[] b) {
    if (a == null) return b;
    return Arrays.compareUnsigned(a, b) <= 0 ? a : b;
  }
}
