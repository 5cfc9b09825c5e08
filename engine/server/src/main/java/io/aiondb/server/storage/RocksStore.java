package io.aiondb.server.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.DbPath;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB adapter: opens the database, commits {@link Batch}es atomically, and serves reads.
 *
 * <p>Visibility: a committed batch is visible to every read that starts after {@link #commit} returns; the read
 * cache is invalidated before {@code commit} returns. {@link #appliedRevision()} only moves forward and never
 * exceeds what is readable. Reads never block writes: they use RocksDB's own concurrency and snapshots.
 */
public final class RocksStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RocksStore.class);
  public static final byte[] APPLIED_INDEX = "applied-index".getBytes(StandardCharsets.UTF_8);
  public static final byte[] APPLIED_TERM = "applied-term".getBytes(StandardCharsets.UTF_8);
  public static final byte[] LAST_TIMESTAMP = "last-timestamp".getBytes(StandardCharsets.UTF_8);
  public static final byte[] REVISION = "revision".getBytes(StandardCharsets.UTF_8);
  public static final byte[] NEXT_NS_ID = "next-ns-id".getBytes(StandardCharsets.UTF_8);
  public static final String NS_PREFIX = "ns/";
  /** Auth records (users, roles, signing keys; {@code Command.AuthWrite}): {@code auth/<kind>/<name>}. */
  public static final String AUTH_PREFIX = "auth/";

  static {
    NativeLibrary.loadRocksDb();
  }

  private final StorageOptions options;
  private final AtRest atRest;
  /** Goes up each time a snapshot replaces the database (a re-encryption pass that sees it change stops). */
  private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
  /** Guards the open database: every access holds the read lock; {@link #restoreFrom} takes the write lock. */
  private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private RocksDB db;
  private final DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private final LRUCache blockCache;
  private final BloomFilter bloom;
  /** RocksDB's tickers (docs/metrics.md "Storage"); kept across restoreFrom (it belongs to the DBOptions). */
  private final Statistics statistics;
  private final Map<Cf, ColumnFamilyHandle> handles = new EnumMap<>(Cf.class);
  private final WriteOptions writeOptions;
  private final Cache<CacheKey, Optional<VersionRecord>> cache;
  private final Map<String, NamespaceInfo> namespaces = new ConcurrentHashMap<>();
  private volatile long appliedIndex;
  private volatile long appliedTerm;
  private final Watermark revisionMark = new Watermark();
  private volatile long appliedRevision;
  private volatile boolean failed;
  private volatile boolean closed;
  private volatile FeedListener feedListener;

  /**
   * Told, on the applier's thread and in commit order, what each committed batch did to the change feed. Must
   * return quickly (record and hand off).
   */
  public interface FeedListener {
    /**
     * A batch was committed: {@code revision} is the applied revision after it (every revision up to it is
     * readable) and {@code namespaces} the ids of the namespaces whose change feed it wrote, trimmed or dropped.
     */
    void committed(long revision, java.util.Set<Integer> namespaces);

    /** The whole database was replaced (a snapshot installed): any namespace may have changed; now at {@code revision}. */
    void replaced(long revision);
  }

  /** Sets the one listener of the change feed (the node's watches); a second one is refused. */
  public synchronized void feedListener(FeedListener listener) {
    if (feedListener != null) throw new IllegalStateException("this store already has a change-feed listener");
    this.feedListener = listener;
  }

  /** Removes the change-feed listener if it is {@code listener}. */
  public synchronized void removeFeedListener(FeedListener listener) {
    if (feedListener == listener) feedListener = null;
  }

  public RocksStore(StorageOptions options) {
    this(options, AtRest.none());
  }

  /** A store whose values are sealed by {@code atRest} (docs/security.md "Encryption at rest"). */
  public RocksStore(StorageOptions options, AtRest atRest) {
    this.options = options;
    this.atRest = atRest;
    try {
      Files.createDirectories(options.dataDir());
      if (options.coldDir() != null) Files.createDirectories(options.coldDir());
    } catch (java.io.IOException e) {
      throw new StorageException("cannot create data directory " + options.dataDir(), e);
    }
    blockCache = new LRUCache(options.blockCacheBytes());
    bloom = new BloomFilter(10, false);
    dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setKeepLogFileNum(5);
    // tickers only: the detailed timers (a clock read per operation) are what costs, and nothing here reads them
    if (options.statistics()) {
      statistics = new Statistics();
      statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
      dbOptions.setStatistics(statistics);
    } else {
      statistics = null; // metrics.enabled=false: RocksMetrics reads NaN for every ticker
    }
    if (options.coldDir() != null) dbOptions.setDbPaths(dbPaths());
    openDb();
    writeOptions = new WriteOptions().setSync(options.sync());
    cache = options.readCacheBytes() > 0
        ? Caffeine.newBuilder()
            .maximumWeight(options.readCacheBytes())
            .weigher((CacheKey k, Optional<VersionRecord> v) -> 48 + k.key().bytes().length + v.map(VersionRecord::weight).orElse(0))
            .recordStats()
            .build()
        : null;
    try {
      loadState();
    } catch (RuntimeException e) { // e.g. encrypted data without its key: release the directory's lock
      closeDb();
      throw e;
    }
  }

  private void openDb() {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    cfOptions.forEach(ColumnFamilyOptions::close);
    cfOptions.clear();
    for (Cf cf : Cf.values()) {
      ColumnFamilyOptions o = columnFamilyOptions();
      cfOptions.add(o);
      byte[] name = cf == Cf.META ? RocksDB.DEFAULT_COLUMN_FAMILY : cf.name().toLowerCase().getBytes(StandardCharsets.UTF_8);
      descriptors.add(new ColumnFamilyDescriptor(name, o));
    }
    List<ColumnFamilyHandle> hs = new ArrayList<>();
    try {
      db = RocksDB.open(dbOptions, options.dataDir().toString(), descriptors, hs);
    } catch (RocksDBException e) {
      String hint = String.valueOf(e.getMessage()).contains("lock")
          ? " (is another Aion server using this data directory? set --data.dir to another one)" : "";
      throw new StorageException("cannot open RocksDB in " + options.dataDir() + ": " + e.getMessage() + hint, e);
    }
    for (Cf cf : Cf.values()) handles.put(cf, hs.get(cf.ordinal()));
  }

  private void loadState() {
    atRest.open(this);
    appliedIndex = readLong(Cf.META, APPLIED_INDEX);
    appliedTerm = readLong(Cf.META, APPLIED_TERM);
    appliedRevision = readLong(Cf.META, REVISION);
    namespaces.clear();
    loadNamespaces();
    authChanged();
    loadIndexes();
    revisionMark.reset(appliedRevision);
    FeedListener l = feedListener;
    if (l != null) l.replaced(appliedRevision);
    LOG.info("opened RocksDB at {} (applied index {}, term {}, revision {}, {} namespaces)",
        options.dataDir(), appliedIndex, appliedTerm, appliedRevision, namespaces.size());
  }

  private void closeDb() {
    for (ColumnFamilyHandle h : handles.values()) h.close();
    handles.clear();
    db.close();
    db = null;
  }

  /**
   * Replaces the whole database with a checkpoint (a snapshot installed from the leader). Waits for in-flight reads,
   * closes RocksDB, swaps the files (hard links when possible), reopens, and drops the read cache.
   */
  public void restoreFrom(Path checkpoint) {
    lock.writeLock().lock();
    try {
      closeDb();
      deleteContents(options.dataDir());
      try (var files = Files.list(checkpoint)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path target = options.dataDir().resolve(f.getFileName().toString());
          try {
            Files.createLink(target, f);
          } catch (IOException | UnsupportedOperationException e) {
            Files.copy(f, target);
          }
        }
      } catch (IOException e) {
        throw new StorageException("cannot restore from " + checkpoint + ": " + e.getMessage(), e);
      }
      openDb();
      generation.incrementAndGet();
      if (cache != null) cache.invalidateAll();
      loadState();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void deleteContents(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new StorageException("cannot clear " + dir, e);
    }
  }

  /** Records an applied index and term with no other change (log entries that change no state, e.g. configuration). */
  public void markApplied(long term, long index) {
    if (index <= appliedIndex) return;
    try (Batch b = newBatch()) {
      noteIndex(b, index);
      noteTerm(b, term);
      commit(b);
    }
  }

  /** Writes a RocksDB checkpoint (hard links to the live SST files) into {@code dir}, which must not exist. */
  public void checkpoint(Path dir) {
    lock.readLock().lock();
    try (org.rocksdb.Checkpoint cp = org.rocksdb.Checkpoint.create(db)) {
      cp.createCheckpoint(dir.toString());
    } catch (RocksDBException e) {
      throw new StorageException("checkpoint into " + dir + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Tiered storage: SST files fill the data directory up to its target, lower levels go to the cold path. */
  private List<DbPath> dbPaths() {
    return List.of(new DbPath(options.dataDir(), options.hotTargetBytes()),
        new DbPath(options.coldDir(), options.coldTargetBytes()));
  }

  private ColumnFamilyOptions columnFamilyOptions() {
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(blockCache)
        .setFilterPolicy(bloom)
        .setCacheIndexAndFilterBlocks(true)
        .setPinL0FilterAndIndexBlocksInCache(true)
        .setBlockSize(16 * 1024);
    List<CompressionType> perLevel = new ArrayList<>();
    for (int i = 0; i < 7; i++) perLevel.add(i < 2 ? CompressionType.NO_COMPRESSION : CompressionType.LZ4_COMPRESSION);
    ColumnFamilyOptions o = new ColumnFamilyOptions();
    if (options.coldDir() != null) o.setCfPaths(dbPaths());
    return o
        .setTableFormatConfig(table)
        .setWriteBufferSize(options.writeBufferBytes())
        .setCompactionStyle(CompactionStyle.LEVEL)
        // RocksDB ignores dynamic level sizing with several data paths; say so instead of being warned
        .setLevelCompactionDynamicLevelBytes(options.coldDir() == null)
        .setCompressionPerLevel(perLevel)
        .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
  }

  RocksDB db() {
    return db;
  }

  ColumnFamilyHandle handle(Cf cf) {
    return handles.get(cf);
  }

  public StorageOptions options() {
    return options;
  }

  /** Encryption at rest of this store's values ({@link AtRest#none()} when off). */
  public AtRest atRest() {
    return atRest;
  }

  /** A stored version (sealed or not) as a record. */
  public VersionRecord decode(byte[] stored) {
    return VersionRecord.decode(stored, atRest);
  }

  long generation() {
    return generation.get();
  }

  /**
   * Rewrites, chunk by chunk, the values of {@code cf} in [from, to) that {@code reseal} answers a new form for
   * (null: leave it). Each chunk's writes hold the commit lock and go only where the value is still the one read, so
   * the applier's writes always win. Stops early (false) when {@code go} turns false. counts[0] += values examined,
   * counts[1] += rewritten.
   */
  boolean resealAll(Cf cf, byte[] from, byte[] to, int chunk, long[] counts,
      java.util.function.UnaryOperator<byte[]> reseal, java.util.function.BooleanSupplier go) {
    return resealMeta(cf, from, to, chunk, counts, (k, v) -> reseal.apply(v), go);
  }

  boolean resealMeta(byte[] from, byte[] to, int chunk, long[] counts,
      java.util.function.BinaryOperator<byte[]> reseal, java.util.function.BooleanSupplier go) {
    return resealMeta(Cf.META, from, to, chunk, counts, reseal, go);
  }

  private boolean resealMeta(Cf cf, byte[] from, byte[] to, int chunk, long[] counts,
      java.util.function.BinaryOperator<byte[]> reseal, java.util.function.BooleanSupplier go) {
    byte[] next = from;
    while (next != null) {
      if (!go.getAsBoolean() || failed) return false;
      byte[] start = next;
      List<byte[][]> changes = new ArrayList<>();
      byte[][] after = new byte[1][];
      read(() -> {
        try (RocksIterator it = db.newIterator(handle(cf))) {
          int n = 0;
          for (it.seek(start); it.isValid() && (to == null || Arrays.compareUnsigned(it.key(), to) < 0); it.next()) {
            if (n++ == chunk) {
              after[0] = it.key();
              break;
            }
            counts[0]++;
            byte[] raw = it.value();
            byte[] sealed = reseal.apply(it.key(), raw);
            if (sealed != null) changes.add(new byte[][] {it.key(), raw, sealed});
          }
        }
        return null;
      });
      next = after[0];
      if (changes.isEmpty()) continue;
      synchronized (this) { // the commit lock (taken before the read lock, as commit does): no batch is written meanwhile
        read(() -> {
          try (org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch();
              WriteOptions sync = new WriteOptions().setSync(true)) {
            for (byte[][] c : changes) {
              if (Arrays.equals(db.get(handle(cf), c[0]), c[1])) {
                wb.put(handle(cf), c[0], c[2]);
                counts[1]++;
              }
            }
            db.write(sync, wb); // synced: a data key is retired only after its values are rewritten on disk
          } catch (RocksDBException e) {
            throw new StorageException("re-encryption write failed: " + e.getMessage(), e);
          }
          return null;
        });
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- write path

  public Batch newBatch() {
    atRest.batchBegin();
    return new Batch(this);
  }

  /**
   * Writes the batch and its last applied index atomically, then invalidates cached values and runs the batch's
   * after-commit actions. Called by one thread at a time (the applier). On failure the store refuses all later
   * commits: the in-memory state could no longer be trusted to match the disk.
   */
  public synchronized void commit(Batch batch) {
    if (failed) throw new StorageException("storage failed earlier; restart the node", null);
    try {
      if (batch.lastIndex > 0) {
        batch.writeBatch.put(handle(Cf.META), APPLIED_INDEX, longBytes(batch.lastIndex));
        if (batch.lastTerm >= 0) batch.writeBatch.put(handle(Cf.META), APPLIED_TERM, longBytes(batch.lastTerm));
      }
      lock.readLock().lock();
      try {
        db.write(writeOptions, batch.writeBatch);
      } finally {
        lock.readLock().unlock();
      }
    } catch (RocksDBException e) {
      failed = true;
      throw new StorageException("commit failed: " + e.getMessage(), e);
    }
    if (cache != null) {
      for (CacheKey k : batch.touched) cache.invalidate(k);
    }
    for (Runnable r : batch.afterCommit) r.run();
    if (batch.lastIndex > 0) appliedIndex = batch.lastIndex;
    if (batch.lastTerm >= 0) appliedTerm = batch.lastTerm;
    long before = appliedRevision;
    if (batch.lastRevision >= 0) appliedRevision = Math.max(appliedRevision, batch.lastRevision);
    revisionMark.advance(appliedRevision);
    FeedListener l = feedListener;
    if (l != null && (appliedRevision != before || !batch.feedNamespaces.isEmpty())) {
      l.committed(appliedRevision, batch.feedNamespaces);
    }
  }

  /** Records the revision this batch reaches (for {@link #appliedRevision()} after commit). */
  public void noteRevision(Batch batch, long revision) {
    batch.lastRevision = Math.max(batch.lastRevision, revision);
  }

  public void noteIndex(Batch batch, long index) {
    batch.lastIndex = index;
  }

  /** Records the Raft term of the last entry in this batch (stored with the applied index). */
  public void noteTerm(Batch batch, long term) {
    batch.lastTerm = term;
  }

  public long appliedTerm() {
    return appliedTerm;
  }

  /** Runs a read with the database guaranteed open. */
  <T> T read(java.util.function.Supplier<T> r) {
    lock.readLock().lock();
    try {
      return r.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  void readLock() {
    lock.readLock().lock();
  }

  void readUnlock() {
    lock.readLock().unlock();
  }

  public boolean failed() {
    return failed;
  }

  // ---------------------------------------------------------------- namespaces

  private void loadNamespaces() {
    byte[] prefix = NS_PREFIX.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator(handle(Cf.META))) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        String name = new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8);
        namespaces.put(name, NamespaceInfo.decode(name, it.value()));
      }
    }
  }

  private final Map<Integer, Map<String, IndexDef>> indexes = new java.util.concurrent.ConcurrentHashMap<>();

  private void loadIndexes() {
    indexes.clear();
    byte[] prefix = IndexDef.allMetaPrefix();
    try (RocksIterator it = db.newIterator(handle(Cf.META))) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        IndexDef d = IndexDef.decode(it.value());
        indexes.computeIfAbsent(IndexDef.nsOfMetaKey(it.key()), k -> new java.util.concurrent.ConcurrentHashMap<>()).put(d.name(), d);
      }
    }
  }

  /** The indexes of a namespace as committed (the state machine reads them; apply changes them after commit). */
  public Collection<IndexDef> indexes(int nsId) {
    Map<String, IndexDef> m = indexes.get(nsId);
    return m == null ? List.of() : List.copyOf(m.values());
  }

  public Optional<IndexDef> index(int nsId, String name) {
    Map<String, IndexDef> m = indexes.get(nsId);
    return Optional.ofNullable(m == null ? null : m.get(name));
  }

  /** Updates the in-memory index map (after commit); null removes. A dropped namespace: {@link #forgetIndexes}. */
  public void cacheIndex(int nsId, String name, IndexDef def) {
    if (def == null) {
      Map<String, IndexDef> m = indexes.get(nsId);
      if (m != null) m.remove(name);
    } else {
      indexes.computeIfAbsent(nsId, k -> new java.util.concurrent.ConcurrentHashMap<>()).put(name, def);
    }
  }

  public void forgetIndexes(int nsId) {
    indexes.remove(nsId);
  }

  public static byte[] authKey(String key) {
    return (AUTH_PREFIX + key).getBytes(StandardCharsets.UTF_8);
  }

  private final java.util.concurrent.atomic.AtomicLong authVersion = new java.util.concurrent.atomic.AtomicLong();

  /** An auth record changed (after commit), or the whole store was replaced: readers of {@link #authRecords} reload. */
  public void authChanged() {
    authVersion.incrementAndGet();
  }

  /** Goes up whenever the auth records may have changed (a cheap check before {@link #authRecords}). */
  public long authVersion() {
    return authVersion.get();
  }

  /** Every auth record as committed: key without the {@code auth/} prefix to value, in key order. */
  public java.util.SortedMap<String, byte[]> authRecords() {
    byte[] prefix = AUTH_PREFIX.getBytes(StandardCharsets.UTF_8);
    java.util.SortedMap<String, byte[]> out = new java.util.TreeMap<>();
    try (RocksIterator it = db.newIterator(handle(Cf.META))) {
      for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
        out.put(new String(it.key(), prefix.length, it.key().length - prefix.length, StandardCharsets.UTF_8),
            atRest.openMeta(it.key(), it.value()));
      }
    }
    return out;
  }

  public static byte[] namespaceKey(String name) {
    return (NS_PREFIX + name).getBytes(StandardCharsets.UTF_8);
  }

  /** Updates the in-memory namespace map (after commit). */
  public void cacheNamespace(String name, NamespaceInfo info) {
    if (info == null) {
      NamespaceInfo old = namespaces.remove(name);
      if (old != null && cache != null) cache.asMap().keySet().removeIf(k -> k.nsId() == old.id());
    } else {
      namespaces.put(name, info);
    }
  }

  public Optional<NamespaceInfo> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  public NamespaceInfo requireNamespace(String name) {
    NamespaceInfo ns = namespaces.get(name);
    if (ns == null) throw new AionException(ErrorCode.NAMESPACE_NOT_FOUND, "namespace '" + name + "' does not exist");
    return ns;
  }

  public Collection<NamespaceInfo> namespaces() {
    return List.copyOf(namespaces.values());
  }

  // ---------------------------------------------------------------- reads

  public long appliedIndex() {
    return appliedIndex;
  }

  public long appliedRevision() {
    return appliedRevision;
  }

  /** Completes once this node has applied revision {@code revision} (read-your-writes with minRevision). */
  /** Waiters registered for revisions not yet applied (each forgotten when it times out). */
  public int revisionWaiters() {
    return revisionMark.waiting();
  }

  public java.util.concurrent.CompletableFuture<Void> awaitRevision(long revision, java.time.Duration timeout) {
    return revisionMark.await(revision, timeout);
  }

  /** The current version of a key, or empty if it does not exist. One point lookup (or a cache hit). */
  public Optional<VersionRecord> getCurrent(int nsId, byte[] key) {
    return read(() -> cache == null ? loadCurrent(nsId, key)
        : cache.get(new CacheKey(nsId, new ByteKey(key)), k -> loadCurrent(nsId, key)));
  }

  /** The cached current version without touching RocksDB: null when the cache does not know the key. */
  public Optional<VersionRecord> getCurrentIfCached(int nsId, byte[] key) {
    return cache == null ? null : cache.getIfPresent(new CacheKey(nsId, new ByteKey(key)));
  }

  private Optional<VersionRecord> loadCurrent(int nsId, byte[] key) {
    try {
      byte[] v = db.get(handle(Cf.KV), Keys.current(nsId, key));
      if (v == null) return Optional.empty();
      VersionRecord r = VersionRecord.decode(v, atRest);
      return r.tombstone() ? Optional.empty() : Optional.of(r);
    } catch (RocksDBException e) {
      throw new StorageException("read failed", e);
    }
  }

  /**
   * The version of a key visible at {@code revision}: the newest version with revision &lt;= it, or empty if the key
   * did not exist then (or was deleted). Throws {@code HISTORY_COMPACTED} when retention removed what that answer
   * depends on, and {@code FUTURE_REVISION} for a revision not yet reached.
   */
  public Optional<VersionRecord> getAt(NamespaceInfo ns, byte[] key, long revision) {
    return read(() -> getAtLocked(ns, key, revision));
  }

  private Optional<VersionRecord> getAtLocked(NamespaceInfo ns, byte[] key, long revision) {
    long current = appliedRevision;
    if (revision > current) {
      throw new AionException(ErrorCode.FUTURE_REVISION,
          "revision " + revision + " is newer than the current revision " + current);
    }
    if (revision < ns.gcRevision()) throw compacted(revision);
    byte[] prefix = Keys.historyKeyPrefix(ns.id(), key);
    try (RocksIterator it = db.newIterator(handle(Cf.HISTORY))) {
      it.seekForPrev(Keys.historyWithPrefix(prefix, revision));
      if (it.isValid() && Keys.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8) {
        VersionRecord r = VersionRecord.decode(it.value(), atRest);
        return r.tombstone() ? Optional.empty() : Optional.of(r);
      }
      it.seek(Keys.historyWithPrefix(prefix, 0));
      if (it.isValid() && Keys.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8) {
        VersionRecord oldest = VersionRecord.decode(it.value(), atRest);
        if (oldest.prevRevision() != 0) throw compacted(revision);
      }
      return Optional.empty();
    }
  }

  public static AionException compacted(long revision) {
    return new AionException(ErrorCode.HISTORY_COMPACTED,
        "revision " + revision + " is older than the retained history; read at a newer revision");
  }

  /**
   * Value bytes one history page holds at most (it always holds at least one version): half the binary protocol's
   * 16 MiB frame, as for a query page, so a page of 4 MiB values fits a frame and a listing cannot build gigabytes.
   */
  public static final long HISTORY_PAGE_MAX_BYTES = 8L << 20;

  /** A page of a key's history, newest first; {@code more} when older versions remain (continue below the last). */
  public record HistoryPage(List<VersionRecord> versions, boolean more) {}

  /** Retained versions of a key, newest first, with revision &lt; {@code beforeRevision}, capped by {@link #HISTORY_PAGE_MAX_BYTES}. */
  public List<VersionRecord> history(int nsId, byte[] key, long beforeRevision, int limit) {
    return historyPage(nsId, key, beforeRevision, limit, HISTORY_PAGE_MAX_BYTES).versions();
  }

  /**
   * Up to {@code limit} retained versions of a key, newest first, with revision &lt; {@code beforeRevision}; the page
   * ends before the version that would take its values past {@code maxBytes} (but holds at least one).
   */
  public HistoryPage historyPage(int nsId, byte[] key, long beforeRevision, int limit, long maxBytes) {
    return read(() -> historyLocked(nsId, key, beforeRevision, limit, maxBytes));
  }

  private HistoryPage historyLocked(int nsId, byte[] key, long beforeRevision, int limit, long maxBytes) {
    byte[] prefix = Keys.historyKeyPrefix(nsId, key);
    List<VersionRecord> out = new ArrayList<>();
    if (beforeRevision <= 0) return new HistoryPage(out, false);
    long bytes = 0;
    try (RocksIterator it = db.newIterator(handle(Cf.HISTORY))) {
      for (it.seekForPrev(Keys.historyWithPrefix(prefix, beforeRevision - 1));
          it.isValid() && Keys.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8;
          it.prev()) {
        if (out.size() >= limit) return new HistoryPage(out, true);
        byte[] raw = it.value();
        if (!out.isEmpty() && bytes + raw.length > maxBytes) return new HistoryPage(out, true);
        out.add(VersionRecord.decode(raw, atRest));
        bytes += raw.length;
      }
    }
    return new HistoryPage(out, false);
  }

  /** A consistent point-in-time view for scans. Close it. */
  public ReadView openView() {
    lock.readLock().lock();
    try {
      return openViewLocked();
    } catch (RuntimeException e) {
      lock.readLock().unlock();
      throw e;
    }
  }

  private ReadView openViewLocked() {
    Snapshot snap = db.getSnapshot();
    ReadOptions ro = new ReadOptions().setSnapshot(snap);
    long rev;
    try {
      byte[] v = db.get(handle(Cf.META), ro, REVISION);
      rev = v == null ? 0 : ByteBuffer.wrap(v).getLong();
    } catch (RocksDBException e) {
      ro.close();
      db.releaseSnapshot(snap);
      throw new StorageException("read failed", e);
    }
    return new ReadView(this, snap, ro, rev);
  }

  /** Releases a view's snapshot and its hold on the database. */
  void release(Snapshot snap) {
    try {
      db.releaseSnapshot(snap);
    } finally {
      lock.readLock().unlock();
    }
  }

  public RocksIterator newIterator(Cf cf, ReadOptions ro) {
    return db.newIterator(handle(cf), ro);
  }

  public long readLong(Cf cf, byte[] key) {
    return read(() -> {
      try {
        byte[] v = db.get(handle(cf), key);
        return v == null ? 0L : ByteBuffer.wrap(v).getLong();
      } catch (RocksDBException e) {
        throw new StorageException("read failed", e);
      }
    });
  }

  public static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  public static long bytesLong(byte[] b) {
    return b == null ? 0 : ByteBuffer.wrap(b).getLong();
  }

  /** Read-cache statistics, or null when the cache is off. */
  public Cache<CacheKey, Optional<VersionRecord>> cache() {
    return cache;
  }

  /**
   * Flushes memtables and compacts every column family fully (maintenance; blocks while it runs). Note that a manual
   * compaction writes to the first data path; only background compactions place files on the cold path.
   */
  public void flushAndCompact() {
    lock.readLock().lock();
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, new ArrayList<>(handles.values()));
      for (ColumnFamilyHandle h : handles.values()) db.compactRange(h);
    } catch (RocksDBException e) {
      throw new StorageException("compaction failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** True while background flushes or compactions are running or pending. */
  public boolean compacting() {
    for (Cf cf : Cf.values()) {
      String running = property(cf, "rocksdb.num-running-compactions");
      String pending = property(cf, "rocksdb.compaction-pending");
      String flushes = property(cf, "rocksdb.num-running-flushes");
      if (!"0".equals(running) || !"0".equals(pending) || !"0".equals(flushes)) return true;
    }
    return false;
  }

  /** A RocksDB property of one column family (e.g. rocksdb.estimate-num-keys). */
  public String property(Cf cf, String name) {
    return read(() -> {
      try {
        return db.getProperty(handle(cf), name);
      } catch (RocksDBException e) {
        return null;
      }
    });
  }

  /**
   * Reads what RocksDB reports about itself for the metrics ({@link RocksMetrics}): {@code absent} when the store is
   * closed or being replaced for longer than a second (a scrape must not wait on a snapshot install) or RocksDB
   * refuses. The native objects are used only under the read lock, so never after close.
   */
  <T> T inspect(Inspection<T> what, T absent) {
    if (closed) return absent;
    try {
      if (!lock.readLock().tryLock(1, java.util.concurrent.TimeUnit.SECONDS)) return absent;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return absent;
    }
    try {
      return db == null ? absent : what.read(db, statistics);
    } catch (RocksDBException | RuntimeException e) {
      return absent;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A read of RocksDB's own state, see {@link #inspect}. */
  interface Inspection<T> {
    T read(RocksDB db, Statistics statistics) throws RocksDBException;
  }

  @Override
  public synchronized void close() {
    closed = true;
    lock.writeLock().lock();
    if (db == null) return;
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.flush(fo, new ArrayList<>(handles.values()));
    } catch (RocksDBException e) {
      LOG.warn("flush on close failed: {}", e.getMessage());
    }
    closeDb();
    writeOptions.close();
    dbOptions.close();
    cfOptions.forEach(ColumnFamilyOptions::close);
    bloom.close();
    blockCache.close();
    if (statistics != null) statistics.close();
    LOG.info("closed RocksDB at {}", options.dataDir());
  }
}
