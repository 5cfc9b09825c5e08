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
  long lastIndex;
  long lastTerm = -1;
  long lastRevision = -1;

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
    try {
      writeBatch.put(store.handle(cf), key, value);
    } catch (RocksDBException e) {
      throw new StorageException("batch put failed", e);
    }
    overlay.computeIfAbsent(cf, c -> new HashMap<>()).put(new ByteKey(key), value);
  }

  public void delete(Cf cf, byte[] key) {
    try {
      writeBatch.delete(store.handle(cf), key);
    } catch (RocksDBException e) {
      throw new StorageException("batch delete failed", e);
    }
    overlay.computeIfAbsent(cf, c -> new HashMap<>()).put(new ByteKey(key), DELETED);
  }

  /** Deletes {@code [from, to)}. Only in an exclusive batch: the overlay does not track ranges. */
  public void deleteRange(Cf cf, byte[] from, byte[] to) {
    requireExclusive();
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
  }
}
