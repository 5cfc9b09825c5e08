package io.aiondb.server.storage;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/** A RocksDB snapshot and the revision it reflects. Iterators from it see exactly that state. */
public final class ReadView implements AutoCloseable {
  private final RocksStore store;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private final long revision;

  ReadView(RocksStore store, Snapshot snapshot, ReadOptions readOptions, long revision) {
    this.store = store;
    this.snapshot = snapshot;
    this.readOptions = readOptions;
    this.revision = revision;
  }

  public long revision() {
    return revision;
  }

  public RocksIterator iterator(Cf cf) {
    return store.newIterator(cf, readOptions);
  }

  /** A stored version read through this view, as a record (opened when sealed). */
  public VersionRecord decode(byte[] stored) {
    return store.decode(stored);
  }

  /** A point lookup in this view; null when absent. */
  public byte[] get(Cf cf, byte[] key) {
    try {
      return store.db().get(store.handle(cf), readOptions, key);
    } catch (org.rocksdb.RocksDBException e) {
      throw new StorageException("read failed", e);
    }
  }

  @Override
  public void close() {
    readOptions.close();
    store.release(snapshot);
  }
}
