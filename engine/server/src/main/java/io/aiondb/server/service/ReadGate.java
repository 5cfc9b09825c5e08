package io.aiondb.server.service;

import java.util.concurrent.CompletableFuture;

/**
 * A transport's flow control for one read: entered after the read barrier is passed and before the read runs, so
 * what it holds (the binary protocol reserves room for the largest possible answer in its connection's byte budget)
 * is held while the read runs, not while the read waits for the leader. The read fails with the gate's error if
 * entering fails.
 */
@FunctionalInterface
public interface ReadGate {
  /** A gate that never waits. */
  ReadGate OPEN = () -> CompletableFuture.completedFuture(null);

  /** Completes once the read may run (on any thread; it must not block the caller). */
  CompletableFuture<Void> enter();
}
