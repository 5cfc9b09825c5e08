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
 *
 * <p>Every entry read is charged to the page's {@link WorkBudget}: live keys, tombstones and history versions alike.
 * Between two keys the scanner asks the budget; once it is exhausted (and at least one key was examined, so every
 * page makes progress) {@link #next} returns false with {@link #stopped} true, and {@link #position} is the last key
 * examined: every key up to it, in scan order, has been looked at, so a cursor there resumes without a gap.
 */
public abstract class VersionScanner implements AutoCloseable {
  protected final RocksIterator it;
  protected final int nsId;
  protected final byte[] lower;
  protected final byte[] upper;
  protected final boolean reverse;
  protected final WorkBudget budget;
  protected byte[] key;
  protected VersionRecord version;
  /** The last key whose entries were all examined, or null before the first. */
  protected byte[] position;
  protected boolean stopped;

  private ReadView view;

  VersionScanner(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse, WorkBudget budget) {
    this.it = it;
    this.nsId = nsId;
    this.lower = lower;
    this.upper = upper;
    this.reverse = reverse;
    this.budget = budget;
  }

  /** Advances to the next live key; false at the end of the range or when the budget ran out ({@link #stopped}). */
  public abstract boolean next();

  public byte[] key() {
    return key;
  }

  public VersionRecord version() {
    return version;
  }

  /** True when {@link #next} returned false because the budget ran out, not because the range ended. */
  public boolean stopped() {
    return stopped;
  }

  /** The last key examined (live or not); a cursor here resumes exactly after everything this scanner looked at. */
  public byte[] position() {
    return position;
  }

  /** Called before reading the next key: true when the page must end here. */
  protected boolean outOfBudget() {
    if (position != null && budget.exhausted()) {
      stopped = true;
      return true;
    }
    return false;
  }

  protected boolean inRange(byte[] k) {
    if (lower != null && Arrays.compareUnsigned(k, lower) < 0) return false;
    return upper == null || Arrays.compareUnsigned(k, upper) < 0;
  }

  /** The smallest key after {@code k}. */
  /** A stored version as a record (opened when sealed at rest). */
  VersionRecord decode(byte[] raw) {
    return view.decode(raw);
  }

  static byte[] successor(byte[] k) {
    return Arrays.copyOf(k, k.length + 1);
  }

  @Override
  public void close() {
    it.close();
  }

  public static VersionScanner current(ReadView view, int nsId, byte[] lower, byte[] upper, boolean reverse, WorkBudget budget) {
    VersionScanner s = new Current(view.iterator(Cf.KV), nsId, lower, upper, reverse, budget);
    s.view = view;
    return s;
  }

  public static VersionScanner atRevision(ReadView view, int nsId, byte[] lower, byte[] upper, boolean reverse, long revision,
      WorkBudget budget) {
    VersionScanner s = new AtRevision(view.iterator(Cf.HISTORY), nsId, lower, upper, reverse, revision, budget);
    s.view = view;
    return s;
  }

  private static final class Current extends VersionScanner {
    private boolean started;

    Current(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse, WorkBudget budget) {
      super(it, nsId, lower, upper, reverse, budget);
    }

    @Override
    public boolean next() {
      while (true) {
        if (stopped || outOfBudget()) return false;
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
        budget.examine(1);
        byte[] k = Keys.userKeyOfCurrent(dbKey);
        if (!inRange(k)) {
          boolean beforeStart = reverse ? upper != null && Arrays.compareUnsigned(k, upper) >= 0
              : lower != null && Arrays.compareUnsigned(k, lower) < 0;
          if (beforeStart) continue; // seekForPrev landed on the exclusive bound itself
          return false;
        }
        byte[] raw = it.value();
        budget.read(raw.length);
        position = k;
        VersionRecord r = decode(raw);
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
   * Each key costs a few seeks whatever the number of its versions: the visible version is found with one
   * {@code seekForPrev}, the oldest (only needed when none is visible) with one {@code seek}, and the next key's
   * versions with one more seek past this key's.
   */
  private static final class AtRevision extends VersionScanner {
    private final long revision;
    private boolean started;

    AtRevision(RocksIterator it, int nsId, byte[] lower, byte[] upper, boolean reverse, long revision, WorkBudget budget) {
      super(it, nsId, lower, upper, reverse, budget);
      this.revision = revision;
    }

    private boolean inGroup(byte[] prefix) {
      return it.isValid() && Keys.startsWith(it.key(), prefix) && it.key().length == prefix.length + 8;
    }

    /** Moves to an entry of the next key in scan order (or off the namespace). */
    private void skipGroup(byte[] prefix) {
      if (reverse) it.seekForPrev(prefix); // below every version of this key, above every smaller key's
      else it.seek(Keys.prefixEnd(prefix)); // escaped keys are prefix-free: no other key's versions start with it
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
      while (true) {
        if (stopped || outOfBudget()) return false;
        if (!it.isValid()) return false;
        byte[] dbKey = it.key();
        if (Keys.nsOf(dbKey) != nsId || dbKey.length <= 4) return false;
        budget.examine(1);
        byte[] prefix = Keys.prefixOfHistory(dbKey);
        byte[] k = Keys.userKeyOfHistory(dbKey);
        if (!inRange(k)) {
          boolean past = reverse ? lower != null && Arrays.compareUnsigned(k, lower) < 0
              : upper != null && Arrays.compareUnsigned(k, upper) >= 0;
          if (past) return false;
          skipGroup(prefix);
          continue;
        }
        VersionRecord visible = null;
        VersionRecord oldest = null;
        it.seekForPrev(Keys.historyWithPrefix(prefix, revision));
        budget.examine(1);
        if (inGroup(prefix)) {
          byte[] raw = it.value();
          budget.read(raw.length);
          visible = decode(raw);
        } else {
          it.seek(Keys.historyWithPrefix(prefix, 0));
          budget.examine(1);
          if (inGroup(prefix)) {
            byte[] raw = it.value();
            budget.read(raw.length);
            oldest = decode(raw);
          }
        }
        skipGroup(prefix);
        position = k;
        if (visible == null) {
          if (oldest != null && oldest.prevRevision() != 0) throw RocksStore.compacted(revision);
          continue;
        }
        if (visible.tombstone()) continue;
        key = k;
        version = visible;
        return true;
      }
    }
  }
}
