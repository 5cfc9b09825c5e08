package io.aiondb.server.state;

import io.aiondb.server.storage.ContentType;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.StorageOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A real RocksDB store and state machine, driven entry by entry with explicit timestamps (no clock), through the
 * same {@link EntryApplier} guard as a Raft replica (one batch per entry, failures recorded as rejections).
 */
public final class StoreHarness implements AutoCloseable {
  public final RocksStore store;
  public final KvStateMachine sm;
  public final EntryApplier applier;
  private long index;

  public StoreHarness(Path dir) {
    this(dir, 1 << 20);
  }

  public StoreHarness(Path dir, long cacheBytes) {
    this(dir, cacheBytes, java.util.function.UnaryOperator.identity());
  }

  /** {@code wrap} may decorate the state machine's apply step (to inject failures). */
  public StoreHarness(Path dir, long cacheBytes, java.util.function.UnaryOperator<EntryApplier.Applier> wrap) {
    this(dir, cacheBytes, wrap, io.aiondb.server.storage.AtRest.none());
  }

  /** A store whose values {@code atRest} seals (encryption at rest). */
  public StoreHarness(Path dir, io.aiondb.server.storage.AtRest atRest) {
    this(dir, 1 << 20, java.util.function.UnaryOperator.identity(), atRest);
  }

  public StoreHarness(Path dir, long cacheBytes, java.util.function.UnaryOperator<EntryApplier.Applier> wrap,
      io.aiondb.server.storage.AtRest atRest) {
    StorageOptions o = StorageOptions.defaults(dir);
    store = new RocksStore(new StorageOptions(o.dataDir(), null, 0, 0, false, 8 << 20, 4 << 20, cacheBytes), atRest);
    sm = new KvStateMachine(store);
    applier = new EntryApplier(store, wrap.apply(sm::apply));
    index = store.appliedIndex();
  }

  public ApplyResult apply(Command c, long ts) {
    return applier.apply(new LogEntry(++index, ts, c), 1);
  }

  /** Applies {@code items} as one batched entry (see {@link EntryApplier#applyAll}). */
  public java.util.List<ApplyResult> applyAll(java.util.List<EntryApplier.Item> items, long ts) {
    return applier.applyAll(++index, ts, items, 1);
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
