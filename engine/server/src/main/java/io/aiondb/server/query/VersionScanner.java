package io.aiondb.server.query;

import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.ReadView;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import java.util.Arrays;
import org.rocksdb.RocksIterator;

/**
 * Walks the live keys of one namespace in {@code [lower, upper)}, in key order or reversed, yielding the version of
 * each key visible at a revision. Two sources give the same answers: {@link #current} reads the {@code kv} column
 * family (valid only when the view's revision is the one asked for), {@link #atRevision} reads {@code history}.
 */
public abstract class VersionScanner implements AutoCloseable {
  protected final RocksIterator it;
  protected final int nsId;
  protected final byte[] lower;
  protected final byte[] upper;
  protected final boolean reverse;
  protected byte[] key;
  protected VersionRecord version;
  /** Entries read from RocksDB, for the per-page work budget. */
  protected long examined;

  VersionScanner(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse) {
    this.it = it;
    this.nsId = nsId;
    this.lower = lower;
    this.upper = upper;
    this.reverse = reverse;
  }

  /** Advances to the next live key; false at the end of the range. */
  public abstract boolean next();

  public byte[] key() {
    return key;
  }

  public VersionRecord version() {
    return version;
  }

  public long examined() {
    return examined;
  }

  protected boolean inRange(byte[] k) {
    if (lower != null && Arrays.compareUnsigned(k, lower) < 0) return false;
    return upper == null || Arrays.compareUnsigned(k, upper) < 0;
  }

  /** The smallest key after {@code k}. */
  static byte[] successor(byte[] k) {
    return Arrays.copyOf(k, k.length + 1);
  }

  @Override
  public void close() {
    it.close();
  }

  public static VersionScanner current(ReadView view, int nsId, byte[] lower, byte[] upper, boolean reverse) {
    return new Current(view.iterator(Cf.KV), nsId, lower, upper, reverse);
  }

  public static VersionScanner atRevision(ReadView view, int nsId, byte[] lower, byte[] upper, boolean reverse, long revision) {
    return new AtRevision(view.iterator(Cf.HISTORY), nsId, lower, upper, reverse, revision);
  }

  private static final class Current extends VersionScanner {
    private boolean started;

    Current(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse) {
      super(it, nsId, lower, upper, reverse);
    }

    @Override
    public boolean next() {
      while (true) {
        if (!started) {
          started = true;
          if (reverse) {
            it.seekForPrev(upper == null ? Keys.nsEnd(nsId) : Keys.current(nsId, upper));
          } else {
            it.seek(lower == null ? Keys.nsPrefix(nsId) : Keys.current(nsId, lower));
          }
        } else if (reverse) {
          it.prev();
        } else {
          it.next();
        }
        if (!it.isValid()) return false;
        byte[] dbKey = it.key();
        if (Keys.nsOf(dbKey) != nsId || dbKey.length == 4) return false;
        examined++;
        byte[] k = Keys.userKeyOfCurrent(dbKey);
        if (!inRange(k)) {
          boolean beforeStart = reverse ? upper != null && Arrays.compareUnsigned(k, upper) >= 0
              : lower != null && Arrays.compareUnsigned(k, lower) < 0;
          if (beforeStart) continue; // seekForPrev landed on the exclusive bound itself
          return false;
        }
        VersionRecord r = VersionRecord.decode(it.value());
        if (r.tombstone()) continue;
        key = k;
        version = r;
        return true;
      }
    }
  }

  /**
   * Reads {@code history}: for each key, the newest version with revision &lt;= the target. A key with no such
   * version whose oldest retained version has a predecessor (compacted away) cannot be answered: HISTORY_COMPACTED.
   */
  private static final class AtRevision extends VersionScanner {
    private final long revision;
    private boolean started;

    AtRevision(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse, long revision) {
      super(it, nsId, lower, upper, reverse);
      this.revision = revision;
    }

    private boolean inGroup(byte[] prefix) {
      return it.isValid() && Keys.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8;
    }

    private void step() {
      if (reverse) it.prev(); else it.next();
    }

    @Override
    public boolean next() {
      if (!started) {
        started = true;
        if (reverse) {
          it.seekForPrev(upper == null ? Keys.nsEnd(nsId) : Keys.historyKeyPrefix(nsId, upper));
        } else {
          it.seek(lower == null ? Keys.nsPrefix(nsId) : Keys.historyKeyPrefix(nsId, lower));
        }
      }
      while (it.isValid()) {
        byte[] dbKey = it.key();
        if (Keys.nsOf(dbKey) != nsId || dbKey.length <= 4) return false;
        byte[] prefix = Keys.prefixOfHistory(dbKey);
        byte[] k = Keys.userKeyOfHistory(dbKey);
        if (!inRange(k)) {
          boolean past = reverse ? lower != null && Arrays.compareUnsigned(k, lower) < 0
              : upper != null && Arrays.compareUnsigned(k, upper) >= 0;
          if (past) return false;
          while (inGroup(prefix)) step();
          continue;
        }
        VersionRecord visible = null;
        VersionRecord oldest = null;
        byte[] lastDbKey = null;
        if (!reverse) { // ascending revisions: the first entry is the oldest, the last one <= revision is visible
          byte[] visibleBytes = null;
          boolean first = true;
          while (inGroup(prefix)) {
            examined++;
            long rev = Keys.revisionOfHistory(it.key());
            if (first) {
              oldest = VersionRecord.decode(it.value());
              first = false;
            }
            if (rev <= revision) visibleBytes = it.value();
            it.next();
          }
          if (visibleBytes != null) visible = VersionRecord.decode(visibleBytes);
        } else { // descending revisions: the first entry <= revision is visible, the last entry is the oldest
          while (inGroup(prefix)) {
            examined++;
            if (visible == null && Keys.revisionOfHistory(it.key()) <= revision) visible = VersionRecord.decode(it.value());
            lastDbKey = it.key();
            it.prev();
          }
          if (visible == null && lastDbKey != null) {
            it.seek(lastDbKey);
            oldest = VersionRecord.decode(it.value());
            it.prev();
          }
        }
        if (visible == null) {
          if (oldest != null && oldest.prevRevision() != 0) throw RocksStore.compacted(revision);
          continue;
        }
        if (visible.tombstone()) continue;
        key = k;
        version = visible;
        return true;
      }
      return false;
    }
  }
}
