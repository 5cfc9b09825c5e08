package io.aiondb.server.consensus;

import java.util.concurrent.CompletableFuture;

/**
 * The consensus layer as the service layer sees it: {@link Proposer} for writes, plus the read barrier.
 *
 * <p>{@link #readBarrier} completes when a read on this node may start: for {@code LINEARIZABLE} once the local
 * state machine has applied the cluster's read index (the leader confirmed its leadership); for {@code STALE} at
 * once; with {@code minRevision > 0}, additionally once that revision is applied here. It is never answered stale:
 * while no leader is known it waits (or fails with {@code UNAVAILABLE}/{@code TIMEOUT}). Implementation:
 * {@link io.aiondb.server.consensus.raft.RaftNode}.
 */
public interface Consensus extends Proposer {

  CompletableFuture<Void> readBarrier(ReadConsistency consistency, long minRevision);
}
