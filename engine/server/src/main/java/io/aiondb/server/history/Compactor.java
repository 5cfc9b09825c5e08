package io.aiondb.server.history;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
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
 *
 * <p>Who runs it: the scheduled pass runs on the leader only (every member proposing the same steps would apply
 * each one N times). On any node at most one pass runs at a time, on this class's own thread: a pass requested while
 * one runs ({@link #pass()}, e.g. {@code POST /v1/admin/compact}) gets the running pass's result instead of starting
 * or queueing another, and no request thread waits for it.
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
  private final BooleanSupplier leader;
  private final ScheduledExecutorService timer;
  /** The pass in progress, or null. */
  private CompletableFuture<Stats> running;

  public Compactor(RocksStore store, Proposer proposer, Clock clock, int keepVersions, Duration keepDuration,
      int chunkKeys, Duration interval, BooleanSupplier leader) {
    this.store = store;
    this.proposer = proposer;
    this.clock = clock;
    this.keepVersions = keepVersions;
    this.keepDuration = keepDuration;
    this.chunkKeys = chunkKeys;
    this.leader = leader;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("aion-compactor").daemon(true).unstarted(r));
    if (enabled() && !interval.isZero()) {
      timer.scheduleWithFixedDelay(this::scheduled, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  public boolean enabled() {
    return keepVersions > 0 || !keepDuration.isZero();
  }

  private void scheduled() {
    try { // nothing may escape: an exception would cancel every later run of the schedule
      if (!leader.getAsBoolean()) return;
      Stats s = pass().join();
      if (s.removed() > 0) LOG.info("history compaction removed {} versions across {} keys", s.removed(), s.keys());
    } catch (RuntimeException e) {
      LOG.warn("history compaction pass failed; it runs again next interval: {}", e.toString());
    }
  }

  /** A full pass over every namespace: the one running now, or a new one started on the compactor's thread. */
  public synchronized CompletableFuture<Stats> pass() {
    if (running != null) return running;
    CompletableFuture<Stats> f = new CompletableFuture<>();
    running = f;
    Thread.ofVirtual().name("aion-compaction-pass").start(() -> {
      Stats stats = null;
      Throwable failure = null;
      try {
        stats = runPass();
      } catch (Throwable t) {
        failure = t;
      }
      // Cleared before the result is published, so that whoever it wakes and asks again starts a new pass rather than
      // joining the finished one (CompactorTest saw the old pass's result, 1 run in many).
      synchronized (this) {
        running = null;
      }
      if (failure != null) {
        f.completeExceptionally(failure);
      } else {
        f.complete(stats);
      }
    });
    return f;
  }

  /** Runs a pass (or joins the running one) and waits for it. */
  public Stats runOnce() {
    return pass().join();
  }

  private Stats runPass() {
    if (!enabled()) return new Stats(0, 0, 0);
    long cutoff = keepDuration.isZero() ? Long.MIN_VALUE : clock.millis() - keepDuration.toMillis();
    long keys = 0;
    long removed = 0;
    int namespaces = 0;
    for (NamespaceInfo ns : store.namespaces()) {
      namespaces++;
      byte[] from = new byte[0];
      while (from != null) {
        ApplyResult r;
        try {
          r = proposer.propose(new Command.Compact(ns.name(), from, chunkKeys, keepVersions, cutoff)).join();
        } catch (java.util.concurrent.CompletionException e) {
          if (e.getCause() instanceof AionException a && a.code() == ErrorCode.NAMESPACE_NOT_FOUND) break; // dropped
          throw e;
        }
        if (!(r instanceof ApplyResult.Compacted c)) break;
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
