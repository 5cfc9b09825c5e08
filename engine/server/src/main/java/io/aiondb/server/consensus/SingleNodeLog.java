package io.aiondb.server.consensus;

import io.aiondb.server.AionException;
import io.aiondb.server.ErrorCode;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.KvStateMachine;
import io.aiondb.server.state.LogEntry;
import io.aiondb.server.storage.Batch;
import io.aiondb.server.storage.RocksStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node log: one applier thread takes queued commands, gives each the next index and a commit timestamp
 * (monotonic: never below the previous one even if the wall clock steps back), applies a group of them into one
 * {@link Batch}, and commits the group with one WAL fsync (group commit). Futures complete only after the commit.
 * The RocksDB WAL is the log here; on restart the next index follows the applied index stored with the data.
 */
public final class SingleNodeLog implements Proposer {
  private static final Logger LOG = LoggerFactory.getLogger(SingleNodeLog.class);
  private static final int MAX_GROUP = 256;
  private static final long MAX_GROUP_BYTES = 8L << 20;

  private record Pending(Command command, CompletableFuture<ApplyResult> future, long bytes) {}

  private final RocksStore store;
  private final KvStateMachine stateMachine;
  private final Clock clock;
  private final BlockingQueue<Pending> queue;
  private final Thread applier;
  private volatile boolean accepting = true;
  private volatile boolean running = true;
  private long index;
  private long lastTimestamp;

  public SingleNodeLog(RocksStore store, KvStateMachine stateMachine, Clock clock, int queueCapacity) {
    this.store = store;
    this.stateMachine = stateMachine;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.index = store.appliedIndex();
    this.applier = Thread.ofPlatform().name("aion-applier").daemon(false).start(this::run);
  }

  @Override
  public CompletableFuture<ApplyResult> propose(Command command) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    if (!accepting || store.failed()) {
      f.completeExceptionally(new AionException(ErrorCode.UNAVAILABLE, "the node is shutting down or failed"));
      return f;
    }
    long bytes = command instanceof Command.Put p ? p.value().length + p.key().length : 64;
    if (!queue.offer(new Pending(command, f, bytes))) {
      f.completeExceptionally(new AionException(ErrorCode.UNAVAILABLE, "write queue is full; retry with backoff"));
    }
    return f;
  }

  @Override
  public boolean ready() {
    return accepting && !store.failed();
  }

  private void run() {
    List<Pending> group = new ArrayList<>();
    List<ApplyResult> results = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      Pending first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        continue;
      }
      if (first == null) continue;
      group.add(first);
      long bytes = first.bytes();
      if (!first.command().exclusive()) {
        Pending next;
        while (group.size() < MAX_GROUP && bytes < MAX_GROUP_BYTES
            && (next = queue.peek()) != null && !next.command().exclusive()) {
          group.add(queue.poll());
          bytes += next.bytes();
        }
      }
      applyGroup(group, results);
      group.clear();
      results.clear();
    }
  }

  private void applyGroup(List<Pending> group, List<ApplyResult> results) {
    long startIndex = index;
    long startTs = lastTimestamp;
    try (Batch batch = store.newBatch()) {
      for (Pending p : group) {
        long ts = Math.max(clock.millis(), lastTimestamp);
        lastTimestamp = ts;
        results.add(stateMachine.apply(new LogEntry(++index, ts, p.command()), batch));
      }
      store.commit(batch);
    } catch (RuntimeException e) {
      LOG.error("applying {} commands failed; the node stops accepting writes", group.size(), e);
      index = startIndex;
      lastTimestamp = startTs;
      accepting = false;
      for (Pending p : group) p.future().completeExceptionally(e);
      return;
    }
    for (int i = 0; i < group.size(); i++) group.get(i).future().complete(results.get(i));
  }

  /** Drains: stops accepting, applies what was queued, stops the applier thread. */
  @Override
  public void close() {
    accepting = false;
    running = false;
    try {
      applier.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.future().completeExceptionally(new AionException(ErrorCode.UNAVAILABLE, "shut down before applying"));
    }
  }
}
