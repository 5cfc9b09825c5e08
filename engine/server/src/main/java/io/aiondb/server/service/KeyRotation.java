package io.aiondb.server.service;

import io.aiondb.server.storage.AtRest;
import io.aiondb.server.storage.RocksStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data key rotation of this member's encryption at rest (docs/security.md "Encryption at rest"): checks once a minute
 * whether a rotation is due ({@code encryption.data-key-rotation-period}, or the active key's share of values), and
 * on {@link #rotate} makes a new data key and runs a re-encryption pass on one background thread. One pass at a time;
 * a rotation asked for while one runs waits for it.
 */
public final class KeyRotation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);
  static final int CHUNK = 512;

  /** The last (or running) pass: when it started and ended, and what {@link AtRest#reseal} reported. */
  public record PassState(String reason, Instant started, Instant finished, AtRest.Pass result, String error) {}

  private final RocksStore store;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final AtomicReference<PassState> last = new AtomicReference<>();
  private final LongAdder resealed = new LongAdder();

  public KeyRotation(RocksStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aion-key-rotation");
      t.setDaemon(true);
      return t;
    });
    if (store.atRest().enabled()) {
      thread.scheduleWithFixedDelay(this::checkDue, 1, 1, TimeUnit.MINUTES);
    }
  }

  public AtRest atRest() {
    return store.atRest();
  }

  public PassState lastPass() {
    return last.get();
  }

  /** Values re-encrypted by passes since start. */
  public long resealedTotal() {
    return resealed.sum();
  }

  private void checkDue() {
    try {
      if (store.atRest().rotationDue()) run("rotation period");
    } catch (RuntimeException e) {
      LOG.warn("data key rotation failed: {}", e.toString());
    }
  }

  /** Rotates now, in the background: answers the new active key once it is active; the pass goes on after. */
  public CompletableFuture<AtRest.DataKey> rotate() {
    if (!store.atRest().enabled()) {
      throw new io.aiondb.server.AionException(io.aiondb.server.ErrorCode.BAD_REQUEST,
          "encryption at rest is off on this member (encryption.key-file)");
    }
    CompletableFuture<AtRest.DataKey> rotated = new CompletableFuture<>();
    thread.execute(() -> {
      try {
        run("requested", rotated);
      } catch (RuntimeException e) {
        rotated.completeExceptionally(e);
      }
    });
    return rotated;
  }

  private void run(String reason) {
    run(reason, new CompletableFuture<>());
  }

  private void run(String reason, CompletableFuture<AtRest.DataKey> rotated) {
    AtRest.DataKey k = store.atRest().rotate(store);
    rotated.complete(k);
    Instant started = clock.instant();
    LOG.info("data key {} is active ({}); re-encrypting what older keys sealed", k.name(), reason);
    last.set(new PassState(reason, started, null, null, null));
    try {
      AtRest.Pass p = store.atRest().reseal(store, CHUNK);
      resealed.add(p.resealed());
      last.set(new PassState(reason, started, clock.instant(), p, null));
      LOG.info("re-encryption pass {}: {} values examined, {} re-encrypted; data keys retired: {}",
          p.complete() ? "complete" : "stopped (a snapshot replaced the data)", p.examined(), p.resealed(), p.retired());
    } catch (RuntimeException e) {
      last.set(new PassState(reason, started, clock.instant(), null, e.getMessage()));
      LOG.warn("re-encryption pass failed: {}", e.toString());
    }
  }

  /** The keys this member holds, for status answers: ids and creation times only. */
  public List<AtRest.DataKey> ring() {
    return store.atRest().ring();
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
