package io.aiondb.server.consensus.raft;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Wakes requests that wait to retry when this node learns something new about the leadership: a leader became known,
 * or this node's own leadership became ready (it applied the entries of earlier terms and accepts writes).
 *
 * <p>A write or a read barrier that fails while there is no usable leader retries with a growing backoff (up to
 * 100 ms for writes, 500 ms for read indexes). After a failover that backoff was the last part of the wait: the first write
 * through a survivor succeeded a median 123-132 ms after the new leader was ready, 45-67 ms with this (2026-12-07,
 * {@code bin/bench-failover}, 2 rounds of 10 trials each; docs/design/replication.md). A retry parked here runs after its backoff or as soon as news arrives, whichever
 * comes first; one woken by news starts its backoff over (the attempt it makes may still meet a leader that is not
 * ready yet, and the next news or a short backoff follows).
 *
 * <p>{@link #generation()} read when an attempt starts and passed to {@link #retry} closes the gap between a
 * failure and its parking: news that arrived meanwhile wakes the retry at once.
 */
final class LeaderNews {
  private final AtomicLong generation = new AtomicLong();
  private final Set<Parked> parked = ConcurrentHashMap.newKeySet();
  private final Executor executor;

  /** @param executor runs woken retries (never the thread that reports the news: that is one of Ratis's own) */
  LeaderNews(Executor executor) {
    this.executor = executor;
  }

  /** Changes whenever news arrives. */
  long generation() {
    return generation.get();
  }

  /** A leader became known, or this node's leadership became ready: wakes every parked retry. */
  void arrived() {
    generation.incrementAndGet();
    for (Parked p : parked) p.fire(true);
  }

  /**
   * Runs {@code retry} after {@code backoffMillis}, or once news arrives if that is sooner (at once if news arrived
   * since {@code seenGeneration}). {@code retry} receives true when news woke it. If the executor refuses (shut down),
   * {@code retry} is not run and {@code refused} is.
   */
  void retry(long seenGeneration, long backoffMillis, Consumer<Boolean> retry, Runnable refused) {
    Parked p = new Parked(retry, refused);
    if (generation.get() != seenGeneration || backoffMillis <= 0) {
      p.fire(generation.get() != seenGeneration);
      return;
    }
    parked.add(p);
    // the timer hands over through fire(), which runs the refusal if the executor was shut down meanwhile
    java.util.concurrent.CompletableFuture.delayedExecutor(backoffMillis, TimeUnit.MILLISECONDS).execute(() -> p.fire(false));
    if (generation.get() != seenGeneration) p.fire(true); // news between the check above and the parking
  }

  /** Retries waiting (for tests and metrics). */
  int parked() {
    return parked.size();
  }

  private final class Parked {
    private final AtomicBoolean done = new AtomicBoolean();
    private final Consumer<Boolean> retry;
    private final Runnable refused;

    Parked(Consumer<Boolean> retry, Runnable refused) {
      this.retry = retry;
      this.refused = refused;
    }

    /** Hands the retry to the executor (once). */
    void fire(boolean byNews) {
      if (!done.compareAndSet(false, true)) return;
      parked.remove(this);
      try {
        executor.execute(() -> retry.accept(byNews));
      } catch (RejectedExecutionException e) {
        refused.run();
      }
    }
  }
}
