package io.aiondb.server.watch;

import io.aiondb.server.state.Command;
import io.aiondb.server.state.StoreHarness;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What applied revisions cost a node's watches: N watches are opened and caught up, then M single-write revisions
 * are applied to one namespace at a steady rate (one batch each, the worst case) and the process CPU time over the
 * run, the delay after the last write until every concerned watch received it (and the others went quiet) and the
 * RocksDB snapshots the watches opened per revision are reported. The first configuration runs once unreported, to
 * warm up. A command-line benchmark, not a test: it runs only when asked for:
 * <pre>./mvnw -q -o -pl engine/lincheck,engine/client,engine/server -am test -P '!fuzz-slice' \
 *   -Dtest=WatchFanoutBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dwatch.bench=true \
 *   [-Dwatch.bench.watchers=0,1000,5000] [-Dwatch.bench.revisions=1000] [-Dwatch.bench.rate=500]</pre>
 * or, to compare two builds in one session, with {@code main} on a classpath of the test classes, the server
 * classes of either build and the test dependencies (docs/benchmarks.md shows the commands).
 */
@EnabledIfSystemProperty(named = "watch.bench", matches = "true")
public class WatchFanoutBenchmark {
  public static void main(String[] args) throws Exception {
    new WatchFanoutBenchmark().run();
    System.exit(0);
  }

  enum Scenario {
    /** Watches of the whole of another namespace. */
    OTHER_NAMESPACE,
    /** Watches of another prefix of the written namespace. */
    OTHER_PREFIX,
    /** Watches of the written prefix: each receives every revision. */
    SAME_PREFIX
  }

  @Test
  void run() throws Exception {
    int revisions = Integer.getInteger("watch.bench.revisions", 1000);
    int rate = Integer.getInteger("watch.bench.rate", 500);
    List<Integer> counts = new ArrayList<>();
    for (String n : System.getProperty("watch.bench.watchers", "0,1000,5000").split(",")) counts.add(Integer.parseInt(n.trim()));
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("%-16s %8s %10s %10s %10s %16s %14s%n", "scenario", "watches", "revisions", "cpu ms",
        "drain ms", "cpu us/revision", "views/revision");
    boolean warm = false;
    for (Scenario sc : Scenario.values()) {
      for (int k = warm ? 0 : -1; k < counts.size(); k++) {
        int watchers = counts.get(Math.max(0, k));
        warm = true;
        Path dir = Files.createTempDirectory("watch-bench");
        try (StoreHarness h = new StoreHarness(dir);
             WatchHub hub = new WatchHub(h.store, Duration.ofSeconds(10),
                 new WatchLimits(watchers + 10, watchers + 10, 100, Duration.ofSeconds(30)))) {
          h.apply(new Command.CreateNamespace("busy"), 1);
          h.apply(new Command.CreateNamespace("idle"), 1);
          List<RecordingSink> sinks = new ArrayList<>();
          for (int i = 0; i < watchers; i++) {
            RecordingSink s = new RecordingSink(false);
            WatchSpec spec = switch (sc) {
              case OTHER_NAMESPACE -> new WatchSpec("idle", new byte[0], true, 0);
              case OTHER_PREFIX -> new WatchSpec("busy", "idle/".getBytes(), true, 0);
              case SAME_PREFIX -> new WatchSpec("busy", "hot/".getBytes(), true, 0);
            };
            hub.open(spec, s, "c" + i);
            sinks.add(s);
          }
          Awaitility.await().atMost(Duration.ofMinutes(5)).until(() -> sinks.stream().allMatch(s -> s.lastProgress.get() >= 0));
          long views0 = hub.feedViews();
          long cpu0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          long every = 1_000_000_000L / rate;
          for (int i = 0; i < revisions; i++) {
            h.put("busy", "hot/" + (i % 100), "value-" + i, 2);
            long due = t0 + (i + 1) * every;
            while (System.nanoTime() < due) java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
          }
          long written = System.nanoTime();
          long last = h.store.appliedRevision();
          if (sc == Scenario.SAME_PREFIX) {
            Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> sinks.stream().allMatch(s -> s.lastRevision.get() == last));
          }
          long drain = System.nanoTime() - written;
          // the other watches wake on their own threads: wait until they stop reading (counted in CPU, not wall)
          long[] seen = {-1};
          Awaitility.await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            long v = hub.feedViews();
            boolean quiet = v == seen[0];
            seen[0] = v;
            return quiet;
          });
          long cpu = os.getProcessCpuTime() - cpu0;
          if (k < 0) continue;
          System.out.printf("%-16s %8d %10d %10d %10d %16d %14.2f%n", sc, watchers, revisions, cpu / 1_000_000,
              drain / 1_000_000, cpu / 1_000 / revisions, (hub.feedViews() - views0) / (double) revisions);
        } finally {
          try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
    }
  }
}
