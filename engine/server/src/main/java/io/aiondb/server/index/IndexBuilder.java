package io.aiondb.server.index;

import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.storage.IndexDef;
import io.aiondb.server.storage.NamespaceInfo;
import io.aiondb.server.storage.RocksStore;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the backfill of new indexes on the leader: proposes {@link Command.BackfillIndex} steps of {@code chunkKeys}
 * keys through the log (so every replica writes the same entries) until each building index is ready. Writes go on
 * meanwhile: they queue behind one short step at most, and they maintain the index themselves. Other nodes only
 * watch; after a failover the new leader continues from the cursor stored in the index definition.
 */
public final class IndexBuilder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);

  private final RocksStore store;
  private final Proposer proposer;
  private final BooleanSupplier leader;
  private final int chunkKeys;
  /** Keys this node indexed by backfill, as the leader (aion_index_backfilled_keys_total). */
  private final java.util.concurrent.atomic.AtomicLong backfilled = new java.util.concurrent.atomic.AtomicLong();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("aion-index-builder").daemon(true).unstarted(r));

  public IndexBuilder(RocksStore store, Proposer proposer, BooleanSupplier leader, int chunkKeys) {
    this.store = store;
    this.proposer = proposer;
    this.leader = leader;
    this.chunkKeys = chunkKeys;
    timer.scheduleWithFixedDelay(this::runQuietly, 1, 1, TimeUnit.SECONDS);
  }

  /** Starts a pass now (after an index was created). */
  public void wake() {
    timer.execute(this::runQuietly);
  }

  private void runQuietly() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.warn("index backfill step failed; it is retried: {}", e.toString());
    }
  }

  /** Backfills every building index to the end (on the leader only). Not concurrently with itself. */
  public synchronized void runOnce() {
    if (!leader.getAsBoolean()) return;
    for (NamespaceInfo ns : store.namespaces()) {
      for (IndexDef def : store.indexes(ns.id())) {
        if (def.state() != IndexDef.State.BUILDING) continue;
        long keys = 0;
        while (true) {
          ApplyResult r;
          try {
            r = proposer.propose(new Command.BackfillIndex(ns.name(), def.name(), def.id(), chunkKeys)).join();
          } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof io.aiondb.server.AionException a
                && (a.code() == io.aiondb.server.ErrorCode.INDEX_NOT_FOUND
                    || a.code() == io.aiondb.server.ErrorCode.NAMESPACE_NOT_FOUND)) break; // dropped meanwhile
            throw e;
          }
          if (!(r instanceof ApplyResult.Backfilled bf)) break;
          keys += bf.keys();
          backfilled.addAndGet(bf.keys());
          if (bf.state() != IndexDef.State.BUILDING) {
            LOG.info("index {} of namespace {} is {} after indexing {} keys", def.name(), ns.name(),
                bf.state().name().toLowerCase(java.util.Locale.ROOT), keys);
            break;
          }
          if (!leader.getAsBoolean()) return;
        }
      }
    }
  }

  /** Keys this node indexed by backfill so far (as the leader). */
  public long backfilledKeys() {
    return backfilled.get();
  }

  /** Indexes in {@code state} over every namespace (what this node's store holds). */
  public long count(io.aiondb.server.storage.IndexDef.State state) {
    long n = 0;
    for (NamespaceInfo ns : store.namespaces()) {
      for (IndexDef def : store.indexes(ns.id())) if (def.state() == state) n++;
    }
    return n;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
