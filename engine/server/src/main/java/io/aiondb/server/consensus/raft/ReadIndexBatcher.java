package io.aiondb.server.consensus.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Coalesces linearizable reads: while one read-index request is in flight, reads that arrive wait for the next
 * request, which then serves all of them. Every read is answered by a request sent after the read arrived, so each
 * still observes every write acknowledged before it started; N concurrent reads cost about two round trips instead
 * of N.
 *
 * <p>A request's answer is handled, and the next request sent, on {@code executor}, never on the thread that
 * completed the request: on the leader that is one of Ratis's own threads (the state machine updater, once it has
 * applied the read index), which must not be kept serving a steady stream of reads, and a request answered at once
 * (a valid lease) would otherwise recurse.
 */
final class ReadIndexBatcher {
  private final Supplier<CompletableFuture<Long>> fetch;
  private final Executor executor;
  private List<CompletableFuture<Long>> waiting = new ArrayList<>();
  private boolean inFlight;

  ReadIndexBatcher(Supplier<CompletableFuture<Long>> fetch, Executor executor) {
    this.fetch = fetch;
    this.executor = executor;
  }

  CompletableFuture<Long> readIndex() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    boolean start;
    synchronized (this) {
      waiting.add(f);
      start = !inFlight;
      if (start) inFlight = true;
    }
    if (start) round();
    return f;
  }

  private void round() {
    List<CompletableFuture<Long>> batch;
    synchronized (this) {
      batch = waiting;
      waiting = new ArrayList<>();
    }
    CompletableFuture<Long> r;
    try {
      r = fetch.get();
    } catch (RuntimeException e) {
      r = CompletableFuture.failedFuture(e);
    }
    r.whenCompleteAsync((index, err) -> {
      for (CompletableFuture<Long> f : batch) {
        if (err != null) f.completeExceptionally(err);
        else f.complete(index);
      }
      boolean again;
      synchronized (this) {
        again = !waiting.isEmpty();
        if (!again) inFlight = false;
      }
      if (again) round();
    }, executor).whenComplete((x, err) -> { // the executor refused (shut down): the batch is not left waiting
      if (err != null) for (CompletableFuture<Long> f : batch) f.completeExceptionally(err);
    });
  }
}
