package io.aiondb.server.query;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.ReadView;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a {@link Query} against a consistent snapshot. The first page is read at the snapshot's revision from the
 * current values; its cursor pins that revision, and later pages read the history at exactly that revision (or the
 * current values again when nothing was written since). So paging under concurrent writes never skips or repeats a
 * key; a pinned revision that retention compacted away answers HISTORY_COMPACTED (410).
 */
public final class QueryExecutor {
  /** Keys looked at per page before returning a partial page with a cursor, so one request cannot scan forever. */
  static final int MAX_KEYS_PER_PAGE = 100_000;

  private final RocksStore store;
  private final Planner planner = new Planner();

  public QueryExecutor(RocksStore store) {
    this.store = store;
  }

  public Plan plan(Query q) {
    return planner.plan(q);
  }

  /** Index candidates kept in memory per page at most; beyond this the query falls back to the key-range scan. */
  static final int MAX_INDEX_CANDIDATES = 100_000;

  public QueryResult execute(Query q, NamespaceInfo ns) {
    return execute(q, ns, false);
  }

  /** {@code forceHistory}: read history even when current values would do (tests prove both paths agree). */
  QueryResult execute(Query q, NamespaceInfo ns, boolean forceHistory) {
    return execute(q, ns, forceHistory, false);
  }

  /** {@code forceScan}: ignore secondary indexes (tests prove the index path answers the same). */
  QueryResult execute(Query q, NamespaceInfo ns, boolean forceHistory, boolean forceScan) {
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
      if (q.explain()) return new QueryResult(revision, List.of(), null, plan, source);
      byte[] lower = plan.lower();
      byte[] upper = plan.upper();
      if (cursor != null) {
        if (q.reverse()) upper = min(upper, cursor.lastKey());
        else lower = max(lower, VersionScanner.successor(cursor.lastKey()));
      }
      List<Row> rows = new ArrayList<>();
      if (plan.empty() || (lower != null && upper != null && Arrays.compareUnsigned(lower, upper) >= 0)) {
        return new QueryResult(revision, rows, null, plan, source);
      }
      if (plan.index() != null) {
        java.util.NavigableSet<byte[]> keys = candidates(view, ns.id(), plan.index(), lower, upper);
        if (keys != null) return page(q, view, ns.id(), keys, revision, plan, source);
        plan = plan.withAccess("key-range-scan", null); // too many candidates for an index to help
      }
      long bytes = 0;
      int seen = 0;
      byte[] stopKey = null;
      try (VersionScanner s = fromCurrent
          ? VersionScanner.current(view, ns.id(), lower, upper, q.reverse())
          : VersionScanner.atRevision(view, ns.id(), lower, upper, q.reverse(), revision)) {
        while (s.next()) {
          seen++;
          VersionRecord v = s.version();
          if (matches(q, v)) {
            long size = s.key().length + (q.keysOnly() ? 0 : v.value().length);
            if (!rows.isEmpty() && bytes + size > q.maxBytes()) {
              stopKey = rows.getLast().key();
              break;
            }
            rows.add(new Row(s.key(), v));
            bytes += size;
            if (rows.size() >= q.limit()) {
              if (s.next()) stopKey = s.key() == null ? null : rows.getLast().key();
              break;
            }
          }
          if (seen >= MAX_KEYS_PER_PAGE) {
            stopKey = s.key();
            break;
          }
        }
      }
      String next = stopKey == null ? null : new Cursor(revision, q.hash(), stopKey).encode();
      return new QueryResult(revision, rows, next, plan, source);
    }
  }

  /** The keys in {@code [lower, upper)} whose index entry lies in the scan's range; null when there are too many. */
  private static java.util.NavigableSet<byte[]> candidates(ReadView view, int nsId, Plan.IndexScan scan, byte[] lower, byte[] upper) {
    java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(Arrays::compareUnsigned);
    if (scan.from() != null && scan.to() != null && Arrays.compareUnsigned(scan.from(), scan.to()) > 0) return keys;
    byte[] prefix = IndexValues.prefix(nsId, scan.def().id());
    byte[] start = scan.from() == null ? prefix : concat(prefix, scan.from());
    byte[] end = scan.to() == null ? io.aiondb.server.storage.Keys.prefixEnd(prefix)
        : io.aiondb.server.storage.Keys.prefixEnd(concat(prefix, scan.to()));
    try (org.rocksdb.RocksIterator it = view.iterator(io.aiondb.server.storage.Cf.INDEX)) {
      for (it.seek(start); it.isValid() && Arrays.compareUnsigned(it.key(), end) < 0; it.next()) {
        byte[] key = IndexValues.userKey(scan.def().type(), it.key());
        if (lower != null && Arrays.compareUnsigned(key, lower) < 0) continue;
        if (upper != null && Arrays.compareUnsigned(key, upper) >= 0) continue;
        keys.add(key);
        if (keys.size() > MAX_INDEX_CANDIDATES) return null;
      }
    }
    return keys;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** One page from index candidates: read each key's current version in key order and check it like a scan does. */
  private static QueryResult page(Query q, ReadView view, int nsId, java.util.NavigableSet<byte[]> keys, long revision,
      Plan plan, String source) {
    List<Row> rows = new ArrayList<>();
    long bytes = 0;
    byte[] stopKey = null;
    java.util.Iterator<byte[]> it = q.reverse() ? keys.descendingIterator() : keys.iterator();
    while (it.hasNext()) {
      byte[] key = it.next();
      byte[] raw = view.get(io.aiondb.server.storage.Cf.KV, io.aiondb.server.storage.Keys.current(nsId, key));
      if (raw == null) continue;
      VersionRecord v = VersionRecord.decode(raw);
      if (v.tombstone() || !matches(q, v)) continue;
      long size = key.length + (q.keysOnly() ? 0 : v.value().length);
      if (!rows.isEmpty() && bytes + size > q.maxBytes()) {
        stopKey = rows.getLast().key();
        break;
      }
      rows.add(new Row(key, v));
      bytes += size;
      if (rows.size() >= q.limit()) {
        if (it.hasNext()) stopKey = key;
        break;
      }
    }
    String next = stopKey == null ? null : new Cursor(revision, q.hash(), stopKey).encode();
    return new QueryResult(revision, rows, next, plan, source);
  }

  private static boolean matches(Query q, VersionRecord v) {
    if (q.afterMillis() != null && v.timestampMillis() <= q.afterMillis()) return false;
    if (q.beforeMillis() != null && v.timestampMillis() >= q.beforeMillis()) return false;
    return q.where().isEmpty() || Predicate.all(q.where(), new Row.Value(v));
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
