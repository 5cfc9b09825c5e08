package io.aiondb.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WatermarkTest {
  private static final java.time.Duration LONG = java.time.Duration.ofMinutes(5);

  /**
   * Issue 12's leak: every {@code ?minRevision=<huge>} request left a waiter behind forever. A waiter that times out
   * or is cancelled is forgotten; nothing accumulates however many there were.
   */
  @Test
  void waitersThatTimeOutOrAreCancelledAreForgotten() {
    Watermark w = new Watermark();
    List<CompletableFuture<Void>> timedOut = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) timedOut.add(w.await(1_000_000_000L + i % 100, java.time.Duration.ofSeconds(2)));
    CompletableFuture<Void> cancelled = w.await(77, LONG);
    CompletableFuture<Void> kept = w.await(78, LONG);
    assertThat(w.waiting()).isEqualTo(10_002);
    cancelled.cancel(false);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> timedOut.stream().allMatch(CompletableFuture::isDone));
    assertThat(timedOut).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(w.waiting()).as("only the waiter still within its timeout is held").isEqualTo(1);
    w.advance(78);
    assertThat(kept).isCompleted();
    assertThat(w.waiting()).isZero();
  }
  @Test
  void awaitCompletesAtOnceOrWhenTheValueReachesTheLevel() {
    Watermark w = new Watermark();
    w.advance(5);
    assertThat(w.await(5, LONG)).isDone();
    CompletableFuture<Void> seven = w.await(7, LONG);
    CompletableFuture<Void> six = w.await(6, LONG);
    assertThat(seven).isNotDone();
    w.advance(6);
    assertThat(six).isDone();
    assertThat(seven).isNotDone();
    w.advance(4); // never backwards
    assertThat(w.get()).isEqualTo(6);
    w.reset(9);
    assertThat(seven).isDone();
  }

  /** Many waiters on the same levels while the value advances: every one completes (no lost wake-up). */
  @Test
  void concurrentWaitersOnTheSameLevelsAllComplete() throws Exception {
    for (int trial = 0; trial < 20; trial++) {
      Watermark w = new Watermark();
      int levels = 2000;
      int threads = 4;
      List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ts.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (long l = 1; l <= levels; l++) all.add(w.await(l, LONG));
        }));
      }
      Thread advancer = Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (long l = 1; l <= levels; l++) w.advance(l);
      });
      go.countDown();
      for (Thread t : ts) t.join();
      advancer.join();
      // completion is synchronous with advance()/await(): once every thread is done, so must every future be
      assertThat(all).hasSize(threads * levels).allMatch(CompletableFuture::isDone);
    }
  }
}
