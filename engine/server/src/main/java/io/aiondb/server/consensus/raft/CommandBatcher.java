package io.aiondb.server.consensus.raft;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Forms Raft entries from the commands this node proposes (command batching above Raft, as TiKV and RheaKV do).
 *
 * <p>Commands queue here; one proposer thread takes what has queued into one proposal, bounded by
 * {@code maxCommands} and {@code maxBytes}, and hands it to the {@link Sender}. At most {@code maxInFlight} proposals
 * wait for the log at once: while they do, the next one forms from whatever arrives meanwhile. No timer: a command
 * that finds nothing in flight is proposed at once, alone, so one client's write pays no batching delay, and under
 * load each entry (one append, one fsync, one replication round, one apply) carries many commands. A command that is
 * applied alone ({@link Command#exclusive()}: it iterates or range-deletes) is always proposed alone.
 *
 * <p>Results fan out by position: each command keeps its own outcome (a rejected one never affects its
 * neighbours: {@code EntryApplier.applyAll}). A proposal that fails as a whole (no quorum, outcome unknown) fails
 * each of its commands with the same error. Proposals are handed to the sender in the order their commands were
 * submitted, from one thread.
 */
final class CommandBatcher implements AutoCloseable {

  /**
   * Proposes one proposal's bytes; completes with the reply's bytes (a single result, or a batch's results).
   * {@code traces} are the trace contexts its commands were submitted with, in order (docs/tracing.md).
   */
  interface Sender {
    CompletableFuture<byte[]> send(byte[] proposal, List<io.opentelemetry.context.Context> traces);
  }

  private record Pending(Command command, byte[] bytes, io.opentelemetry.context.Context trace,
      CompletableFuture<ApplyResult> result) {}

  private final Sender sender;
  private final java.util.concurrent.Executor completions;
  private final int maxCommands;
  private final long maxBytes;
  private final IntSupplier maxInFlight;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean closed;
  private final Thread proposer;
  private final LongAdder proposals = new LongAdder();
  private final LongAdder commands = new LongAdder();

  /**
   * @param completions where results are decoded and the commands' futures completed (not the thread that completes
   *     the proposal, which may be the state machine's apply thread)
   * @param maxInFlight read before each proposal (it may depend on whether this node leads: see RaftNode)
   */
  CommandBatcher(String name, Sender sender, java.util.concurrent.Executor completions, int maxCommands, long maxBytes,
      IntSupplier maxInFlight) {
    if (maxCommands < 1 || maxBytes < 1) throw new IllegalArgumentException("batch bounds must be positive");
    this.sender = sender;
    this.completions = completions;
    this.maxCommands = maxCommands;
    this.maxBytes = maxBytes;
    this.maxInFlight = maxInFlight;
    this.proposer = Thread.ofPlatform().daemon().name(name).start(this::run);
  }

  /** Queues a validated, encoded command; the future completes with its own result. */
  CompletableFuture<ApplyResult> submit(Command command, byte[] bytes) {
    return submit(command, bytes, io.opentelemetry.context.Context.root());
  }

  /** As above; {@code trace} goes with the command to the {@link Sender} (the span the proposal continues). */
  CompletableFuture<ApplyResult> submit(Command command, byte[] bytes, io.opentelemetry.context.Context trace) {
    Pending p = new Pending(command, bytes, trace, new CompletableFuture<>());
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new AionException(ErrorCode.UNAVAILABLE, "the node is shutting down"));
      }
      queue.add(p);
      changed.signal();
    } finally {
      lock.unlock();
    }
    return p.result();
  }

  private void run() {
    while (true) {
      List<Pending> batch;
      lock.lock();
      try {
        while (!closed && (queue.isEmpty() || inFlight >= Math.max(1, maxInFlight.getAsInt()))) {
          changed.awaitUninterruptibly();
        }
        if (queue.isEmpty()) return; // closed, and everything accepted was proposed
        batch = take();
        inFlight++;
      } finally {
        lock.unlock();
      }
      propose(batch);
    }
  }

  /** The next proposal: the head of the queue, then what fits after it (never an exclusive command with others). */
  private List<Pending> take() {
    List<Pending> batch = new ArrayList<>();
    Pending first = queue.poll();
    batch.add(first);
    if (first.command().exclusive()) return batch;
    long bytes = first.bytes().length;
    while (batch.size() < maxCommands && !queue.isEmpty()) {
      Pending next = queue.peek();
      if (next.command().exclusive() || bytes + next.bytes().length > maxBytes) break;
      batch.add(queue.poll());
      bytes += next.bytes().length;
    }
    return batch;
  }

  private void propose(List<Pending> batch) {
    proposals.increment();
    commands.add(batch.size());
    byte[] proposal = batch.size() == 1 ? batch.get(0).bytes()
        : EntryCodec.encodeProposal(batch.stream().map(Pending::bytes).toList());
    CompletableFuture<byte[]> sent;
    try {
      sent = sender.send(proposal, batch.stream().map(Pending::trace).toList());
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenCompleteAsync((reply, error) -> {
      lock.lock();
      try {
        inFlight--;
        changed.signalAll(); // the proposer thread, and close() waiting for the last proposals
      } finally {
        lock.unlock();
      }
      if (error != null) {
        for (Pending p : batch) p.result().completeExceptionally(error);
        return;
      }
      try {
        List<ApplyResult> results = batch.size() == 1 ? List.of(ApplyResultCodec.decode(reply))
            : ApplyResultCodec.decodeAll(reply);
        if (results.size() != batch.size()) {
          throw new IllegalStateException(results.size() + " results for a batch of " + batch.size());
        }
        for (int i = 0; i < batch.size(); i++) {
          ApplyResult r = results.get(i);
          // one place for every caller: a rejected command is an error with the code the state machine chose
          if (r instanceof ApplyResult.Rejected rej) {
            batch.get(i).result().completeExceptionally(new AionException(rej.code(), rej.message()));
          } else {
            batch.get(i).result().complete(r);
          }
        }
      } catch (RuntimeException e) {
        for (Pending p : batch) p.result().completeExceptionally(e);
      }
    }, completions);
  }

  /** Proposals sent since start. */
  long proposals() {
    return proposals.sum();
  }

  /** Commands proposed since start (divided by {@link #proposals()}: commands per proposal). */
  long commands() {
    return commands.sum();
  }

  /** Waits until nothing is queued or in flight (after {@link #close}: every accepted command is answered). */
  boolean awaitIdle(java.time.Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (inFlight > 0 || !queue.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        changed.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking commands; the ones already queued are still proposed. Returns at once. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
