package io.aiondb.server.consensus.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Coalesces linearizable reads: while one read-index request is in flight, reads that arrive wait for the next
 * request, which then serves all of them. Every read is answered by a request sent after the read arrived, so each
 * still observes every write acknowledged before it started; N concurrent reads cost about two round trips instead
 * of N.
 */
final class ReadIndexBatcher {
  private final Supplier<CompletableFuture<Long>> fetch;
  private List<CompletableFuture<Long>> waiting = new ArrayList<>();
  private boolean inFlight;

  ReadIndexBatcher(Supplier<CompletableFuture<Long>> fetch) {
    this.fetch = fetch;
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
    r.whenComplete((index, err) -> {
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
    });
  }
}
