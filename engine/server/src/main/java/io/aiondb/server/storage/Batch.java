package io.aiondb.server.storage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The writes of one group of log entries, committed to RocksDB as a single atomic {@link WriteBatch} together with
 * the last applied index. Reads through a batch see its own earlier writes (an overlay) and then the database.
 * Iteration ({@link #iterator}) sees only the database, so commands that iterate are applied in a batch of their
 * own (see {@code Command.exclusive()}).
 */
public final class Batch implements AutoCloseable {
  private static final byte[] DELETED = new byte[0];

  private final RocksStore store;
  final WriteBatch writeBatch = new WriteBatch();
  private final Map<Cf, Map<ByteKey, byte[]>> overlay = new HashMap<>();
  final Set<CacheKey> touched = new HashSet<>();
  final List<Runnable> afterCommit = new ArrayList<>();
  /** Namespaces whose change feed ({@link Cf#CHANGES}) this batch writes, deletes from or drops. */
  final Set<Integer> feedNamespaces = new HashSet<>();
  long lastIndex;
  long lastTerm = -1;
  long lastRevision = -1;
  /** While a {@link #savepoint} is open: what each overlay write replaced, newest last (null: nothing was there). */
  private List<Undo> undo;

  private record Undo(Cf cf, ByteKey key, byte[] previous) {}

  /**
   * The state of a batch at a {@link #savepoint}: {@link #rollback} returns the batch to it, so one command of several
   * applied in one batch can be undone without touching its neighbours' writes.
   */
  public record Savepoint(int afterCommit, Set<Integer> feedNamespaces, long lastRevision) {}

  Batch(RocksStore store) {
    this.store = store;
  }

  public byte[] get(Cf cf, byte[] key) {
    Map<ByteKey, byte[]> m = overlay.get(cf);
    if (m != null) {
      byte[] v = m.get(new ByteKey(key));
      if (v != null) return v == DELETED ? null : v;
    }
    return store.read(() -> {
      try {
        return store.db().get(store.handle(cf), key);
      } catch (RocksDBException e) {
        throw new StorageException("read failed", e);
      }
    });
  }

  public void put(Cf cf, byte[] key, byte[] value) {
    if (cf == Cf.CHANGES) feedNamespaces.add(Keys.nsOf(key));
    try {
      writeBatch.put(store.handle(cf), key, value);
    } catch (RocksDBException e) {
      throw new StorageException("batch put failed", e);
    }
    overlayPut(cf, key, value);
  }

  private void overlayPut(Cf cf, byte[] key, byte[] value) {
    ByteKey k = new ByteKey(key);
    byte[] previous = overlay.computeIfAbsent(cf, c -> new HashMap<>()).put(k, value);
    if (undo != null) undo.add(new Undo(cf, k, previous));
  }

  /**
   * Opens a savepoint (one at a time): the writes from here on can be undone with {@link #rollback}, or kept with
   * {@link #release}. Range operations ({@link #deleteRange}) are not undone: only exclusive commands use them, and
   * those are applied in a batch of their own.
   */
  public Savepoint savepoint() {
    if (undo != null) throw new IllegalStateException("a savepoint is already open");
    writeBatch.setSavePoint();
    undo = new ArrayList<>();
    return new Savepoint(afterCommit.size(), new HashSet<>(feedNamespaces), lastRevision);
  }

  /** Keeps the writes since {@code sp}. */
  public void release(Savepoint sp) {
    if (undo == null) throw new IllegalStateException("no savepoint is open");
    try {
      writeBatch.popSavePoint();
    } catch (RocksDBException e) {
      throw new StorageException("batch savepoint release failed", e);
    }
    undo = null;
  }

  /**
   * Undoes every write since {@code sp}: the RocksDB batch, the overlay that reads see, the after-commit actions, the
   * change-feed namespaces and the revision. (Cache invalidations of keys that are then not written stay: dropping a
   * cached value that did not change is harmless.)
   */
  public void rollback(Savepoint sp) {
    if (undo == null) throw new IllegalStateException("no savepoint is open");
    try {
      writeBatch.rollbackToSavePoint();
    } catch (RocksDBException e) {
      throw new StorageException("batch rollback failed", e);
    }
    for (int i = undo.size() - 1; i >= 0; i--) {
      Undo u = undo.get(i);
      Map<ByteKey, byte[]> m = overlay.get(u.cf());
      if (u.previous() == null) m.remove(u.key()); else m.put(u.key(), u.previous());
    }
    overlay.values().removeIf(Map::isEmpty);
    undo = null;
    while (afterCommit.size() > sp.afterCommit()) afterCommit.removeLast();
    feedNamespaces.retainAll(sp.feedNamespaces());
    lastRevision = sp.lastRevision();
  }

  public void delete(Cf cf, byte[] key) {
    if (cf == Cf.CHANGES) feedNamespaces.add(Keys.nsOf(key));
    try {
      writeBatch.delete(store.handle(cf), key);
    } catch (RocksDBException e) {
      throw new StorageException("batch delete failed", e);
    }
    overlayPut(cf, key, DELETED);
  }

  /** Deletes {@code [from, to)}. Only in an exclusive batch: the overlay does not track ranges. */
  public void deleteRange(Cf cf, byte[] from, byte[] to) {
    requireExclusive();
    if (cf == Cf.CHANGES) { // the listener is told which namespaces' feeds changed: one namespace per range
      int ns = Keys.nsOf(from);
      if (java.util.Arrays.compareUnsigned(to, Keys.nsEnd(ns)) > 0) {
        throw new IllegalArgumentException("a change-feed range delete stays within one namespace");
      }
      feedNamespaces.add(ns);
    }
    try {
      writeBatch.deleteRange(store.handle(cf), from, to);
    } catch (RocksDBException e) {
      throw new StorageException("batch deleteRange failed", e);
    }
  }

  /** An iterator over the database as committed (not this batch). Only in an exclusive batch. Close it. */
  public RocksIterator iterator(Cf cf) {
    requireExclusive();
    return store.db().newIterator(store.handle(cf));
  }

  /**
   * Up to {@code limit} entries of {@code [from, to)} ({@code to} null: no bound) whose value passes {@code keep}, in
   * key order, as the database plus this batch's own writes. Unlike {@link #iterator} this is allowed in any batch.
   */
  public List<Map.Entry<byte[], byte[]>> scan(Cf cf, byte[] from, byte[] to, int limit,
      java.util.function.Predicate<byte[]> keep) {
    return scan(cf, from, to, limit, keep, Long.MAX_VALUE).entries();
  }

  /** What a bounded {@link #scan} found; {@code exhausted}: it stopped after examining its maximum of entries. */
  public record Scan(List<Map.Entry<byte[], byte[]>> entries, long examined, boolean exhausted) {}

  /**
   * As {@link #scan(Cf, byte[], byte[], int, java.util.function.Predicate)}, examining at most {@code maxExamined}
   * entries (kept or not), so entries that {@code keep} skips (tombstones) cost as much as the ones it keeps.
   */
  public Scan scan(Cf cf, byte[] from, byte[] to, int limit, java.util.function.Predicate<byte[]> keep,
      long maxExamined) {
    java.util.TreeMap<byte[], byte[]> pending = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
    Map<ByteKey, byte[]> m = overlay.get(cf);
    if (m != null) {
      for (Map.Entry<ByteKey, byte[]> e : m.entrySet()) {
        byte[] k = e.getKey().bytes();
        if (java.util.Arrays.compareUnsigned(k, from) >= 0 && (to == null || java.util.Arrays.compareUnsigned(k, to) < 0)) {
          pending.put(k, e.getValue());
        }
      }
    }
    List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
    long[] examined = {0};
    boolean[] exhausted = {false};
    store.read(() -> {
      try (RocksIterator it = store.db().newIterator(store.handle(cf))) {
        it.seek(from);
        while (out.size() < limit) {
          byte[] dbKey = null;
          if (it.isValid()) {
            dbKey = it.key();
            if (to != null && java.util.Arrays.compareUnsigned(dbKey, to) >= 0) dbKey = null;
          }
          Map.Entry<byte[], byte[]> next = pending.firstEntry();
          if (dbKey == null && next == null) break;
          if (examined[0] >= maxExamined) { // more to look at, but no budget left
            exhausted[0] = true;
            break;
          }
          byte[] key;
          byte[] value;
          if (next != null && (dbKey == null || java.util.Arrays.compareUnsigned(next.getKey(), dbKey) <= 0)) {
            key = next.getKey();
            value = next.getValue();
            pending.pollFirstEntry();
            if (dbKey != null && java.util.Arrays.equals(key, dbKey)) it.next(); // the batch's write shadows it
          } else {
            key = dbKey;
            value = it.value();
            it.next();
          }
          examined[0]++;
          if (value != DELETED && keep.test(value)) out.add(Map.entry(key, value));
        }
      }
      return null;
    });
    return new Scan(out, examined[0], exhausted[0]);
  }

  /** Marks a current value as changed, so the read cache drops it after commit. */
  public void touch(int nsId, byte[] key) {
    touched.add(new CacheKey(nsId, new ByteKey(key)));
  }

  /** Runs after the batch is durably committed (e.g. refresh in-memory namespace maps). */
  public void afterCommit(Runnable r) {
    afterCommit.add(r);
  }

  public boolean isEmpty() {
    return writeBatch.count() == 0 && lastIndex == 0;
  }

  /** Range operations and iteration are only for exclusive commands: no other command's point writes may be here. */
  private void requireExclusive() {
    if (!overlay.isEmpty()) throw new IllegalStateException("range operations need an exclusive batch");
  }

  @Override
  public void close() {
    writeBatch.close();
    store.atRest().batchEnd();
  }
}
