package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RocksDB's statistics and properties as Prometheus series (docs/metrics.md "Storage"), on a real store. */
class RocksMetricsTest {
  /** The value of one series in a Prometheus text scrape, e.g. {@code aion_rocksdb_sst_bytes{level="6",tier="hot"}}. */
  static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series %s in the scrape", series).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static long put(KvStateMachine sm, RocksStore store, long index, Command c) {
    try (Batch b = store.newBatch()) {
      sm.apply(new LogEntry(index, 1, c), b);
      store.commit(b);
    }
    return index;
  }

  @Test
  void writesFlushesLevelsCachesAndFiltersShowInTheSeries(@TempDir Path dir) {
    // no read cache: every read goes to RocksDB (and its block cache and bloom filters)
    StorageOptions o = new StorageOptions(dir, null, 0, 0, false, 8 << 20, 1 << 20, 0);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RocksStore store = new RocksStore(o);
    try (store) {
      RocksMetrics.register(registry, store, java.time.Duration.ZERO);
      String before = registry.scrape();
      assertThat(value(before, "aion_rocksdb_written_bytes_total")).isZero();
      assertThat(value(before, "aion_rocksdb_sst_files{level=\"6\",tier=\"hot\"}")).isZero();
      assertThat(value(before, "aion_rocksdb_block_cache_capacity_bytes")).isEqualTo(8 << 20);

      KvStateMachine sm = new KvStateMachine(store);
      long index = put(sm, store, 1, new Command.CreateNamespace("t"));
      Random r = new Random(7);
      for (int i = 0; i < 3000; i++) {
        byte[] v = new byte[200];
        r.nextBytes(v);
        index = put(sm, store, index + 1, new Command.Put("t", ("k" + i).getBytes(), v, ContentType.OCTET_STREAM, -1));
        // half of it compacted first, so the second compaction merges files (a lone file is moved, not rewritten)
        if (i == 1500) store.flushAndCompact();
      }
      String written = registry.scrape();
      assertThat(value(written, "aion_rocksdb_written_bytes_total")).as("3000 values of 200 bytes, three families")
          .isGreaterThan(3000 * 200);
      assertThat(value(written, "aion_rocksdb_wal_written_bytes_total")).isGreaterThan(3000 * 200);
      assertThat(value(written, "aion_rocksdb_memtable_bytes{cf=\"kv\"}")).isGreaterThan(0);
      assertThat(value(written, "aion_rocksdb_sst_files{level=\"6\",tier=\"hot\"}")).isGreaterThanOrEqualTo(3);
      double compactionWrites = value(written, "aion_rocksdb_compaction_written_bytes_total");
      assertThat(value(written, "aion_rocksdb_write_stopped")).isZero();
      assertThat(value(written, "aion_rocksdb_stall_seconds_total")).isZero();

      store.flushAndCompact();
      String compacted = registry.scrape();
      // a full compaction with dynamic level sizing leaves each family in one file at the bottom level
      assertThat(value(compacted, "aion_rocksdb_sst_files{level=\"0\",tier=\"hot\"}")).isZero();
      assertThat(value(compacted, "aion_rocksdb_sst_files{level=\"6\",tier=\"hot\"}")).isGreaterThanOrEqualTo(3);
      assertThat(value(compacted, "aion_rocksdb_sst_bytes{level=\"6\",tier=\"hot\"}")).isGreaterThan(3000 * 200);
      assertThat(value(compacted, "aion_rocksdb_estimated_keys{cf=\"kv\"}")).isBetween(2900.0, 3100.0);
      assertThat(value(compacted, "aion_rocksdb_flush_written_bytes_total")).isGreaterThan(3000 * 200);
      assertThat(value(compacted, "aion_rocksdb_compaction_written_bytes_total") - compactionWrites)
          .as("the second compaction rewrote both halves").isGreaterThan(3000 * 200);

      NamespaceInfo ns = store.requireNamespace("t");
      double useful = value(compacted, "aion_rocksdb_bloom_filter_useful_total");
      double hits = value(compacted, "aion_rocksdb_block_cache_hits_total");
      for (int i = 0; i < 200; i++) {
        // absent, yet inside the file's key range (a key outside it is refused before the filter is asked)
        assertThat(store.getCurrent(ns.id(), ("k" + i + "-absent").getBytes())).isEmpty();
        assertThat(store.getCurrent(ns.id(), ("k" + i).getBytes())).isPresent();
      }
      String read = registry.scrape();
      assertThat(value(read, "aion_rocksdb_bloom_filter_useful_total") - useful)
          .as("absent keys the bloom filter answered").isGreaterThan(150);
      assertThat(value(read, "aion_rocksdb_bloom_filter_positive_total"))
          .isGreaterThanOrEqualTo(value(read, "aion_rocksdb_bloom_filter_true_positive_total"));
      assertThat(value(read, "aion_rocksdb_bloom_filter_true_positive_total")).isGreaterThanOrEqualTo(200);
      assertThat(value(read, "aion_rocksdb_block_cache_hits_total") - hits).isGreaterThan(150);
      assertThat(value(read, "aion_rocksdb_block_cache_usage_bytes")).isGreaterThan(0);
    }
    // closed: the gauges say NaN (the scrape neither blocks nor touches freed native objects)
    String closed = registry.scrape();
    assertThat(value(closed, "aion_rocksdb_memtable_bytes{cf=\"kv\"}")).isNaN();
    assertThat(value(closed, "aion_rocksdb_sst_bytes{level=\"6\",tier=\"hot\"}")).isNaN();
  }

  @Test
  void withoutStatisticsTheTickersAreNaNAndThePropertiesStillRead(@TempDir Path dir) {
    StorageOptions o = new StorageOptions(dir, null, 0, 0, false, 8 << 20, 1 << 20, 0, false); // metrics.enabled=false
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (RocksStore store = new RocksStore(o)) {
      assertThat(store.inspect((db, stats) -> stats == null, false)).as("RocksDB keeps no statistics").isTrue();
      RocksMetrics.register(registry, store, java.time.Duration.ZERO);
      String s = registry.scrape();
      assertThat(value(s, "aion_rocksdb_written_bytes_total")).isNaN();
      assertThat(value(s, "aion_rocksdb_block_cache_capacity_bytes")).isEqualTo(8 << 20);
    }
  }
}
