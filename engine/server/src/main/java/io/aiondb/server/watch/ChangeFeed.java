package io.aiondb.server.watch;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Cf;
import io.aiondb.server.storage.Keys;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.ReadView;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.VersionRecord;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksIterator;

/** Reads the change feed of a namespace from one RocksDB snapshot. */
public final class ChangeFeed {
  /** The events of consecutive revisions, and the revision to read from next. */
  public record Page(List<Revision> revisions, long next) {}

  public record Revision(long revision, List<WatchEvent> events) {}

  private final RocksStore store;
  /** RocksDB snapshots this feed opened (one per step): how much reading the watches of a node cost. */
  private final java.util.concurrent.atomic.LongAdder views = new java.util.concurrent.atomic.LongAdder();

  public ChangeFeed(RocksStore store) {
    this.store = store;
  }

  /** Snapshots opened so far (for tests and the fan-out benchmark). */
  long viewsOpened() {
    return views.sum();
  }

  ReadView openView() {
    views.increment();
    return store.openView();
  }

  /** The namespace as the watch starts: exists, and {@code from} is not compacted away. Returns its id. */
  public int check(WatchSpec spec, long from) {
    NamespaceInfo ns = store.namespace(spec.namespace()).orElseThrow(() -> new AionException(
        ErrorCode.NAMESPACE_NOT_FOUND, "namespace '" + spec.namespace() + "' does not exist"));
    checkCompacted(ns, from);
    return ns.id();
  }

  private static void checkCompacted(NamespaceInfo ns, long from) {
    if (from <= ns.compactRevision()) {
      throw new AionException(ErrorCode.HISTORY_COMPACTED, "watch start revision " + from + " of namespace '"
          + ns.name() + "' was compacted; the oldest revision a watch can start from is " + (ns.compactRevision() + 1));
    }
  }

  /** Value bytes one step reads at most (a step stops at a revision boundary once past it). */
  static final long STEP_MAX_BYTES = 4L << 20;

  /** Change-feed entries a prefix step examines at most, matching or not (it stops at a revision boundary). */
  static final int STEP_MAX_EXAMINED = 10_000;

  /**
   * The matching events with revision in {@code [from, upTo]} (bounded by what the snapshot holds), whole revisions
   * only, stopping at a revision boundary once about {@code maxEvents} were collected, {@link #STEP_MAX_BYTES} of
   * values read or (for a prefix) {@link #STEP_MAX_EXAMINED} entries examined: a step's memory and time are bounded
   * however large the values or however few of a busy namespace's changes match.
   */
  public Page read(WatchSpec spec, int nsId, long from, long upTo, int maxEvents) {
    try (ReadView v = openView()) {
      byte[] info = v.get(Cf.META, RocksStore.namespaceKey(spec.namespace()));
      NamespaceInfo ns = info == null ? null : NamespaceInfo.decode(spec.namespace(), info);
      if (ns == null || ns.id() != nsId) {
        throw new AionException(ErrorCode.NAMESPACE_NOT_FOUND, "namespace '" + spec.namespace() + "' was dropped");
      }
      checkCompacted(ns, from);
      long last = Math.min(upTo, v.revision());
      List<Revision> out = new ArrayList<>();
      long next = spec.prefix() ? readPrefix(v, spec, nsId, from, last, maxEvents, out) : readKey(v, spec, nsId, from, last, maxEvents, out);
      return new Page(out, next);
    }
  }

  /** One key: its versions are contiguous in {@code history}, oldest first. */
  private static long readKey(ReadView v, WatchSpec spec, int nsId, long from, long last, int max, List<Revision> out) {
    byte[] prefix = Keys.historyKeyPrefix(nsId, spec.key());
    long bytes = 0;
    try (RocksIterator it = v.iterator(Cf.HISTORY)) {
      for (it.seek(Keys.historyWithPrefix(prefix, from)); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!Keys.startsWith(k, prefix) || k.length != prefix.length + 8) break;
        long rev = Keys.revisionOfHistory(k);
        if (rev > last) break;
        if (out.size() >= max || bytes >= STEP_MAX_BYTES) return rev;
        byte[] value = it.value();
        bytes += value.length;
        out.add(new Revision(rev, List.of(new WatchEvent(spec.key(), v.decode(value)))));
      }
    }
    return last + 1;
  }

  /** A prefix: walk the namespace's change feed in revision order and keep the matching keys. */
  private static long readPrefix(ReadView v, WatchSpec spec, int nsId, long from, long last, int max, List<Revision> out) {
    byte[] nsPrefix = Keys.nsPrefix(nsId);
    int events = 0;
    long bytes = 0;
    int examined = 0;
    List<WatchEvent> current = null;
    long currentRev = -1;
    try (RocksIterator it = v.iterator(Cf.CHANGES)) {
      for (it.seek(Keys.changeFrom(nsId, from)); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!Keys.startsWith(k, nsPrefix)) break;
        long rev = Keys.revisionOfChange(k);
        if (rev > last) break;
        if (rev != currentRev) {
          if (events >= max || bytes >= STEP_MAX_BYTES || examined >= STEP_MAX_EXAMINED) return rev;
          currentRev = rev;
          current = null;
        }
        examined++;
        byte[] userKey = Keys.userKeyOfChange(k);
        if (!spec.matches(userKey)) continue;
        byte[] version = v.get(Cf.HISTORY, Keys.history(nsId, userKey, rev));
        if (version == null) throw new IllegalStateException("change feed entry without its version: revision " + rev);
        if (current == null) {
          current = new ArrayList<>();
          out.add(new Revision(rev, current));
        }
        bytes += version.length;
        current.add(new WatchEvent(userKey, v.decode(version)));
        events++;
      }
    }
    return last + 1;
  }
}
