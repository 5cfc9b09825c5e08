package io.aiondb.server.state;

import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A real RocksDB store and state machine, driven entry by entry with explicit timestamps (no clock). */
public final class StoreHarness implements AutoCloseable {
  public final RocksStore store;
  public final KvStateMachine sm;
  private long index;

  public StoreHarness(Path dir) {
    this(dir, 1 << 20);
  }

  public StoreHarness(Path dir, long cacheBytes) {
    StorageOptions o = StorageOptions.defaults(dir);
    store = new RocksStore(new StorageOptions(o.dataDir(), null, 0, 0, false, 8 << 20, 4 << 20, cacheBytes));
    sm = new KvStateMachine(store);
    index = store.appliedIndex();
  }

  public ApplyResult apply(Command c, long ts) {
    try (Batch b = store.newBatch()) {
      ApplyResult r = sm.apply(new LogEntry(++index, ts, c), b);
      store.commit(b);
      return r;
    }
  }

  public ApplyResult.Written put(String ns, String key, String value, long ts) {
    return (ApplyResult.Written) apply(new Command.Put(ns, b(key), b(value), ContentType.TEXT, Command.ANY_REVISION), ts);
  }

  public ApplyResult.Deleted delete(String ns, String key, long ts) {
    return (ApplyResult.Deleted) apply(new Command.Delete(ns, b(key), Command.ANY_REVISION), ts);
  }

  public static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    store.close();
  }
}
