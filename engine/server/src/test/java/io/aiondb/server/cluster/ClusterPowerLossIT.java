package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import io.aiondb.server.it.PowerLoss;
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
 * Every node of a three-node cluster loses power at once (kill -9 of all, then {@link PowerLoss#cut()} of each data
 * directory) in the middle of a stream of acknowledged writes: after the restart every acknowledged write is there
 * with its revision. A write is acknowledged only once a majority fsynced it, so some node must still hold it.
 *
 * <p>Each fsync takes 100 ms here: with {@code --storage.sync=false} added, this test then loses acknowledged writes
 * (seen when it was written); at 20 ms the nodes' background fsyncs overtook the acknowledgements and it did not.
 */
class ClusterPowerLossIT {
  @TempDir Path dir;

  @Test
  void acknowledgedWritesSurviveAWholeClusterPowerLoss() throws Exception {
    Map<String, Long> acked = new ConcurrentHashMap<>();
    Path root = dir.resolve("cluster");
    PowerLoss[] loss = new PowerLoss[4];
    Map<Integer, Map<String, String>> env = new java.util.HashMap<>();
    for (int i = 1; i <= 3; i++) {
      loss[i] = new PowerLoss(root.resolve(LocalCluster.name(i)), 100_000);
      env.put(i, loss[i].env());
    }
    try (LocalCluster cluster = new LocalCluster(root, 3, env, "--raft.snapshot-interval=200").label("cluster-power-loss")) {
      int leader = cluster.leaderIndex(Duration.ofSeconds(60));
      try (AionClient c = AionClient.connect(cluster.url(leader))) {
        c.createNamespace("crash");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String prefix = "w" + t + "-";
          writers.add(Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
              try {
                acked.put(prefix + i, c.put("crash", prefix + i, "v" + i).revision());
                ok.incrementAndGet();
              } catch (AionClientException e) {
                return; // the cluster went down under us: this write's outcome is unknown
              }
            }
          }));
        }
        org.awaitility.Awaitility.await("150 acknowledged writes").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(10)).until(() -> ok.get() >= 150);
        // all at once, writers still writing: SIGKILL to every node before waiting for any (LocalCluster.kill waits
        // for each process to exit, which would give the later nodes time to finish their fsyncs)
        for (int i = 1; i <= 3; i++) ProcessHandle.of(cluster.pid(i)).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 1; i <= 3; i++) cluster.kill(i);
        stop.set(true);
        for (Thread w : writers) w.join();
      }
      for (int i = 1; i <= 3; i++) {
        PowerLoss.Report r = loss[i].cut();
        System.out.println(LocalCluster.name(i) + " power cut: " + PowerLoss.describe(r));
        assertThat(r.writesByDir()).as("writes seen per directory").containsKeys("db", "raft");
        assertThat(r.unresolved()).isZero();
      }
      for (int i = 1; i <= 3; i++) cluster.start(i);
      for (int i = 1; i <= 3; i++) {
        int n = i;
        org.awaitility.Awaitility.await("n" + n + " serving after the restart").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100)).until(() -> cluster.get(n, "/v1/cluster/members") != null);
      }
      leader = cluster.leaderIndex(Duration.ofSeconds(60));
      try (AionClient c = AionClient.connect(cluster.url(leader))) {
        List<String> lost = new ArrayList<>();
        for (var e : acked.entrySet()) {
          var kv = c.get("crash", e.getKey());
          if (kv.isEmpty() || kv.get().revision() != e.getValue()) lost.add(e.getKey() + " " + kv.map(v -> v.revision()));
        }
        assertThat(lost).as("acknowledged writes lost by a whole-cluster power failure").isEmpty();
        assertThat(c.put("crash", "after", "ok").revision()).isPositive();
      }
    }
  }
}
