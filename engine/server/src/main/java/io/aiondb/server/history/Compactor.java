package io.aiondb.server.history;

import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces history retention online. Each pass walks every namespace in steps of {@code chunkKeys} keys; each step
 * is a {@link Command.Compact} proposed through the log like any write, so every replica removes the same versions,
 * and writes queue behind one short step at most instead of a whole pass. Reads never wait: they use snapshots and
 * answer HISTORY_COMPACTED when what they ask for is gone. The cutoff time is computed here, before proposing, and
 * travels in the command.
 */
public final class Compactor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  public record Stats(int namespaces, long keys, long removed) {}

  private final RocksStore store;
  private final Proposer proposer;
  private final Clock clock;
  private final int keepVersions;
  private final Duration keepDuration;
  private final int chunkKeys;
  private final ScheduledExecutorService timer;

  public Compactor(RocksStore store, Proposer proposer, Clock clock, int keepVersions, Duration keepDuration,
      int chunkKeys, Duration interval) {
    this.store = store;
    this.proposer = proposer;
    this.clock = clock;
    this.keepVersions = keepVersions;
    this.keepDuration = keepDuration;
    this.chunkKeys = chunkKeys;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("aion-compactor").daemon(true).unstarted(r));
    if (enabled() && !interval.isZero()) {
      timer.scheduleWithFixedDelay(this::runQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  public boolean enabled() {
    return keepVersions > 0 || !keepDuration.isZero();
  }

  private void runQuietly() {
    try {
      Stats s = runOnce();
      if (s.removed() > 0) LOG.info("history compaction removed {} versions across {} keys", s.removed(), s.keys());
    } catch (RuntimeException e) {
      LOG.warn("history compaction pass failed; it runs again next interval: {}", e.toString());
    }
  }

  /** One full pass over every namespace. Safe to call concurrently with reads and writes; not with itself. */
  public synchronized Stats runOnce() {
    if (!enabled()) return new Stats(0, 0, 0);
    long cutoff = keepDuration.isZero() ? Long.MIN_VALUE : clock.millis() - keepDuration.toMillis();
    long keys = 0;
    long removed = 0;
    int namespaces = 0;
    for (NamespaceInfo ns : store.namespaces()) {
      namespaces++;
      byte[] from = new byte[0];
      while (from != null) {
        ApplyResult r = proposer.propose(new Command.Compact(ns.name(), from, chunkKeys, keepVersions, cutoff)).join();
        if (!(r instanceof ApplyResult.Compacted c)) break; // namespace dropped meanwhile
        keys += c.keysScanned();
        removed += c.versionsRemoved();
        from = c.nextKey();
      }
    }
    return new Stats(namespaces, keys, removed);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
