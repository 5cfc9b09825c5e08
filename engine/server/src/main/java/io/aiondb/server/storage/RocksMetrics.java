package io.aiondb.server.storage;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.TickerType;

/**
 * RocksDB's statistics and properties as metrics (docs/metrics.md "Storage"): write stalls, compaction debt, memtable
 * and SST sizes per level and tier, block cache and bloom filter effectiveness, bytes flushed and compacted. Every
 * value is read from RocksDB when Prometheus scrapes (through {@link RocksStore#inspect}, so never from a closed
 * store); the SST file list, the one read that walks every file, is kept for a second so the per-level gauges of one
 * scrape share it.
 */
public final class RocksMetrics {
  /** Levels 0-6: RocksDB's default num_levels, which the store does not change. */
  static final int LEVELS = 7;

  private final RocksStore store;
  private final long fileListTtlNanos;
  private volatile Files files = new Files(List.of(), 0);

  private RocksMetrics(RocksStore store, java.time.Duration fileListTtl) {
    this.store = store;
    this.fileListTtlNanos = fileListTtl.toNanos();
  }

  /** Registers the storage metrics of {@code store} on {@code registry}. */
  public static void register(MeterRegistry registry, RocksStore store) {
    register(registry, store, java.time.Duration.ofSeconds(1));
  }

  /** As above; the SST file list is read again once {@code fileListTtl} has passed (tests: zero, every read). */
  static void register(MeterRegistry registry, RocksStore store, java.time.Duration fileListTtl) {
    RocksMetrics m = new RocksMetrics(store, fileListTtl);
    m.counter(registry, "aion.rocksdb.stall", TickerType.STALL_MICROS, 1e-6, "seconds",
        "Time writes were delayed or stopped by RocksDB's write controller (too many L0 files, memtables or pending "
            + "compaction bytes)");
    m.counter(registry, "aion.rocksdb.block.cache.hits", TickerType.BLOCK_CACHE_HIT, 1, null,
        "Block cache lookups that found the block");
    m.counter(registry, "aion.rocksdb.block.cache.misses", TickerType.BLOCK_CACHE_MISS, 1, null,
        "Block cache lookups that read the block from an SST file");
    m.counter(registry, "aion.rocksdb.bloom.filter.useful", TickerType.BLOOM_FILTER_USEFUL, 1, null,
        "Point lookups a bloom filter answered 'absent' without reading a data block");
    m.counter(registry, "aion.rocksdb.bloom.filter.positive", TickerType.BLOOM_FILTER_FULL_POSITIVE, 1, null,
        "Point lookups a bloom filter let through (key possibly present)");
    m.counter(registry, "aion.rocksdb.bloom.filter.true.positive", TickerType.BLOOM_FILTER_FULL_TRUE_POSITIVE, 1, null,
        "Of those, the ones where the key was present");
    m.counter(registry, "aion.rocksdb.written", TickerType.BYTES_WRITTEN, 1, "bytes", "Bytes written to RocksDB");
    m.counter(registry, "aion.rocksdb.wal.written", TickerType.WAL_FILE_BYTES, 1, "bytes",
        "Bytes written to RocksDB's write-ahead log");
    m.counter(registry, "aion.rocksdb.flush.written", TickerType.FLUSH_WRITE_BYTES, 1, "bytes",
        "Bytes written by memtable flushes");
    m.counter(registry, "aion.rocksdb.compaction.read", TickerType.COMPACT_READ_BYTES, 1, "bytes",
        "Bytes read by compactions");
    m.counter(registry, "aion.rocksdb.compaction.written", TickerType.COMPACT_WRITE_BYTES, 1, "bytes",
        "Bytes written by compactions");

    m.dbGauge(registry, "aion.rocksdb.write.stopped", "rocksdb.is-write-stopped", null,
        "1 while RocksDB stops writes until compaction catches up, else 0");
    m.dbGauge(registry, "aion.rocksdb.delayed.write.rate", "rocksdb.actual-delayed-write-rate", "bytes_per_second",
        "The rate RocksDB limits writes to while it delays them; 0 when writes are not delayed");
    m.dbGauge(registry, "aion.rocksdb.running.compactions", "rocksdb.num-running-compactions", null,
        "Compactions running now");
    m.dbGauge(registry, "aion.rocksdb.running.flushes", "rocksdb.num-running-flushes", null, "Memtable flushes running now");
    m.dbGauge(registry, "aion.rocksdb.block.cache.usage", "rocksdb.block-cache-usage", "bytes",
        "Bytes the block cache holds (shared by every column family)");
    Gauge.builder("aion.rocksdb.block.cache.capacity", store, s -> s.options().blockCacheBytes()).baseUnit("bytes")
        .description("The block cache's size (storage.block-cache-size)").register(registry);
    for (Cf cf : Cf.values()) {
      m.cfGauge(registry, "aion.rocksdb.pending.compaction", cf, "rocksdb.estimate-pending-compaction-bytes", "bytes",
          "Bytes compaction estimates it must rewrite to bring every level under its target (compaction debt)");
      m.cfGauge(registry, "aion.rocksdb.memtable", cf, "rocksdb.cur-size-all-mem-tables", "bytes",
          "Bytes in the column family's memtables, active and immutable");
      m.cfGauge(registry, "aion.rocksdb.estimated.keys", cf, "rocksdb.estimate-num-keys", null,
          "RocksDB's estimate of the entries in the column family (versions and index entries count one each)");
    }
    List<String> tiers = store.options().coldDir() == null ? List.of("hot") : List.of("hot", "cold");
    for (String tier : tiers) {
      for (int level = 0; level < LEVELS; level++) {
        int l = level;
        // Suppliers: Micrometer holds a gauge's state object weakly, and nothing else holds m
        Gauge.builder("aion.rocksdb.sst", () -> m.files().bytes(l, tier)).baseUnit("bytes")
            .tags("level", Integer.toString(level), "tier", tier)
            .description("Bytes of live SST files at the level, on the data directory (hot) or data.cold-dir (cold)")
            .register(registry);
        Gauge.builder("aion.rocksdb.sst.files", () -> m.files().count(l, tier))
            .tags("level", Integer.toString(level), "tier", tier)
            .description("Live SST files at the level and tier").register(registry);
      }
    }
  }

  private void counter(MeterRegistry r, String name, TickerType ticker, double scale, String unit, String help) {
    FunctionCounter.builder(name, store,
            s -> s.inspect((db, stats) -> stats == null ? Double.NaN : (double) stats.getTickerCount(ticker) * scale, Double.NaN))
        .baseUnit(unit).description(help).register(r);
  }

  private void dbGauge(MeterRegistry r, String name, String property, String unit, String help) {
    Gauge.builder(name, store, s -> s.inspect((db, stats) -> (double) db.getLongProperty(property), Double.NaN))
        .baseUnit(unit).description(help).register(r);
  }

  private void cfGauge(MeterRegistry r, String name, Cf cf, String property, String unit, String help) {
    Gauge.builder(name, store,
            s -> s.inspect((db, stats) -> (double) db.getLongProperty(s.handle(cf), property), Double.NaN))
        .tags("cf", cf.name().toLowerCase(Locale.ROOT)).baseUnit(unit).description(help).register(r);
  }

  /** The live SST files, read at most once per fileListTtl. */
  Files files() {
    Files f = files;
    long now = System.nanoTime();
    if (f.readAtNanos() != 0 && now - f.readAtNanos() < fileListTtlNanos) return f;
    List<LiveFileMetaData> live = store.inspect((db, stats) -> db.getLiveFilesMetaData(), null);
    Path cold = store.options().coldDir();
    f = new Files(live == null ? null : live.stream()
        .map(x -> new SstFile(x.level(), cold != null && Path.of(x.path()).startsWith(cold) ? "cold" : "hot", x.size()))
        .toList(), now);
    files = f;
    return f;
  }

  record SstFile(int level, String tier, long bytes) {}

  /** One read of the live SST files; {@code files} null when the store could not be read (the gauges give NaN). */
  record Files(List<SstFile> files, long readAtNanos) {
    double bytes(int level, String tier) {
      if (files == null) return Double.NaN;
      return files.stream().filter(f -> f.level() == level && f.tier().equals(tier)).mapToLong(SstFile::bytes).sum();
    }

    double count(int level, String tier) {
      if (files == null) return Double.NaN;
      return files.stream().filter(f -> f.level() == level && f.tier().equals(tier)).count();
    }
  }
}
