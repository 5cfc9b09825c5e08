package io.aiondb.server.consensus;

import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import java.util.concurrent.CompletableFuture;

/**
 * The consensus layer as the API sees it: submit a validated command, learn its result once it is durably applied.
 *
 * <p>Contract: the future completes after the command is committed (durable by the implementation's rule — the
 * local WAL fsync for a single node, a majority of the Raft group once replicated) and applied, and after every
 * read that starts later can see its effect. A command the state machine rejected (a failed precondition, or a
 * command that failed inside apply: see {@code EntryApplier}) completes exceptionally with an {@code AionException}
 * carrying the rejection's code and message; nothing was written. It completes exceptionally with an {@code AionException} (code
 * {@code UNAVAILABLE}) when the command was not accepted, and with a {@code StorageException} when the outcome is
 * unknown. Implementation: {@link io.aiondb.server.consensus.raft.RaftNode} (a one-node cluster is a one-member group).
 */
public interface Proposer extends AutoCloseable {

  CompletableFuture<ApplyResult> propose(Command command);

  /** True while this node accepts writes. */
  boolean ready();

  /** Stops accepting, finishes every accepted command, then returns. */
  @Override
  void close();
}
