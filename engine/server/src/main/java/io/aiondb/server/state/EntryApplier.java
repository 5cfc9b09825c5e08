package io.aiondb.server.state;

import io.aiondb.server.ErrorCode;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.RocksStore;
import io.aiondb.server.storage.StorageException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard around the apply path: applies one log entry in a batch of its own and commits it with the entry's index
 * and term, and never lets a committed command stop the replica.
 *
 * <ul>
 *   <li>A {@link Rejection} (a command that must not take effect, found part way through) and any other
 *       {@code RuntimeException} from {@link Applier#apply} (a defect that the command triggers: the same on every
 *       replica, since apply is deterministic) discard the entry's batch; a batch holding only the applied index and
 *       term is committed instead, and the entry's result is {@link ApplyResult.Rejected} — with the same code and
 *       message on every replica (the message names the exception class, never a memory address or a time). The
 *       log stays the record of what was decided: a replay rejects the entry the same way.</li>
 *   <li>A {@link StorageException} (the local disk or RocksDB failed) is not a property of the command: it is
 *       rethrown, and the replica stops applying rather than diverge from the others.</li>
 * </ul>
 */
public final class EntryApplier {
  private static final Logger LOG = LoggerFactory.getLogger(EntryApplier.class);

  /** One step of the state machine: applies an entry's command to a batch (see {@link KvStateMachine#apply}). */
  @FunctionalInterface
  public interface Applier {
    ApplyResult apply(LogEntry entry, Batch batch);
  }

  private final RocksStore store;
  private final Applier applier;
  private final AtomicLong rejectedByFailure = new AtomicLong();

  private final io.opentelemetry.api.trace.Tracer tracer;

  public EntryApplier(RocksStore store, Applier applier) {
    this(store, applier, io.opentelemetry.api.OpenTelemetry.noop().getTracer("io.aiondb.server"));
  }

  /** @param tracer makes a {@code rocksdb.write} span under the current span, when one is sampled (docs/tracing.md) */
  public EntryApplier(RocksStore store, Applier applier, io.opentelemetry.api.trace.Tracer tracer) {
    this.store = store;
    this.applier = applier;
    this.tracer = tracer;
  }

  /** Commits {@code b}: the entry's one RocksDB write, in a span when the apply is traced. */
  private void commit(Batch b) {
    if (!io.opentelemetry.api.trace.Span.current().getSpanContext().isSampled()) {
      store.commit(b);
      return;
    }
    io.opentelemetry.api.trace.Span span = tracer.spanBuilder("rocksdb.write").startSpan();
    try {
      store.commit(b);
      span.end();
    } catch (RuntimeException e) {
      io.aiondb.server.trace.Tracing.end(span, e);
      throw e;
    }
  }

  /** Applies {@code entry} (at log position {@code entry.index()}, Raft term {@code term}) and commits it. */
  public ApplyResult apply(LogEntry entry, long term) {
    try (Batch b = store.newBatch()) {
      ApplyResult result = applier.apply(entry, b);
      store.noteIndex(b, entry.index());
      store.noteTerm(b, term);
      commit(b);
      return result;
    } catch (StorageException e) {
      throw e;
    } catch (Rejection r) {
      commitIndexOnly(entry.index(), term);
      return new ApplyResult.Rejected(r.code(), r.getMessage());
    } catch (RuntimeException e) {
      LOG.error("entry {} ({}) failed inside apply; it is recorded as rejected on every replica and wrote nothing",
          entry.index(), entry.command().getClass().getSimpleName(), e);
      commitIndexOnly(entry.index(), term);
      rejectedByFailure.incrementAndGet();
      return failed(e, entry.index());
    }
  }

  /**
   * One item of a batched entry: a command to apply, or the leader's rejection of one it refused before the log
   * ({@code rejected} non-null; {@code command} null).
   */
  public record Item(Command command, ApplyResult.Rejected rejected) {
    public static Item of(Command c) {
      return new Item(c, null);
    }
  }

  /**
   * Applies the items of one log entry (at {@code index}, Raft term {@code term}, commit time {@code timestampMillis})
   * in order, in one RocksDB batch committed once with the entry's index and term. Each command sees the writes of
   * the ones before it; a command that is rejected, or fails inside apply, is undone alone (a savepoint around each)
   * and answered {@link ApplyResult.Rejected} at its position, as {@link #apply} answers a single one: its neighbours
   * are applied as if it were not there. Results are by position. A {@link StorageException} stops the replica.
   */
  public java.util.List<ApplyResult> applyAll(long index, long timestampMillis, java.util.List<Item> items, long term) {
    java.util.List<ApplyResult> results = new java.util.ArrayList<>(items.size());
    try (Batch b = store.newBatch()) {
      for (Item item : items) {
        if (item.rejected() != null) {
          results.add(item.rejected());
          continue;
        }
        Batch.Savepoint sp = b.savepoint();
        try {
          ApplyResult r = applier.apply(new LogEntry(index, timestampMillis, item.command()), b);
          if (r instanceof ApplyResult.Rejected) b.rollback(sp); else b.release(sp); // a refusal leaves no trace
          results.add(r);
        } catch (StorageException e) {
          throw e;
        } catch (Rejection r) {
          b.rollback(sp);
          results.add(new ApplyResult.Rejected(r.code(), r.getMessage()));
        } catch (RuntimeException e) {
          b.rollback(sp);
          LOG.error("a command ({}) of entry {} failed inside apply; it is recorded as rejected on every replica and "
              + "wrote nothing", item.command().getClass().getSimpleName(), index, e);
          rejectedByFailure.incrementAndGet();
          results.add(failed(e, index));
        }
      }
      store.noteIndex(b, index);
      store.noteTerm(b, term);
      commit(b);
      return results;
    }
  }

  private static ApplyResult.Rejected failed(RuntimeException e, long index) {
    return new ApplyResult.Rejected(ErrorCode.INTERNAL, "the command could not be applied ("
        + e.getClass().getSimpleName() + "); nothing was written. This is a defect: please report it with the "
        + "server log of log index " + index);
  }

  private void commitIndexOnly(long index, long term) {
    try (Batch b = store.newBatch()) {
      store.noteIndex(b, index);
      store.noteTerm(b, term);
      store.commit(b);
    }
  }

  /** Entries that failed inside apply with an unexpected exception since start (a defect counter for metrics). */
  public long rejectedByFailure() {
    return rejectedByFailure.get();
  }
}
