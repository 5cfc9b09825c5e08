package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderNewsTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "retries"));
  private final LeaderNews news = new LeaderNews(executor);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void newsWakesAParkedRetryLongBeforeItsBackoff() throws Exception {
    List<Boolean> woken = new CopyOnWriteArrayList<>();
    CountDownLatch ran = new CountDownLatch(1);
    long seen = news.generation();
    long start = System.nanoTime();
    news.retry(seen, 60_000, byNews -> {
      woken.add(byNews);
      ran.countDown();
    }, () -> { });
    assertThat(news.parked()).isEqualTo(1);
    news.arrived();
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5)); // not the 60 s backoff
    assertThat(woken).containsExactly(true);
    assertThat(news.parked()).isZero(); // nothing left behind
  }

  @Test
  void withoutNewsARetryRunsAfterItsBackoffAndOnlyOnce() throws Exception {
    List<Boolean> woken = new CopyOnWriteArrayList<>();
    CountDownLatch ran = new CountDownLatch(1);
    long start = System.nanoTime();
    news.retry(news.generation(), 200, byNews -> {
      woken.add(byNews);
      ran.countDown();
    }, () -> { });
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    news.arrived(); // news after it ran wakes nothing: it stays run once, by its backoff
    org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(100)).atMost(java.time.Duration.ofSeconds(5))
        .until(() -> woken.size() == 1);
    assertThat(woken).containsExactly(false);
    assertThat(news.parked()).isZero();
  }

  @Test
  void newsThatArrivedSinceTheAttemptStartedRetriesAtOnce() throws Exception {
    long seen = news.generation(); // an attempt starts
    news.arrived(); // a leader becomes known while it fails
    List<Boolean> woken = new CopyOnWriteArrayList<>();
    CountDownLatch ran = new CountDownLatch(1);
    news.retry(seen, 60_000, byNews -> {
      woken.add(byNews);
      ran.countDown();
    }, () -> { });
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(woken).containsExactly(true);
  }

  @Test
  void manyRetriesAreEachRunExactlyOnceWhenNewsAndBackoffsRace() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    int n = 2_000;
    CountDownLatch all = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      news.retry(news.generation(), i % 5, byNews -> {
        runs.incrementAndGet();
        all.countDown();
      }, () -> { });
      if (i % 100 == 0) news.arrived();
    }
    news.arrived();
    assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
    // a second run of any retry would show here
    org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(50)).atMost(java.time.Duration.ofSeconds(5))
        .until(() -> runs.get() == n);
    assertThat(news.parked()).isZero();
  }

  @Test
  void aShutDownExecutorRunsTheRefusalWhetherNewsOrTheBackoffWakesTheRetry() throws Exception {
    executor.shutdownNow();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch both = new CountDownLatch(2);
    Runnable refusal = () -> {
      refused.incrementAndGet();
      both.countDown();
    };
    news.retry(news.generation(), 60_000, byNews -> ran.incrementAndGet(), refusal); // woken by the news below
    news.arrived();
    news.retry(news.generation(), 50, byNews -> ran.incrementAndGet(), refusal); // by its backoff
    assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.get()).isEqualTo(2);
    assertThat(ran.get()).isZero();
    assertThat(news.parked()).isZero();
  }
}
