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
 * Crashes the server (a separate JVM) in the middle of a stream of acknowledged writes from concurrent clients and
 * restarts it on the same data: every acknowledged write must be there with its revision.
 *
 * <p>kill -9 alone leaves the page cache, so it cannot notice a missing fsync. The power-loss tests run the server
 * through the {@link PowerLoss} shim and, after kill -9, also drop every write no completed fsync made durable (what
 * a disk holds after a power failure). With {@code storage.sync=true} nothing acknowledged may be lost; with it off,
 * the same test must see acknowledged writes disappear, which proves the harness can see a missing fsync.
 */
class CrashIT {
  /**
   * Every tracked fsync takes this long, like a slow cloud block device's flush (here the disk's write cache makes fsync
   * nearly free, so without it a write rarely outruns its fsync even when nothing waits for the fsync).
   */
  private static final long FSYNC_MICROS = 20_000;

  /** -Dpowerloss.posix-strict=true: namespace changes need an fsync of their directory (see {@link PowerLoss}). */
  private static final boolean POSIX_STRICT = Boolean.getBoolean("powerloss.posix-strict");

  @Test
  void acknowledgedWritesSurviveKill9(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Run run = new Run(data, null);
    for (int cycle = 0; cycle < 3; cycle++) run.cycle(cycle, List.of());
    run.verifyAndStopCleanly();
  }

  /** Power loss with small snapshot intervals, so snapshots, log purges and restores happen between the cuts. */
  @Test
  void acknowledgedWritesSurvivePowerLoss(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Run run = new Run(data, new PowerLoss(data, FSYNC_MICROS, POSIX_STRICT));
    for (int cycle = 0; cycle < 2; cycle++) {
      List<String> lost = run.cycle(cycle, List.of("--raft.snapshot-interval=200", "--raft.segment-size=64KiB"));
      assertThat(lost).as("acknowledged writes lost by a power failure with storage.sync=true").isEmpty();
    }
    run.verifyAndStopCleanly();
  }

  /** The harness can fail: without fsync before the acknowledgement, a power failure loses acknowledged writes. */
  @Test
  void withoutSyncPowerLossLosesAcknowledgedWrites(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Run run = new Run(data, new PowerLoss(data, FSYNC_MICROS, POSIX_STRICT));
    List<String> lost = List.of();
    for (int cycle = 0; cycle < 3 && lost.isEmpty(); cycle++) lost = run.cycle(cycle, List.of("--storage.sync=false"));
    System.out.println("storage.sync=false, lost after a power cut: " + lost.size() + " " + lost.subList(0, Math.min(5, lost.size())));
    assertThat(lost).as("acknowledged writes lost by a power failure with storage.sync=false").isNotEmpty();
  }

  private static final class Run {
    final Path data;
    final PowerLoss powerLoss;
    final Map<String, Long> acked = new ConcurrentHashMap<>(); // key -> revision of the acknowledged write
    final Map<String, Long> counters = new ConcurrentHashMap<>(); // counter key -> last acknowledged value
    long lastRevision;

    Run(Path data, PowerLoss powerLoss) {
      this.data = data;
      this.powerLoss = powerLoss;
    }

    ServerProcess start(List<String> flags) throws Exception {
      return new ServerProcess(data, powerLoss == null ? Map.of() : powerLoss.env(), flags.toArray(String[]::new))
          .awaitReady(Duration.ofSeconds(60));
    }

    /** Starts the server, checks what earlier cycles wrote, writes until 300 are acknowledged, crashes it. */
    List<String> cycle(int cycle, List<String> flags) throws Exception {
      List<String> lost;
      try (ServerProcess p = start(flags); AionClient c = AionClient.connect(p.url())) {
        lost = check(c);
        if (!lost.isEmpty()) return lost;
        long rev = c.status().path("revision").asLong();
        assertThat(rev).as("revision never goes back").isGreaterThanOrEqualTo(lastRevision);
        lastRevision = rev;
        c.createNamespace("crash");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
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
        p.kill(); // while the writers are still writing
        stop.set(true);
        for (Thread w : writers) w.join();
        assertThat(ok.get()).isGreaterThanOrEqualTo(300);
      }
      if (powerLoss != null) {
        PowerLoss.Report r = powerLoss.cut();
        System.out.println("cycle " + cycle + " power cut: " + PowerLoss.describe(r));
        assertThat(r.syncs()).as("the shim saw the server's fsyncs").isPositive();
        // both writers go through the shim: RocksDB (JNI, libc write) and the Raft log (JDK FileChannel, libnio)
        assertThat(r.writesByDir()).as("writes seen per directory").containsKeys("db", "raft");
        assertThat(r.unresolved()).as("every undone write found its file (the shim saw every removal)").isZero();
      }
      return List.of();
    }

    void verifyAndStopCleanly() throws Exception {
      try (ServerProcess p = start(List.of()); AionClient c = AionClient.connect(p.url())) {
        assertThat(check(c)).as("acknowledged writes lost").isEmpty();
        assertThat(c.put("crash", "after", "ok").revision()).isGreaterThan(lastRevision);
        assertThat(p.stop()).isIn(0, 143); // SIGTERM: graceful
        assertThat(p.log()).contains("shut down cleanly");
      }
    }

    /** The acknowledged writes that are missing or not at their revision, and counters behind their last ack. */
    List<String> check(AionClient c) {
      List<String> lost = new ArrayList<>();
      if (!acked.isEmpty() && java.util.stream.StreamSupport
          .stream(c.listNamespaces().path("namespaces").spliterator(), false)
          .noneMatch(n -> n.path("name").asText().equals("crash"))) {
        return List.of("namespace crash (and all " + acked.size() + " acknowledged writes in it)");
      }
      for (var e : acked.entrySet()) {
        var kv = c.get("crash", e.getKey());
        if (kv.isEmpty()) lost.add(e.getKey() + " (missing, acknowledged at revision " + e.getValue() + ")");
        else if (kv.get().revision() != e.getValue())
          lost.add(e.getKey() + " (at revision " + kv.get().revision() + ", acknowledged at " + e.getValue() + ")");
      }
      for (var e : counters.entrySet()) {
        long stored = c.get("crash", e.getKey()).map(v -> Long.parseLong(v.text())).orElse(0L);
        // the last acknowledged value, or one later write whose acknowledgement the crash swallowed
        if (stored < e.getValue() || stored > e.getValue() + 1)
          lost.add(e.getKey() + " = " + stored + ", last acknowledged " + e.getValue());
      }
      return lost;
    }
  }
}
