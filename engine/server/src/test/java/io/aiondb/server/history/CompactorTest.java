package io.aiondb.server.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.consensus.Proposer;
import io.aiondb.server.state.ApplyResult;
import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who runs retention passes: the leader on its schedule, one pass at a time, concurrent requests joining it. */
class CompactorTest {
  @TempDir Path dir;

  /** Counts Compact steps; each step waits for {@code gate} (one step per namespace: nextKey null). */
  private static final class CountingProposer implements Proposer {
    final AtomicInteger steps = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public CompletableFuture<ApplyResult> propose(Command command) {
      steps.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new ApplyResult.Compacted(1, 0, null);
      });
    }

    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void concurrentRequestsJoinTheRunningPass() throws Exception {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      h.apply(new Command.CreateNamespace("b"), 1);
      CountingProposer p = new CountingProposer();
      p.gate = new CountDownLatch(1);
      try (Compactor c = new Compactor(h.store, p, Clock.systemUTC(), 3, Duration.ZERO, 100, Duration.ZERO, () -> true)) {
        CompletableFuture<Compactor.Stats> first = c.pass();
        CompletableFuture<Compactor.Stats> second = c.pass();
        CompletableFuture<Compactor.Stats> third = c.pass();
        assertThat(second).isSameAs(first);
        assertThat(third).isSameAs(first);
        p.gate.countDown();
        assertThat(first.get().namespaces()).isEqualTo(2);
        assertThat(p.steps.get()).as("one pass: one step per namespace").isEqualTo(2);
        c.pass().get(); // a pass after the last one ended is a new pass
        assertThat(p.steps.get()).isEqualTo(4);
      }
    }
  }

  @Test
  void theScheduleRunsOnTheLeaderOnly() throws Exception {
    try (StoreHarness h = new StoreHarness(dir)) {
      h.apply(new Command.CreateNamespace("a"), 1);
      CountingProposer p = new CountingProposer();
      AtomicBoolean leader = new AtomicBoolean(false);
      try (Compactor c = new Compactor(h.store, p, Clock.systemUTC(), 3, Duration.ZERO, 100, Duration.ofMillis(20), leader::get)) {
        Awaitility.await("a follower proposes nothing").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
            .until(() -> p.steps.get() == 0);
        leader.set(true);
        Awaitility.await("the leader runs its passes").atMost(Duration.ofSeconds(10)).until(() -> p.steps.get() >= 2);
      }
    }
  }
}
