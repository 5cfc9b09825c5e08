package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.AionClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Followers learn that an entry is committed as soon as the leader applies it, not at the leader's next periodic
 * heartbeat. Ratis's log-metadata entries (which carried each commit index to the followers, at ~1 ms per write) are
 * off; the leader's appenders send a heartbeat instead when it applies an entry and when a follower asks for a read
 * index ({@code LeaderHeartbeats}). The cluster runs with a 4 s election timeout, so the periodic heartbeat comes
 * every 2 s: a follower that waited for it would take 0-2 s per round, and all ten rounds of one check finishing
 * under 1 s by chance has a probability of about 2^-10.
 */
class CommitPropagationIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long BOUND_MS = 1000; // half the periodic heartbeat interval
  @TempDir Path dir;

  private static void putJson(AionClient c, String key, int i) {
    c.put("a", key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        ("{\"i\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8), AionClient.JSON);
  }

  @Test
  void followersSeeEachCommitWithoutWaitingForThePeriodicHeartbeat() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--raft.election-timeout=4s").label("commit-propagation")) {
      int leader = cl.leaderIndex(WAIT);
      int f1 = leader % 3 + 1;
      int f2 = f1 % 3 + 1;
      try (AionClient l = AionClient.connect(cl.url(leader))) {
        l.createNamespace("a");
        putJson(l, "warm", -1); // the first write of a term may take longer (leader's first append)
        List<Long> linearizable = new ArrayList<>();
        List<Long> stale = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          putJson(l, "k", i);
          int reader = i % 2 == 0 ? f1 : f2;
          int other = reader == f1 ? f2 : f1;
          // a linearizable read on a follower: read index from the leader, then wait until applied that far
          long t0 = System.nanoTime();
          JsonNode v = cl.get(reader, "/v1/ns/a/keys/k");
          linearizable.add((System.nanoTime() - t0) / 1_000_000);
          assertThat(v == null ? null : v.path("i").asInt()).as("linearizable read of round %d on n%d", i, reader)
              .isEqualTo(i);
          // the other follower, stale: how long until the write is visible there without any read index
          long t1 = System.nanoTime();
          int round = i;
          org.awaitility.Awaitility.await("round " + i + " visible on n" + other).atMost(WAIT)
              .pollInterval(Duration.ofMillis(5)).until(() -> {
                JsonNode s = cl.get(other, "/v1/ns/a/keys/k?consistency=stale");
                return s != null && s.path("i").asInt() == round;
              });
          stale.add((System.nanoTime() - t1) / 1_000_000);
        }
        assertThat(linearizable).as("follower linearizable reads after a write, ms").allMatch(ms -> ms < BOUND_MS);
        assertThat(stale).as("time until a write is visible on a follower (stale reads), ms").allMatch(ms -> ms < BOUND_MS);
      }
    }
  }
}
