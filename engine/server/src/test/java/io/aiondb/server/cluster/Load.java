package io.aiondb.server.cluster;

import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * Writers that put unique keys through random live nodes and remember every acknowledged write, so a test can
 * check that none was lost, and the times of successes, so it can measure client-observed unavailability.
 */
final class Load implements AutoCloseable {
  final Map<String, String> acked = new ConcurrentHashMap<>();
  final AtomicLong failures = new AtomicLong();
  final ConcurrentLinkedQueue<Long> successNanos = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  Load(LocalCluster cluster, String ns, int writers, IntPredicate usable) {
    List<AionClient> clients = new ArrayList<>();
    for (int i = 1; i <= cluster.size(); i++) clients.add(AionClient.connect(cluster.url(i)));
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(Thread.ofPlatform().name("load-" + w).start(() -> {
        java.util.Random r = new java.util.Random(id);
        for (int n = 0; !stop.get(); n++) {
          int node = 1 + r.nextInt(cluster.size());
          if (!usable.test(node)) continue;
          String k = "w" + id + "-" + n;
          try {
            clients.get(node - 1).put(ns, k, "v" + n);
            acked.put(k, "v" + n);
            successNanos.add(System.nanoTime());
          } catch (AionClientException e) {
            failures.incrementAndGet();
            try {
              Thread.sleep(20);
            } catch (InterruptedException ie) {
              return;
            }
          }
        }
      }));
    }
  }

  /** The longest time without a successful write after {@code sinceNanos}. */
  long longestGapMillis(long sinceNanos) {
    long prev = sinceNanos;
    long worst = 0;
    for (long t : successNanos.stream().sorted().toList()) {
      if (t < sinceNanos) continue;
      worst = Math.max(worst, t - prev);
      prev = t;
    }
    return worst / 1_000_000;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) t.join();
  }
}
