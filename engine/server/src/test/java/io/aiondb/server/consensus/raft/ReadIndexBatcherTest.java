package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadIndexBatcherTest {
  @Test
  void readsArrivingDuringARequestWaitForTheNextOne() {
    List<CompletableFuture<Long>> requests = new ArrayList<>();
    ReadIndexBatcher b = new ReadIndexBatcher(() -> {
      CompletableFuture<Long> f = new CompletableFuture<>();
      requests.add(f);
      return f;
    });
    CompletableFuture<Long> r1 = b.readIndex(); // starts request 0
    CompletableFuture<Long> r2 = b.readIndex(); // arrives while 0 is in flight: must not be answered by 0
    CompletableFuture<Long> r3 = b.readIndex();
    assertThat(requests).hasSize(1);
    requests.get(0).complete(10L);
    assertThat(r1).isCompletedWithValue(10L);
    assertThat(r2).isNotDone();
    assertThat(requests).hasSize(2); // one request for both waiting reads
    requests.get(1).complete(12L);
    assertThat(r2).isCompletedWithValue(12L);
    assertThat(r3).isCompletedWithValue(12L);
    CompletableFuture<Long> r4 = b.readIndex(); // idle again: starts at once
    assertThat(requests).hasSize(3);
    requests.get(2).completeExceptionally(new IllegalStateException("no leader"));
    assertThat(r4).isCompletedExceptionally();
  }

  /**
   * Under concurrency, every read is answered by a request that started after the read arrived (what makes a
   * coalesced read linearizable), and reads are coalesced. A logical clock orders arrivals and request starts; each
   * request answers the clock value at its start, so an answer not greater than the read's arrival would mean the
   * read was served by a request already in flight when it arrived.
   */
  @Test
  void concurrentReadsAreAnsweredOnlyByRequestsStartedAfterThemAndAreCoalesced() throws Exception {
    AtomicLong clock = new AtomicLong();
    AtomicLong calls = new AtomicLong();
    // each request answers 2 ms later, like a round trip
    ReadIndexBatcher b = new ReadIndexBatcher(() -> {
      calls.incrementAndGet();
      long started = clock.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> started,
          CompletableFuture.delayedExecutor(2, java.util.concurrent.TimeUnit.MILLISECONDS));
    });
    List<long[]> reads = java.util.Collections.synchronizedList(new ArrayList<>()); // {arrival, answer}
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 200; i++) {
          long arrival = clock.incrementAndGet();
          long answer = b.readIndex().join();
          reads.add(new long[] {arrival, answer});
        }
      }));
    }
    for (Thread t : threads) t.join();
    assertThat(reads).hasSize(1600);
    assertThat(reads).allSatisfy(r -> assertThat(r[1]).as("answered by a request started after the read arrived")
        .isGreaterThan(r[0]));
    assertThat(calls.get()).as("coalesced").isLessThan(1600).isGreaterThan(1);
  }
}
