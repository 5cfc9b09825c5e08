package io.aiondb.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 the server (a separate JVM) in the middle of a stream of acknowledged writes, restart it on the same data:
 * every acknowledged write is there with its revision, and the server serves reads and writes again.
 */
class CrashIT {
  @Test
  void acknowledgedWritesSurviveKill9(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Map<String, Long> acked = new ConcurrentHashMap<>(); // key -> revision of the acknowledged write
    Map<String, Long> counters = new ConcurrentHashMap<>(); // counter key -> last acknowledged value
    long lastRevision = 0;
    for (int cycle = 0; cycle < 3; cycle++) {
      try (ServerProcess p = new ServerProcess(data).awaitReady(Duration.ofSeconds(60))) {
        try (AionClient c = AionClient.connect(p.url())) {
          verify(c, acked, counters);
          long rev = c.status().path("revision").asLong();
          assertThat(rev).as("revision never goes back").isGreaterThanOrEqualTo(lastRevision);
          lastRevision = rev;
          c.createNamespace("crash");
          AtomicBoolean stop = new AtomicBoolean();
          AtomicLong ok = new AtomicLong();
          List<Thread> writers = new ArrayList<>();
          for (int t = 0; t < 4; t++) {
            String prefix = "c" + cycle + "-w" + t + "-";
            String counter = "counter-" + t;
            writers.add(Thread.ofPlatform().start(() -> {
              long n = counters.getOrDefault(counter, 0L);
              for (int i = 0; !stop.get(); i++) {
                try {
                  String k = prefix + i;
                  var w = c.put("crash", k, "v" + i);
                  acked.put(k, w.revision());
                  c.put("crash", counter, Long.toString(++n));
                  counters.put(counter, n);
                  ok.incrementAndGet();
                } catch (AionClientException e) {
                  return; // the server died under us: this write's outcome is unknown, and that is allowed
                }
              }
            }));
          }
          org.awaitility.Awaitility.await("300 acknowledged writes").atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(10)).until(() -> ok.get() >= 300);
          p.kill();
          stop.set(true);
          for (Thread w : writers) w.join();
          assertThat(ok.get()).isGreaterThanOrEqualTo(300);
        }
      }
    }
    try (ServerProcess p = new ServerProcess(data).awaitReady(Duration.ofSeconds(60));
        AionClient c = AionClient.connect(p.url())) {
      verify(c, acked, counters);
      assertThat(c.put("crash", "after", "ok").revision()).isGreaterThan(lastRevision);
      assertThat(p.stop()).isIn(0, 143); // SIGTERM: graceful
      assertThat(p.log()).contains("shut down cleanly");
    }
  }

  private static void verify(AionClient c, Map<String, Long> acked, Map<String, Long> counters) {
    for (var e : acked.entrySet()) {
      var kv = c.get("crash", e.getKey());
      assertThat(kv).as("acknowledged write %s", e.getKey()).isPresent();
      assertThat(kv.get().revision()).isEqualTo(e.getValue());
    }
    for (var e : counters.entrySet()) {
      long stored = Long.parseLong(c.get("crash", e.getKey()).orElseThrow().text());
      // the last acknowledged value, or one later write whose acknowledgement the crash swallowed
      assertThat(stored).as(e.getKey()).isBetween(e.getValue(), e.getValue() + 1);
    }
  }
}
