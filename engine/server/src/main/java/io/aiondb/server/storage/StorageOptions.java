package io.aiondb.server.storage;

import java.nio.file.Path;

/**
 * What the storage layer needs from the configuration.
 *
 * @param dataDir          the RocksDB directory (WAL, manifest, and SST files unless {@code coldDir} is set)
 * @param coldDir          optional second path for cold (lower) levels; null for a single path
 * @param hotTargetBytes   with a cold path: how many bytes of SST files the data directory holds before lower levels
 *                         go to the cold path
 * @param coldTargetBytes  with a cold path: its target size
 * @param sync             fsync the WAL before a write is acknowledged
 * @param blockCacheBytes  RocksDB block cache size
 * @param writeBufferBytes memtable size per column family
 * @param readCacheBytes   Caffeine cache of current values; 0 disables it
 */
public record StorageOptions(
    Path dataDir,
    Path coldDir,
    long hotTargetBytes,
    long coldTargetBytes,
    boolean sync,
    long blockCacheBytes,
    long writeBufferBytes,
    long readCacheBytes,
    boolean statistics) {

  /** With RocksDB's statistics on (metrics.enabled, the default). */
  public StorageOptions(Path dataDir, Path coldDir, long hotTargetBytes, long coldTargetBytes, boolean sync,
      long blockCacheBytes, long writeBufferBytes, long readCacheBytes) {
    this(dataDir, coldDir, hotTargetBytes, coldTargetBytes, sync, blockCacheBytes, writeBufferBytes, readCacheBytes, true);
  }

  public static StorageOptions defaults(Path dataDir) {
    return new StorageOptions(dataDir, null, 0, 0, true, 64L << 20, 32L << 20, 32L << 20);
  }
}
