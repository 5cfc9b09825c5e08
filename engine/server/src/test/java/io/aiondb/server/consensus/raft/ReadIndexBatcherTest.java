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
    }, Runnable::run);
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
    }, Runnable::run);
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

  /**
   * The leader's own server can answer a read index at once (its lease is valid, nothing left to apply). With a new
   * read arriving during every request, 200,000 times over, all must be answered: the next round is handed to the
   * executor, so neither the stack (recursion) nor the completing thread (a loop) is held.
   */
  @Test
  void requestsAnsweredAtOnceDoNotGrowTheStack() throws Exception {
    int chain = 200_000;
    List<CompletableFuture<Long>> reads = java.util.Collections.synchronizedList(new ArrayList<>());
    ReadIndexBatcher[] b = new ReadIndexBatcher[1];
    AtomicLong calls = new AtomicLong();
    var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      b[0] = new ReadIndexBatcher(() -> {
        if (reads.size() < chain) reads.add(b[0].readIndex()); // the next read arrives while this request runs
        return CompletableFuture.completedFuture(calls.incrementAndGet());
      }, executor);
      CompletableFuture<Long> first = b[0].readIndex();
      assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1L);
      for (int i = 0; i < chain; i++) { // the read that arrived during request i + 1 was answered by request i + 2
        assertThat(reads.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(i + 2L);
      }
      CompletableFuture<Long> after = b[0].readIndex(); // and the batcher is idle again: a new read starts a round
      assertThat(after.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(chain + 2L);
    } finally {
      executor.shutdownNow();
    }
  }

  /**
   * Answers are handled on the executor, never on the thread that completed the request (on the leader, Ratis's
   * state machine updater): that thread must go back to applying entries, not serve the next round of reads.
   */
  @Test
  void answersAreHandledOnTheExecutorNotOnTheCompletingThread() throws Exception {
    var ratis = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "ratis-updater"));
    var executor = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "aion-reads"));
    try {
      List<String> fetchedOn = java.util.Collections.synchronizedList(new ArrayList<>());
      var registered = new java.util.concurrent.CountDownLatch(1); // answers only once every read below waits
      ReadIndexBatcher b = new ReadIndexBatcher(() -> {
        fetchedOn.add(Thread.currentThread().getName());
        return CompletableFuture.supplyAsync(() -> {
          try {
            registered.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return 7L;
        }, ratis);
      }, executor);
      List<String> answeredOn = java.util.Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<?>> reads = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        reads.add(b.readIndex().thenRun(() -> answeredOn.add(Thread.currentThread().getName())));
      }
      registered.countDown();
      CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(answeredOn).hasSize(50).containsOnly("aion-reads");
      assertThat(fetchedOn.subList(1, fetchedOn.size())).containsOnly("aion-reads"); // rounds after the first
    } finally {
      ratis.shutdownNow();
      executor.shutdownNow();
    }
  }
}
