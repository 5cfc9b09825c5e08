package io.aiondb.server.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Reads and prepares copies of a store that no server has open: a checkpoint taken for a backup, or a data directory
 * built by a restore. The copy's own files are never rewritten by {@link #inspect} (opened read-only), so what was
 * hashed is what gets uploaded.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * What a copy holds. {@code digest} is SHA-256 over every entry of every column family in key order, as
   * {@code cf ordinal, key length, key, value length, value}, leaving out the applied index and term (a restore resets
   * them for the new cluster's log): equal digests mean equal data.
   */
  public record Facts(long index, long term, long revision, long keyCount, String digest) {}

  private static final List<byte[]> NOT_DIGESTED = List.of(RocksStore.APPLIED_INDEX, RocksStore.APPLIED_TERM);

  public static Facts inspect(Path dir) {
    try (Opened o = open(dir, true)) {
      MessageDigest sha = sha256();
      long keys = 0;
      for (Cf cf : Cf.values()) {
        try (RocksIterator it = o.db.newIterator(o.handles.get(cf.ordinal()))) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            byte[] k = it.key();
            if (cf == Cf.META && NOT_DIGESTED.stream().anyMatch(n -> Arrays.equals(n, k))) continue;
            byte[] v = it.value();
            sha.update((byte) cf.ordinal());
            sha.update(RocksStore.longBytes(k.length));
            sha.update(k);
            sha.update(RocksStore.longBytes(v.length));
            sha.update(v);
            if (cf == Cf.KV) keys++;
          }
          it.status();
        }
      }
      return new Facts(o.readLong(RocksStore.APPLIED_INDEX), o.readLong(RocksStore.APPLIED_TERM),
          o.readLong(RocksStore.REVISION), keys, "sha256:" + HexFormat.of().formatHex(sha.digest()));
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the copy in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Reads every block of every file and checks its checksum (RocksDB's VerifyChecksum); throws on the first bad one. */
  public static void verifyChecksums(Path dir) {
    try (Opened o = open(dir, true)) {
      o.db.verifyChecksum();
    } catch (RocksDBException e) {
      throw new StorageException("checksum verification of " + dir + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Makes a restored copy the starting state of a new cluster: applied index and term go to 0 (the new Raft log starts
   * empty, and entries at or below the applied index would be skipped as replays), everything else (revision counter,
   * timestamps, namespaces, history) stays, so revisions continue after the backup's.
   */
  public static void resetForNewLog(Path dir) {
    try (Opened o = open(dir, false);
         WriteBatch b = new WriteBatch();
         WriteOptions w = new WriteOptions().setSync(true)) {
      ColumnFamilyHandle meta = o.handles.get(Cf.META.ordinal());
      b.put(meta, RocksStore.APPLIED_INDEX, RocksStore.longBytes(0));
      b.put(meta, RocksStore.APPLIED_TERM, RocksStore.longBytes(0));
      o.db.write(w, b);
      o.db.flushWal(true);
    } catch (RocksDBException e) {
      throw new StorageException("cannot prepare " + dir + " for a new cluster: " + e.getMessage(), e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Opened implements AutoCloseable {
    final DBOptions options = new DBOptions();
    final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
    final List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;

    long readLong(byte[] key) throws RocksDBException {
      byte[] v = db.get(handles.get(Cf.META.ordinal()), key);
      return v == null ? 0 : RocksStore.bytesLong(v);
    }

    @Override
    public void close() {
      handles.forEach(ColumnFamilyHandle::close);
      if (db != null) db.close();
      cfOptions.forEach(ColumnFamilyOptions::close);
      options.close();
    }
  }

  private static Opened open(Path dir, boolean readOnly) throws RocksDBException {
    Opened o = new Opened();
    try {
      List<ColumnFamilyDescriptor> ds = new ArrayList<>();
      for (Cf cf : Cf.values()) {
        ColumnFamilyOptions co = new ColumnFamilyOptions();
        o.cfOptions.add(co);
        ds.add(new ColumnFamilyDescriptor(cf == Cf.META ? RocksDB.DEFAULT_COLUMN_FAMILY
            : cf.name().toLowerCase().getBytes(StandardCharsets.UTF_8), co));
      }
      o.db = readOnly ? RocksDB.openReadOnly(o.options, dir.toString(), ds, o.handles)
          : RocksDB.open(o.options, dir.toString(), ds, o.handles);
      return o;
    } catch (RocksDBException | RuntimeException e) {
      o.close();
      throw e;
    }
  }
}
