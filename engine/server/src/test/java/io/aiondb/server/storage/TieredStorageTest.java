package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With data.cold-dir set, SST files that exceed the hot path's target move to the cold path, and reads still work. */
class TieredStorageTest {
  private static long sstBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".sst")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void lowerLevelsGoToTheColdPath(@TempDir Path dir) throws Exception {
    Path hot = dir.resolve("hot");
    Path cold = dir.resolve("cold");
    StorageOptions o = new StorageOptions(hot, cold, 256 * 1024, 1L << 40, false, 8 << 20, 1 << 20, 0);
    Random r = new Random(1);
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    try (RocksStore store = new RocksStore(o)) {
      RocksMetrics.register(registry, store, java.time.Duration.ZERO);
      KvStateMachine sm = new KvStateMachine(store);
      long index = 0;
      try (Batch b = store.newBatch()) {
        sm.apply(new LogEntry(++index, 1, new Command.CreateNamespace("t")), b);
        store.commit(b);
      }
      for (int i = 0; i < 8000; i++) {
        byte[] v = new byte[1024];
        r.nextBytes(v); // incompressible
        try (Batch b = store.newBatch()) {
          sm.apply(new LogEntry(++index, 2, new Command.Put("t", ("k" + i).getBytes(), v, ContentType.OCTET_STREAM, -1)), b);
          store.commit(b);
        }
      }
      // background compactions place L1+ files by level target size: past the hot target, on the cold path
      org.awaitility.Awaitility.await("background compactions onto the cold path").atMost(java.time.Duration.ofSeconds(60))
          .pollInterval(java.time.Duration.ofMillis(50)).until(() -> !store.compacting() && sstBytes(cold) > 0);
      assertThat(sstBytes(cold)).as("bytes on the cold path").isGreaterThan(1_000_000);
      // the metrics tell the tiers apart: what the gauges put on each tier is what each directory holds
      String scrape = registry.scrape();
      double coldSeries = 0;
      double hotSeries = 0;
      for (int level = 0; level < RocksMetrics.LEVELS; level++) {
        coldSeries += RocksMetricsTest.value(scrape, "aion_rocksdb_sst_bytes{level=\"" + level + "\",tier=\"cold\"}");
        hotSeries += RocksMetricsTest.value(scrape, "aion_rocksdb_sst_bytes{level=\"" + level + "\",tier=\"hot\"}");
      }
      assertThat(coldSeries).isEqualTo(sstBytes(cold));
      assertThat(hotSeries).isEqualTo(sstBytes(hot));
      NamespaceInfo ns = store.requireNamespace("t");
      assertThat(store.getCurrent(ns.id(), "k17".getBytes())).isPresent();
    }
    try (RocksStore reopened = new RocksStore(o)) {
      assertThat(reopened.getCurrent(reopened.requireNamespace("t").id(), "k7999".getBytes())).isPresent();
    }
  }
}
