package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention compaction runs while clients write and read: current reads always see the latest acknowledged write,
 * reads at old revisions either answer correctly or say HISTORY_COMPACTED (never a wrong value), and afterwards
 * every key keeps at most the configured number of versions.
 */
class CompactionIT {
  @Test
  void compactionWhileReadingAndWriting(@TempDir Path dir) throws Exception {
    try (TestServer s = new TestServer(dir.resolve("data"), "--history.keep-versions=3", "--history.compaction-chunk=7",
        "--history.compaction-interval=0")) {
      AionClient c = s.client;
      c.createNamespace("c");
      int keys = 40;
      Map<String, String> lastWritten = new ConcurrentHashMap<>();
      Map<String, Integer> writesPerKey = new ConcurrentHashMap<>();
      Map<Long, String> valueAtRevision = new ConcurrentHashMap<>(); // revision -> "key=value" written at it
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicLong compactedAnswers = new AtomicLong();
      AtomicLong oldReads = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int id = t;
        threads.add(Thread.ofPlatform().start(() -> {
          int n = 0;
          while (!stop.get()) {
            String k = "k" + ((n * 2 + id) % keys); // each writer owns its keys
            String v = "w" + id + "-" + n++;
            var w = c.put("c", k, v);
            lastWritten.put(k, v);
            writesPerKey.merge(k, 1, Integer::sum);
            valueAtRevision.put(w.revision(), k + "=" + v);
            String now = c.get("c", k).orElseThrow().text(); // read-your-writes on the current value
            if (!now.equals(v)) failure.compareAndSet(null, new AssertionError(k + ": wrote " + v + " read " + now));
          }
        }));
      }
      threads.add(Thread.ofPlatform().start(() -> { // reads at old revisions
        Random r = new Random(9);
        while (!stop.get()) {
          var revs = new ArrayList<>(valueAtRevision.keySet());
          if (revs.isEmpty()) continue;
          long rev = revs.get(r.nextInt(revs.size()));
          String[] kv = valueAtRevision.get(rev).split("=", 2);
          try {
            var got = c.get("c", kv[0].getBytes(), rev);
            oldReads.incrementAndGet();
            if (got.isEmpty() || !got.get().text().equals(kv[1])) {
              failure.compareAndSet(null, new AssertionError("at revision " + rev + " " + kv[0] + " should be " + kv[1] + " but was " + got));
            }
          } catch (AionClientException e) {
            if (!e.code().equals("HISTORY_COMPACTED")) failure.compareAndSet(null, e);
            compactedAnswers.incrementAndGet();
          }
        }
      }));
      long removed = 0;
      for (int pass = 0; pass < 60; pass++) {
        removed += c.compact().path("versionsRemoved").asLong();
        int writesBefore = valueAtRevision.size(); // let the writers add versions before the next pass
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> valueAtRevision.size() > writesBefore + 5);
      }
      stop.set(true);
      for (Thread t : threads) t.join();
      if (failure.get() != null) throw new AssertionError(failure.get());
      removed += c.compact().path("versionsRemoved").asLong();
      assertThat(removed).isPositive();
      assertThat(compactedAnswers.get() + oldReads.get()).isPositive();
      for (int i = 0; i < keys; i++) {
        String k = "k" + i;
        JsonNode h = c.history("c", k.getBytes(), 100, 0);
        // after the final pass exactly the newest 3 versions remain (fewer only if fewer were ever written)
        assertThat(h.path("versions").size()).as(k).isEqualTo(Math.min(3, writesPerKey.getOrDefault(k, 0)));
        assertThat(c.get("c", k).orElseThrow().text()).isEqualTo(lastWritten.get(k));
      }
    }
  }
}
