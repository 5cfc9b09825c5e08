package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksIterator;

/**
 * Applies log entries to storage. {@link #apply} is a deterministic function of the stored state and the entry: it
 * reads no clock, draws no random number and does no I/O beyond the {@link Batch} it is given. Replaying the same
 * entries on the same state on any node gives the same bytes and the same {@link ApplyResult}s. Preconditions that
 * depend on state (namespace exists, expected revision) are checked here and answered with
 * {@link ApplyResult.Rejected}, writing nothing.
 *
 * <p>Layout written: the current version of a key in {@code kv} (a tombstone stays there until retention removes
 * the key's whole history, so the next put knows its predecessor), every version in {@code history}, the revision
 * counter and namespaces in {@code meta}.
 */
public final class KvStateMachine {
  private static final byte[] EMPTY = new byte[0];
  private final RocksStore store;

  public KvStateMachine(RocksStore store) {
    this.store = store;
  }

  public ApplyResult apply(LogEntry proposed, Batch b) {
    store.noteIndex(b, proposed.index());
    LogEntry entry = withMonotonicTime(proposed, b);
    return switch (entry.command()) {
      case Command.CreateNamespace c -> createNamespace(c, entry, b);
      case Command.DropNamespace c -> dropNamespace(c, b);
      case Command.Put c -> put(c, entry, b);
      case Command.Delete c -> delete(c, entry, b);
      case Command.Compact c -> compact(c, b);
      case Command.Txn c -> txn(c, entry, b);
    };
  }

  /**
   * Commit times never go backwards, even when a new leader's clock is behind the old one's: the time used is the
   * later of the entry's and the last applied one (a function of stored state, so every replica agrees).
   */
  private LogEntry withMonotonicTime(LogEntry e, Batch b) {
    if (e.command().exclusive()) return e; // compaction and drops write no version
    long last = RocksStore.bytesLong(b.get(Cf.META, RocksStore.LAST_TIMESTAMP));
    long ts = Math.max(last, e.timestampMillis());
    if (ts != last) b.put(Cf.META, RocksStore.LAST_TIMESTAMP, RocksStore.longBytes(ts));
    return ts == e.timestampMillis() ? e : new LogEntry(e.index(), ts, e.command());
  }

  private ApplyResult createNamespace(Command.CreateNamespace c, LogEntry e, Batch b) {
    byte[] key = RocksStore.namespaceKey(c.name());
    byte[] existing = b.get(Cf.META, key);
    if (existing != null) {
      NamespaceInfo info = NamespaceInfo.decode(c.name(), existing);
      return new ApplyResult.NamespaceCreated(false, info.id(), info.createdMillis());
    }
    long next = RocksStore.bytesLong(b.get(Cf.META, RocksStore.NEXT_NS_ID));
    int id = (int) Math.max(1, next);
    b.put(Cf.META, RocksStore.NEXT_NS_ID, RocksStore.longBytes(id + 1L));
    NamespaceInfo info = new NamespaceInfo(c.name(), id, e.timestampMillis(), 0);
    b.put(Cf.META, key, info.encode());
    b.afterCommit(() -> store.cacheNamespace(c.name(), info));
    return new ApplyResult.NamespaceCreated(true, id, e.timestampMillis());
  }

  private ApplyResult dropNamespace(Command.DropNamespace c, Batch b) {
    byte[] key = RocksStore.namespaceKey(c.name());
    byte[] existing = b.get(Cf.META, key);
    if (existing == null) return new ApplyResult.NamespaceDropped(false);
    NamespaceInfo info = NamespaceInfo.decode(c.name(), existing);
    b.deleteRange(Cf.KV, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.deleteRange(Cf.HISTORY, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.deleteRange(Cf.CHANGES, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.delete(Cf.META, key);
    b.afterCommit(() -> store.cacheNamespace(c.name(), null));
    return new ApplyResult.NamespaceDropped(true);
  }

  private NamespaceInfo namespace(Batch b, String name) {
    byte[] v = b.get(Cf.META, RocksStore.namespaceKey(name));
    return v == null ? null : NamespaceInfo.decode(name, v);
  }

  private static ApplyResult noNamespace(String name) {
    return new ApplyResult.Rejected(ErrorCode.NAMESPACE_NOT_FOUND, "namespace '" + name + "' does not exist");
  }

  private long nextRevision(Batch b) {
    long rev = RocksStore.bytesLong(b.get(Cf.META, RocksStore.REVISION)) + 1;
    b.put(Cf.META, RocksStore.REVISION, RocksStore.longBytes(rev));
    store.noteRevision(b, rev);
    return rev;
  }

  private static VersionRecord decodeOrNull(byte[] v) {
    return v == null ? null : VersionRecord.decode(v);
  }

  private ApplyResult put(Command.Put c, LogEntry e, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] kvKey = Keys.current(ns.id(), c.key());
    VersionRecord cur = decodeOrNull(b.get(Cf.KV, kvKey));
    boolean live = cur != null && !cur.tombstone();
    ApplyResult mismatch = checkExpected(c.expectedRevision(), live ? cur : null);
    if (mismatch != null) return mismatch;
    VersionRecord rec = writeValue(ns, c.key(), cur, nextRevision(b), e, c.contentType(), c.value(), b);
    return new ApplyResult.Written(rec.revision(), rec.createRevision(), rec.version(), e.timestampMillis());
  }

  /** Writes a new current version of a key at revision {@code rev}; {@code cur} is its stored version or null. */
  private static VersionRecord writeValue(NamespaceInfo ns, byte[] key, VersionRecord cur, long rev, LogEntry e,
      ContentType ct, byte[] value, Batch b) {
    boolean live = cur != null && !cur.tombstone();
    VersionRecord rec = new VersionRecord(
        rev,
        live ? cur.createRevision() : rev,
        live ? cur.version() + 1 : 1,
        cur == null ? 0 : cur.revision(),
        e.timestampMillis(),
        false,
        ct,
        value);
    store(ns, key, rec, b);
    return rec;
  }

  /** Writes a tombstone for a live key at revision {@code rev}. */
  private static void writeTombstone(NamespaceInfo ns, byte[] key, VersionRecord cur, long rev, LogEntry e, Batch b) {
    store(ns, key, new VersionRecord(
        rev, cur.createRevision(), 0, cur.revision(), e.timestampMillis(), true, ContentType.OCTET_STREAM, EMPTY), b);
  }

  private static void store(NamespaceInfo ns, byte[] key, VersionRecord rec, Batch b) {
    byte[] encoded = rec.encode();
    b.put(Cf.KV, Keys.current(ns.id(), key), encoded);
    b.put(Cf.HISTORY, Keys.history(ns.id(), key, rec.revision()), encoded);
    b.put(Cf.CHANGES, Keys.change(ns.id(), rec.revision(), key), EMPTY);
    b.touch(ns.id(), key);
  }

  private ApplyResult delete(Command.Delete c, LogEntry e, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] kvKey = Keys.current(ns.id(), c.key());
    VersionRecord cur = decodeOrNull(b.get(Cf.KV, kvKey));
    boolean live = cur != null && !cur.tombstone();
    if (c.expectedRevision() == 0) {
      return new ApplyResult.Rejected(ErrorCode.BAD_REQUEST, "a delete cannot expect revision 0");
    }
    ApplyResult mismatch = checkExpected(c.expectedRevision(), live ? cur : null);
    if (mismatch != null) return mismatch;
    if (!live) {
      long current = RocksStore.bytesLong(b.get(Cf.META, RocksStore.REVISION));
      return new ApplyResult.Deleted(false, current, e.timestampMillis());
    }
    long rev = nextRevision(b);
    writeTombstone(ns, c.key(), cur, rev, e, b);
    return new ApplyResult.Deleted(true, rev, e.timestampMillis());
  }

  /**
   * The most value bytes the range operations of one transaction return together (each range returns at least one
   * item), so an answer always fits a protocol frame.
   */
  static final int RANGE_MAX_BYTES = 4 * 1024 * 1024;

  private ApplyResult txn(Command.Txn c, LogEntry e, Batch b) {
    java.util.Map<String, NamespaceInfo> spaces = new java.util.HashMap<>();
    java.util.stream.Stream<String> names = java.util.stream.Stream.of(
        c.compares().stream().map(Compare::namespace), c.success().stream().map(TxnOp::namespace),
        c.failure().stream().map(TxnOp::namespace)).flatMap(x -> x);
    for (String name : (Iterable<String>) names.distinct()::iterator) {
      NamespaceInfo ns = namespace(b, name);
      if (ns == null) return noNamespace(name);
      spaces.put(name, ns);
    }
    boolean holds = true;
    for (Compare cmp : c.compares()) {
      if (!cmp.holds(live(b, spaces.get(cmp.namespace()), cmp.key()))) {
        holds = false;
        break;
      }
    }
    long rev = 0; // allocated at the first write: a transaction that writes nothing does not advance the revision
    List<ApplyResult.OpResult> results = new ArrayList<>();
    long[] rangeBytes = {0};
    for (TxnOp op : holds ? c.success() : c.failure()) {
      NamespaceInfo ns = spaces.get(op.namespace());
      switch (op) {
        case TxnOp.Put p -> {
          if (rev == 0) rev = nextRevision(b);
          VersionRecord cur = decodeOrNull(b.get(Cf.KV, Keys.current(ns.id(), p.key())));
          VersionRecord rec = writeValue(ns, p.key(), cur, rev, e, p.contentType(), p.value(), b);
          results.add(new ApplyResult.OpResult.Put(rev, rec.createRevision(), rec.version()));
        }
        case TxnOp.Delete d -> {
          VersionRecord cur = live(b, ns, d.key());
          if (cur != null) {
            if (rev == 0) rev = nextRevision(b);
            writeTombstone(ns, d.key(), cur, rev, e, b);
          }
          results.add(new ApplyResult.OpResult.Delete(cur != null));
        }
        case TxnOp.Get g -> results.add(new ApplyResult.OpResult.Get(live(b, ns, g.key())));
        case TxnOp.Range r -> results.add(range(ns, r, b, rangeBytes));
      }
    }
    long revision = rev != 0 ? rev : RocksStore.bytesLong(b.get(Cf.META, RocksStore.REVISION));
    return new ApplyResult.TxnDone(holds, revision, e.timestampMillis(), results);
  }

  private static ApplyResult.OpResult.Range range(NamespaceInfo ns, TxnOp.Range r, Batch b, long[] bytes) {
    byte[] from = Keys.current(ns.id(), r.from());
    byte[] to = r.to() == null ? Keys.nsEnd(ns.id()) : Keys.current(ns.id(), r.to());
    var entries = b.scan(Cf.KV, from, to, r.limit() + 1, v -> !VersionRecord.decode(v).tombstone());
    List<ApplyResult.KeyVersion> items = new ArrayList<>();
    boolean more = entries.size() > r.limit();
    for (var entry : entries.subList(0, Math.min(entries.size(), r.limit()))) {
      VersionRecord v = VersionRecord.decode(entry.getValue());
      if (!items.isEmpty() && bytes[0] + v.value().length > RANGE_MAX_BYTES) {
        more = true;
        break;
      }
      bytes[0] += v.value().length;
      items.add(new ApplyResult.KeyVersion(Keys.userKeyOfCurrent(entry.getKey()), v));
    }
    return new ApplyResult.OpResult.Range(items, more);
  }

  /** The live current version of a key, or null when it does not exist (never written, deleted, or compacted). */
  private static VersionRecord live(Batch b, NamespaceInfo ns, byte[] key) {
    VersionRecord cur = decodeOrNull(b.get(Cf.KV, Keys.current(ns.id(), key)));
    return cur == null || cur.tombstone() ? null : cur;
  }

  private static ApplyResult checkExpected(long expected, VersionRecord live) {
    if (expected == Command.ANY_REVISION) return null;
    if (expected == 0 && live != null) {
      return new ApplyResult.Rejected(ErrorCode.REVISION_MISMATCH,
          "key already exists (mod revision " + live.revision() + ")");
    }
    if (expected > 0 && (live == null || live.revision() != expected)) {
      return new ApplyResult.Rejected(ErrorCode.REVISION_MISMATCH,
          "expected mod revision " + expected + " but the key "
              + (live == null ? "does not exist" : "is at mod revision " + live.revision()));
    }
    return null;
  }

  private ApplyResult compact(Command.Compact c, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    boolean byTime = c.cutoffMillis() != Long.MIN_VALUE;
    if (c.keepVersions() == 0 && !byTime) return new ApplyResult.Compacted(0, 0, null);
    byte[] nsStart = Keys.nsPrefix(ns.id());
    byte[] start = c.fromKey().length == 0 ? nsStart : Keys.historyKeyPrefix(ns.id(), c.fromKey());
    int keys = 0;
    long removed = 0;
    long gcRevision = ns.gcRevision();
    long[] compactRevision = {ns.compactRevision()};
    byte[] nextKey = null;
    try (RocksIterator it = b.iterator(Cf.HISTORY)) {
      it.seek(start);
      List<byte[]> dbKeys = new ArrayList<>();
      List<VersionRecord> versions = new ArrayList<>();
      byte[] groupPrefix = null;
      while (true) {
        boolean valid = it.isValid() && Keys.startsWith(it.key(), nsStart);
        byte[] k = valid ? it.key() : null;
        byte[] p = valid ? Keys.prefixOfHistory(k) : null;
        if (groupPrefix != null && (!valid || !Arrays.equals(p, groupPrefix))) {
          // a whole key's versions are collected: apply the policy to them
          removed += retain(c, ns, dbKeys, versions, b, compactRevision);
          if (dbKeys.isEmpty()) { // the key's whole history is gone: older scans can no longer see it
            gcRevision = Math.max(gcRevision, versions.getLast().revision());
          }
          keys++;
          dbKeys.clear();
          versions.clear();
          if (valid && keys >= c.maxKeys()) {
            nextKey = Keys.userKeyOfHistory(k);
            break;
          }
        }
        if (!valid) break;
        groupPrefix = p;
        dbKeys.add(k);
        versions.add(VersionRecord.decode(it.value()));
        it.next();
      }
    }
    if (gcRevision != ns.gcRevision() || compactRevision[0] != ns.compactRevision()) {
      NamespaceInfo updated = ns.withGcRevision(gcRevision).withCompactRevision(compactRevision[0]);
      b.put(Cf.META, RocksStore.namespaceKey(ns.name()), updated.encode());
      b.afterCommit(() -> store.cacheNamespace(ns.name(), updated));
    }
    return new ApplyResult.Compacted(keys, removed, nextKey);
  }

  /**
   * Deletes the versions of one key that the policy does not keep. Versions are oldest first. The kept versions are
   * always the newest ones (a suffix). Leaves in {@code dbKeys} only the history keys that remain, so the caller can
   * tell when a key's history is gone. Removed versions leave the change feed too; {@code compactRevision[0]} is
   * raised to the newest removed revision.
   */
  private long retain(Command.Compact c, NamespaceInfo ns, List<byte[]> dbKeys, List<VersionRecord> versions, Batch b,
      long[] compactRevision) {
    int n = versions.size();
    boolean byTime = c.cutoffMillis() != Long.MIN_VALUE;
    int firstKept = n - 1;
    for (int j = n - 2; j >= 0; j--) {
      int fromNewest = n - 1 - j;
      boolean keepByCount = c.keepVersions() > 0 && fromNewest < c.keepVersions();
      boolean keepByTime = byTime && versions.get(j + 1).timestampMillis() >= c.cutoffMillis();
      if (!keepByCount && !keepByTime) break;
      firstKept = j;
    }
    VersionRecord latest = versions.get(n - 1);
    boolean dropAll = firstKept == n - 1 && latest.tombstone() && byTime && latest.timestampMillis() < c.cutoffMillis();
    int removeUpTo = dropAll ? n : firstKept; // exclusive
    byte[] key = removeUpTo > 0 ? Keys.userKeyOfHistory(dbKeys.getFirst()) : null;
    for (int j = 0; j < removeUpTo; j++) {
      long rev = versions.get(j).revision();
      b.delete(Cf.HISTORY, dbKeys.get(j));
      b.delete(Cf.CHANGES, Keys.change(ns.id(), rev, key));
      compactRevision[0] = Math.max(compactRevision[0], rev);
    }
    if (dropAll) {
      byte[] userKey = Keys.userKeyOfHistory(dbKeys.getFirst());
      b.delete(Cf.KV, Keys.current(ns.id(), userKey));
      b.touch(ns.id(), userKey);
    }
    List<byte[]> remaining = new ArrayList<>(dbKeys.subList(removeUpTo, n));
    dbKeys.clear();
    dbKeys.addAll(remaining);
    return removeUpTo;
  }
}
