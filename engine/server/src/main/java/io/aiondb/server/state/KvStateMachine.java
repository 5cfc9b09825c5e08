package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.IndexDef;
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
      case Command.PutAll c -> putAll(c, entry, b);
      case Command.CreateIndex c -> createIndex(c, entry, b);
      case Command.DropIndex c -> dropIndex(c, b);
      case Command.BackfillIndex c -> backfill(c, b);
      case Command.AuthWrite c -> authWrite(c, b);
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

  private ApplyResult authWrite(Command.AuthWrite c, Batch b) {
    byte[] key = RocksStore.authKey(c.key());
    byte[] existing = b.get(Cf.META, key);
    if (c.value() == null) {
      if (existing == null) return new ApplyResult.AuthWritten(false);
      b.delete(Cf.META, key);
    } else {
      if (c.ifAbsent() && existing != null) return new ApplyResult.AuthWritten(false);
      b.put(Cf.META, key, store.atRest().sealMeta(key, c.value()));
    }
    b.afterCommit(store::authChanged);
    return new ApplyResult.AuthWritten(true);
  }

  private ApplyResult dropNamespace(Command.DropNamespace c, Batch b) {
    byte[] key = RocksStore.namespaceKey(c.name());
    byte[] existing = b.get(Cf.META, key);
    if (existing == null) return new ApplyResult.NamespaceDropped(false);
    NamespaceInfo info = NamespaceInfo.decode(c.name(), existing);
    b.deleteRange(Cf.KV, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.deleteRange(Cf.HISTORY, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.deleteRange(Cf.CHANGES, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    b.deleteRange(Cf.INDEX, Keys.nsPrefix(info.id()), Keys.nsEnd(info.id()));
    byte[] idx = IndexDef.metaPrefix(info.id());
    b.deleteRange(Cf.META, idx, Keys.prefixEnd(idx));
    b.afterCommit(() -> store.forgetIndexes(info.id()));
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

  private VersionRecord decodeOrNull(byte[] v) {
    return v == null ? null : store.decode(v);
  }

  private ApplyResult put(Command.Put c, LogEntry e, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] kvKey = Keys.current(ns.id(), c.key());
    VersionRecord cur = decodeOrNull(b.get(Cf.KV, kvKey));
    boolean live = cur != null && !cur.tombstone();
    ApplyResult mismatch = checkExpected(c.expectedRevision(), live ? cur : null);
    if (mismatch != null) return mismatch;
    ApplyResult violation = checkUnique(List.of(new Pending(ns, c.key(), c.contentType(), c.value())), List.of(), b);
    if (violation != null) return violation;
    VersionRecord rec = writeValue(ns, c.key(), cur, nextRevision(b), e, c.contentType(), c.value(), b);
    return new ApplyResult.Written(rec.revision(), rec.createRevision(), rec.version(), e.timestampMillis());
  }

  /**
   * A batch of puts: every precondition (the namespace exists, unique indexes hold for every item) is checked before
   * the first write, so a rejected batch writes nothing; then every key gets a new version at one revision.
   */
  private ApplyResult putAll(Command.PutAll c, LogEntry e, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    if (store.indexes(ns.id()).stream().anyMatch(d -> d.unique() && d.maintained())) {
      List<Pending> puts = new ArrayList<>(c.items().size());
      for (Command.PutAll.Item item : c.items()) puts.add(new Pending(ns, item.key(), item.contentType(), item.value()));
      ApplyResult violation = checkUnique(puts, List.of(), b);
      if (violation != null) return violation;
    }
    long rev = nextRevision(b);
    for (Command.PutAll.Item item : c.items()) {
      VersionRecord cur = decodeOrNull(b.get(Cf.KV, Keys.current(ns.id(), item.key())));
      writeValue(ns, item.key(), cur, rev, e, item.contentType(), item.value(), b);
    }
    return new ApplyResult.BatchWritten(rev, c.items().size(), e.timestampMillis());
  }

  /** Writes a new current version of a key at revision {@code rev}; {@code cur} is its stored version or null. */
  private VersionRecord writeValue(NamespaceInfo ns, byte[] key, VersionRecord cur, long rev, LogEntry e,
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
    store(ns, key, cur, rec, b);
    return rec;
  }

  /** Writes a tombstone for a live key at revision {@code rev}. */
  private void writeTombstone(NamespaceInfo ns, byte[] key, VersionRecord cur, long rev, LogEntry e, Batch b) {
    store(ns, key, cur, new VersionRecord(
        rev, cur.createRevision(), 0, cur.revision(), e.timestampMillis(), true, ContentType.OCTET_STREAM, EMPTY), b);
  }

  /** Writes a version (current, history, change feed) and moves the key's entries in the namespace's indexes. */
  private void store(NamespaceInfo ns, byte[] key, VersionRecord old, VersionRecord rec, Batch b) {
    var indexes = store.indexes(ns.id());
    com.fasterxml.jackson.databind.JsonNode oldJson = indexes.isEmpty() ? null : IndexValues.json(old);
    com.fasterxml.jackson.databind.JsonNode newJson = indexes.isEmpty() ? null : IndexValues.json(rec);
    for (IndexDef def : indexes) {
      if (!def.maintained()) continue;
      JsonPath path = path(def);
      byte[] before = IndexValues.of(def, path, oldJson);
      byte[] after = IndexValues.of(def, path, newJson);
      if (before != null && after != null && Arrays.equals(before, after)) continue;
      if (before != null) b.delete(Cf.INDEX, IndexValues.entry(ns.id(), def.id(), before, key));
      if (after != null) b.put(Cf.INDEX, IndexValues.entry(ns.id(), def.id(), after, key), EMPTY);
    }
    byte[] encoded = rec.encode(store.atRest());
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
   * The most value bytes the reads ({@code get} and {@code range}) of one transaction return together, so an answer
   * always fits a protocol frame and a transaction cannot make every replica build a huge result inside apply. A
   * range stops early (with {@code more}) when the next value would pass it; a get, or a range whose first value
   * would pass it, rejects the whole transaction ({@code RESPONSE_TOO_LARGE}, nothing written).
   */
  static final int READ_MAX_BYTES = 4 * 1024 * 1024;

  /**
   * The most stored keys the ranges of one transaction examine together, deleted ones (tombstones kept for history)
   * included. A range that reaches it stops early (with {@code more}) after the items it found; one that found none
   * rejects the transaction ({@code RESPONSE_TOO_LARGE}): narrow the range or page with a query.
   */
  static final int RANGE_MAX_EXAMINED = 10_000;

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
    List<TxnOp> branch = holds ? c.success() : c.failure();
    List<Pending> puts = new ArrayList<>();
    List<Pending> written = new ArrayList<>();
    for (TxnOp op : branch) {
      if (op instanceof TxnOp.Put p) puts.add(new Pending(spaces.get(p.namespace()), p.key(), p.contentType(), p.value()));
      if (op instanceof TxnOp.Delete d) written.add(new Pending(spaces.get(d.namespace()), d.key(), null, null));
    }
    ApplyResult violation = checkUnique(puts, written, b);
    if (violation != null) return violation;
    long rev = 0; // allocated at the first write: a transaction that writes nothing does not advance the revision
    List<ApplyResult.OpResult> results = new ArrayList<>();
    long[] budget = {READ_MAX_BYTES, RANGE_MAX_EXAMINED}; // value bytes, keys examined: what is left
    for (TxnOp op : branch) {
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
        case TxnOp.Get g -> {
          VersionRecord v = live(b, ns, g.key());
          if (v != null && v.value().length > budget[0]) throw readsTooLarge();
          if (v != null) budget[0] -= v.value().length;
          results.add(new ApplyResult.OpResult.Get(v));
        }
        case TxnOp.Range r -> results.add(range(ns, r, b, budget));
      }
    }
    long revision = rev != 0 ? rev : RocksStore.bytesLong(b.get(Cf.META, RocksStore.REVISION));
    return new ApplyResult.TxnDone(holds, revision, e.timestampMillis(), results);
  }

  private ApplyResult.OpResult.Range range(NamespaceInfo ns, TxnOp.Range r, Batch b, long[] budget) {
    byte[] from = Keys.current(ns.id(), r.from());
    byte[] to = r.to() == null ? Keys.nsEnd(ns.id()) : Keys.current(ns.id(), r.to());
    Batch.Scan scan = b.scan(Cf.KV, from, to, r.limit() + 1, v -> !store.decode(v).tombstone(), budget[1]);
    budget[1] -= scan.examined();
    var entries = scan.entries();
    if (entries.isEmpty() && scan.exhausted()) {
      throw new Rejection(ErrorCode.RESPONSE_TOO_LARGE, "the ranges of this transaction examined " + RANGE_MAX_EXAMINED
          + " stored keys (deleted ones included) without reaching the end; narrow the range or use a query, which pages");
    }
    List<ApplyResult.KeyVersion> items = new ArrayList<>();
    boolean more = entries.size() > r.limit() || scan.exhausted();
    for (var entry : entries.subList(0, Math.min(entries.size(), r.limit()))) {
      VersionRecord v = store.decode(entry.getValue());
      if (v.value().length > budget[0]) {
        if (items.isEmpty()) throw readsTooLarge();
        more = true;
        break;
      }
      budget[0] -= v.value().length;
      items.add(new ApplyResult.KeyVersion(Keys.userKeyOfCurrent(entry.getKey()), v));
    }
    return new ApplyResult.OpResult.Range(items, more);
  }

  private static Rejection readsTooLarge() {
    return new Rejection(ErrorCode.RESPONSE_TOO_LARGE, "the reads of this transaction would return more than "
        + READ_MAX_BYTES / (1024 * 1024) + " MiB of values; read fewer or smaller keys per transaction");
  }

  /** The live current version of a key, or null when it does not exist (never written, deleted, or compacted). */
  private VersionRecord live(Batch b, NamespaceInfo ns, byte[] key) {
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
        versions.add(store.decode(it.value()));
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

  // ------------------------------------------------------------------ secondary indexes

  private final java.util.Map<String, JsonPath> paths = new java.util.concurrent.ConcurrentHashMap<>();

  private JsonPath path(IndexDef def) {
    return paths.computeIfAbsent(def.field(), JsonPath::parse);
  }

  /** A write a unique check must consider: a put (value set) or a delete (value null). */
  private record Pending(NamespaceInfo ns, byte[] key, ContentType type, byte[] value) {
    VersionRecord asVersion() {
      return new VersionRecord(0, 0, 1, 0, 0, false, type, value);
    }
  }

  /**
   * Unique indexes after these writes: a put's value may not equal the value of another key, neither one already
   * stored (unless this command also writes that key) nor another put of the same command. Checked before anything
   * is written, so a violation writes nothing.
   */
  private ApplyResult checkUnique(List<Pending> puts, List<Pending> deletes, Batch b) {
    if (puts.isEmpty()) return null;
    java.util.Set<String> writtenKeys = new java.util.HashSet<>();
    for (Pending p : puts) writtenKeys.add(p.ns().id() + "/" + java.util.HexFormat.of().formatHex(p.key()));
    for (Pending p : deletes) writtenKeys.add(p.ns().id() + "/" + java.util.HexFormat.of().formatHex(p.key()));
    java.util.Map<String, byte[]> claimed = new java.util.HashMap<>();
    for (Pending p : puts) {
      for (IndexDef def : store.indexes(p.ns().id())) {
        if (!def.unique() || !def.maintained()) continue;
        byte[] v = IndexValues.of(def, path(def), p.asVersion());
        if (v == null) continue;
        String slot = p.ns().id() + "/" + def.id() + "/" + java.util.HexFormat.of().formatHex(v);
        byte[] other = claimed.putIfAbsent(slot, p.key());
        if (other != null && !Arrays.equals(other, p.key())) return unique(def, p.key(), other);
        byte[] prefix = IndexValues.prefix(p.ns().id(), def.id());
        byte[] valuePrefix = java.nio.ByteBuffer.allocate(prefix.length + v.length).put(prefix).put(v).array();
        for (var entry : b.scan(Cf.INDEX, valuePrefix, Keys.prefixEnd(valuePrefix), 2 + writtenKeys.size(), x -> true)) {
          byte[] holder = IndexValues.userKey(def.type(), entry.getKey());
          if (Arrays.equals(holder, p.key())) continue;
          if (writtenKeys.contains(p.ns().id() + "/" + java.util.HexFormat.of().formatHex(holder))) continue;
          return unique(def, p.key(), holder);
        }
      }
    }
    return null;
  }

  private static ApplyResult unique(IndexDef def, byte[] key, byte[] holder) {
    return new ApplyResult.Rejected(ErrorCode.UNIQUE_VIOLATION, "unique index '" + def.name() + "' (" + def.field()
        + "): key '" + Command.describeKey(key) + "' would have the same value as key '" + Command.describeKey(holder) + "'");
  }

  private ApplyResult createIndex(Command.CreateIndex c, LogEntry e, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] metaKey = IndexDef.metaKey(ns.id(), c.name());
    byte[] existing = b.get(Cf.META, metaKey);
    IndexDef wanted = new IndexDef(c.name(), 0, c.field(), c.type(), c.unique(), IndexDef.State.BUILDING, null,
        new byte[0], e.timestampMillis());
    if (existing != null) {
      IndexDef have = IndexDef.decode(existing);
      if (have.sameDefinition(wanted)) return new ApplyResult.IndexCreated(false, have);
      return new ApplyResult.Rejected(ErrorCode.INDEX_EXISTS, "index '" + c.name() + "' of namespace '" + c.namespace()
          + "' exists with another definition (" + have.field() + ", " + have.type().name().toLowerCase(java.util.Locale.ROOT)
          + (have.unique() ? ", unique" : "") + "); drop it first");
    }
    long next = RocksStore.bytesLong(b.get(Cf.META, NEXT_INDEX_ID));
    int id = (int) Math.max(1, next);
    b.put(Cf.META, NEXT_INDEX_ID, RocksStore.longBytes(id + 1L));
    IndexDef def = new IndexDef(c.name(), id, c.field(), c.type(), c.unique(), IndexDef.State.BUILDING, null,
        new byte[0], e.timestampMillis());
    b.put(Cf.META, metaKey, def.encode());
    b.afterCommit(() -> store.cacheIndex(ns.id(), def.name(), def));
    return new ApplyResult.IndexCreated(true, def);
  }

  static final byte[] NEXT_INDEX_ID = "next-index-id".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private ApplyResult dropIndex(Command.DropIndex c, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] metaKey = IndexDef.metaKey(ns.id(), c.name());
    byte[] existing = b.get(Cf.META, metaKey);
    if (existing == null) return new ApplyResult.IndexDropped(false);
    IndexDef def = IndexDef.decode(existing);
    byte[] prefix = IndexValues.prefix(ns.id(), def.id());
    b.deleteRange(Cf.INDEX, prefix, Keys.prefixEnd(prefix));
    b.delete(Cf.META, metaKey);
    b.afterCommit(() -> store.cacheIndex(ns.id(), def.name(), null));
    return new ApplyResult.IndexDropped(true);
  }

  /**
   * Indexes the next {@code maxKeys} keys after the backfill's cursor. Keys written since the index was created are
   * already maintained by their writes; indexing one again writes the same entry. A unique index that meets a
   * duplicate becomes FAILED (writes stop maintaining it; drop it, fix the data, create it again).
   */
  private ApplyResult backfill(Command.BackfillIndex c, Batch b) {
    NamespaceInfo ns = namespace(b, c.namespace());
    if (ns == null) return noNamespace(c.namespace());
    byte[] metaKey = IndexDef.metaKey(ns.id(), c.name());
    byte[] existing = b.get(Cf.META, metaKey);
    if (existing == null) return new ApplyResult.Rejected(ErrorCode.INDEX_NOT_FOUND, "index '" + c.name() + "' does not exist");
    IndexDef def = IndexDef.decode(existing);
    if (def.id() != c.indexId() || def.state() != IndexDef.State.BUILDING) return new ApplyResult.Backfilled(0, def.state());
    JsonPath path = path(def);
    byte[] start = Keys.current(ns.id(), def.cursor());
    byte[] nsEnd = Keys.nsEnd(ns.id());
    int keys = 0;
    byte[] next = null;
    String failure = null;
    java.util.Map<String, byte[]> seen = new java.util.HashMap<>();
    try (RocksIterator it = b.iterator(Cf.KV)) {
      for (it.seek(start); it.isValid() && Arrays.compareUnsigned(it.key(), nsEnd) < 0; it.next()) {
        if (keys >= c.maxKeys()) {
          next = Keys.userKeyOfCurrent(it.key());
          break;
        }
        keys++;
        byte[] userKey = Keys.userKeyOfCurrent(it.key());
        byte[] v = IndexValues.of(def, path, store.decode(it.value()));
        if (v == null) continue;
        if (def.unique()) {
          byte[] valuePrefix = java.nio.ByteBuffer.allocate(8 + v.length).put(IndexValues.prefix(ns.id(), def.id())).put(v).array();
          byte[] holder = seen.get(java.util.HexFormat.of().formatHex(v));
          if (holder == null) {
            for (var entry : b.scan(Cf.INDEX, valuePrefix, Keys.prefixEnd(valuePrefix), 2, x -> true)) {
              byte[] h = IndexValues.userKey(def.type(), entry.getKey());
              if (!Arrays.equals(h, userKey)) holder = h;
            }
          }
          if (holder != null && !Arrays.equals(holder, userKey)) {
            failure = "keys '" + Command.describeKey(holder) + "' and '" + Command.describeKey(userKey)
                + "' have the same value of " + def.field() + "; drop the index, fix the data and create it again";
            break;
          }
          seen.put(java.util.HexFormat.of().formatHex(v), userKey);
        }
        b.put(Cf.INDEX, IndexValues.entry(ns.id(), def.id(), v, userKey), EMPTY);
      }
    }
    IndexDef updated = failure != null ? def.with(IndexDef.State.FAILED, failure, null)
        : next == null ? def.with(IndexDef.State.READY, null, null)
        : def.with(IndexDef.State.BUILDING, null, next);
    b.put(Cf.META, metaKey, updated.encode());
    b.afterCommit(() -> store.cacheIndex(ns.id(), updated.name(), updated));
    return new ApplyResult.Backfilled(keys, updated.state());
  }
}
