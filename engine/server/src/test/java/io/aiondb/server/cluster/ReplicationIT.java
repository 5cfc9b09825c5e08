package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication scenarios on real clusters of separate JVMs (see {@link LocalCluster}): failover under load, a
 * minority partition, snapshot catch-up of a far-behind follower, and membership changes under load.
 */
class ReplicationIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;

  private static void awaitTrue(String what, Duration timeout, java.util.function.BooleanSupplier cond) {
    org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(cond::getAsBoolean);
  }

  /** True when the action ran without the client reporting an error (the cluster may still be recovering). */
  private static boolean succeeds(Runnable action) {
    try {
      action.run();
      return true;
    } catch (AionClientException e) {
      return false;
    }
  }

  /** Waits until the load has had {@code more} further writes acknowledged. */
  /** A linearizable read of the key succeeds and finds it (false while the node cannot answer yet). */
  private static boolean finds(AionClient c, String ns, String key) {
    try {
      return c.get(ns, key).isPresent();
    } catch (AionClientException e) {
      return false;
    }
  }

  private static void awaitMoreWrites(Load load, int more) {
    int target = load.acked.size() + more;
    awaitTrue(more + " more acknowledged writes", WAIT, () -> load.acked.size() >= target);
  }

  private static void assertAllPresent(AionClient c, String ns, Map<String, String> acked) {
    for (var e : acked.entrySet()) {
      assertThat(c.get(ns, e.getKey())).as("acknowledged write %s", e.getKey()).map(kv -> kv.text()).contains(e.getValue());
    }
  }

  /** A Raft gauge's line: the name, the group label (as in Ratis's series), then the value (appended to the pattern). */
  private static final String GROUP_GAUGE = "(?m)^%s\\{group=\"[0-9A-F]+\"} ";

  private static long gauge(String metrics, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(GROUP_GAUGE.formatted(name) + "([0-9.E]+)").matcher(metrics);
    assertThat(m.find()).as("%s on /metrics", name).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void writesOnAnyNodeAndFailoverLosesNoAcknowledgedWrite() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3).label("failover")) {
      int leader = cl.leaderIndex(WAIT);
      int follower = leader % 3 + 1;
      try (AionClient f = AionClient.connect(cl.url(follower)); AionClient l = AionClient.connect(cl.url(leader))) {
        f.createNamespace("r");
        var w = f.put("r", "via-follower", "1");
        // a batch write sent to a follower is forwarded to the leader and committed as one entry: one revision
        java.net.http.HttpResponse<String> batch = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(cl.url(follower) + "/v1/ns/r/keys"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"items\": [{\"key\": \"batch-1\", \"text\": \"a\"},"
                    + " {\"key\": \"batch-2\", \"text\": \"b\"}, {\"key\": \"batch-3\", \"value\": {\"n\": 3}}]}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        long batchRevision = new com.fasterxml.jackson.databind.ObjectMapper().readTree(batch.body()).path("revision").asLong();
        assertThat(batchRevision).isGreaterThan(w.revision());
        assertThat(l.get("r", "via-follower")).isPresent(); // linearizable read on another node sees it
        for (int i = 1; i <= 3; i++) {
          try (AionClient c = AionClient.connect(cl.url(i))) {
            assertThat(c.get("r", "via-follower")).isPresent();
            for (String k : new String[] {"batch-1", "batch-2", "batch-3"}) {
              assertThat(c.get("r", k)).as("%s on node %d", k, i).map(kv -> kv.revision()).contains(batchRevision);
            }
            assertThat(c.get("r", "batch-2")).map(kv -> kv.text()).contains("b");
            JsonNode stale = cl.get(i, "/v1/ns/r/keys/via-follower?consistency=stale&minRevision=" + w.revision());
            assertThat(stale.asInt()).isEqualTo(1); // the raw value "1", parsed as a JSON number
          }
        }
      }
      // Ratis's own metrics on /metrics (docs/metrics.md, "Raft"): the leader's appender to each follower, with the
      // follower as a label, and every member's log worker
      String leaderMetrics = Http.getRaw(cl.url(leader) + "/metrics").body();
      for (int i = 1; i <= 3; i++) {
        String member = "member=\"" + LocalCluster.name(i) + "\"";
        if (i != leader) {
          String labels = "\\{group=\"[0-9A-F]+\",member=\"" + LocalCluster.name(leader) + "\",peer=\""
              + LocalCluster.name(i) + "\"";
          assertThat(leaderMetrics).containsPattern("ratis_grpc_log_appender_latency_timed_total" + labels + "} [1-9]")
              .containsPattern("ratis_log_appender_follower_match_index" + labels + "} [1-9]")
              .containsPattern("ratis_server_peer_commit_index" + labels + "} [1-9]");
        }
        assertThat(Http.getRaw(cl.url(i) + "/metrics").body())
            .containsPattern("ratis_log_worker_flush_total\\{group=\"[0-9A-F]+\"," + member + ",peer=\"\"} [1-9]")
            .containsPattern("ratis_log_worker_sync_time_seconds\\{group=\"[0-9A-F]+\"," + member
                + ",peer=\"\",quantile=\"0.99\"} [0-9.E-]+");
      }
      // Aion's Raft gauges (docs/metrics.md "Raft"): who leads, who knows a leader, how many voters the leader hears
      for (int i = 1; i <= 3; i++) {
        String m = Http.getRaw(cl.url(i) + "/metrics").body();
        assertThat(m).containsPattern(GROUP_GAUGE.formatted("aion_raft_leader") + (i == leader ? "1.0" : "0.0"))
            .containsPattern(GROUP_GAUGE.formatted("aion_raft_leader_known") + "1.0")
            .containsPattern(GROUP_GAUGE.formatted("aion_raft_voters") + "3.0")
            .containsPattern(GROUP_GAUGE.formatted("aion_raft_voters_reachable") + (i == leader ? "3.0" : "NaN"))
            .containsPattern(GROUP_GAUGE.formatted("aion_raft_term") + "[1-9]")
            .containsPattern("(?m)^aion_data_free_bytes\\{path=\"data\"} [1-9]")
            .containsPattern("(?m)^aion_data_capacity_bytes\\{path=\"data\"} [1-9]")
            // RocksDB (docs/metrics.md "Storage"): the node's writes went through its WAL
            .containsPattern("(?m)^aion_rocksdb_wal_written_bytes_total [1-9]")
            .containsPattern("(?m)^aion_rocksdb_memtable_bytes\\{cf=\"kv\"} [1-9]");
      }
      // a binary-protocol read on the leader, so that its request histogram has a series (a dashboard shows it)
      try (io.aiondb.client.Aion native_ = io.aiondb.client.Aion.builder().seeds(cl.protocolSeeds())
          .addressMapper(LocalCluster::mapAddress)
          .requestTimeout(Duration.ofSeconds(10)).connect()) {
        assertThat(native_.get("r", "batch-2")).isPresent();
      }
      // every metric monitoring/alerts.yml and the Grafana dashboards use exists (those that need TLS or backups
      // configured: documented)
      String alerts = java.nio.file.Files.readString(java.nio.file.Path.of("../../monitoring/alerts.yml"))
          + java.nio.file.Files.readString(java.nio.file.Path.of(
              "../../charts/aion-operator/files/dashboards/aion-clusters.json"));
      String metricsDoc = java.nio.file.Files.readString(java.nio.file.Path.of("../../docs/metrics.md"))
          + java.nio.file.Files.readString(java.nio.file.Path.of("../../docs/backup.md"));
      java.util.regex.Matcher used = java.util.regex.Pattern.compile("\\b(aion|ratis|jvm)_[a-z_]+").matcher(alerts);
      int checked = 0;
      while (used.find()) {
        String name = used.group();
        if (name.equals("aion_cluster")) continue; // the label the operator's PodMonitor adds, not a series
        if (name.startsWith("aion_tls_") || name.startsWith("aion_backup_")) {
          assertThat(metricsDoc).as("docs/metrics.md or docs/backup.md documents %s", name).contains(name.replaceAll("_(seconds|total)$", ""));
        } else {
          assertThat(leaderMetrics + Http.getRaw(cl.url(leader) + "/metrics").body()).as("an alert or a dashboard uses %s", name)
              .containsPattern("(?m)^" + name + "[{ ]");
          checked++;
        }
      }
      assertThat(checked).as("metrics checked in monitoring/alerts.yml and the dashboards").isGreaterThanOrEqualTo(30);
      long termBefore = gauge(Http.getRaw(cl.url(leader % 3 + 1) + "/metrics").body(), "aion_raft_term");
      try (Load load = new Load(cl, "r", 3, cl::alive)) {
        awaitMoreWrites(load, 50);
        long killedAt = System.nanoTime();
        cl.kill(leader);
        awaitTrue("a new leader", WAIT, () -> {
          String l = cl.leader();
          return l != null && !l.equals(LocalCluster.name(leader));
        });
        int newLeader = cl.leaderIndex(WAIT);
        awaitMoreWrites(load, 50); // the new leader takes writes
        // the new leader hears from two voters of three (AionQuorumAtRisk), in a later term
        awaitTrue("the new leader counts 2 reachable voters", WAIT, () -> {
          try {
            return java.util.regex.Pattern.compile(GROUP_GAUGE.formatted("aion_raft_voters_reachable") + "2\\.0\\b")
                .matcher(Http.getRaw(cl.url(newLeader) + "/metrics").body()).find();
          } catch (Exception e) {
            return false;
          }
        });
        assertThat(gauge(Http.getRaw(cl.url(newLeader) + "/metrics").body(), "aion_raft_term")).isGreaterThan(termBefore);
        load.close();
        long gap = load.longestGapMillis(killedAt);
        System.out.printf("failover: longest client-observed write gap after kill -9 of the leader: %d ms%n", gap);
        assertThat(gap).as("client-observed unavailability").isLessThan(15_000);
        try (AionClient c = AionClient.connect(cl.url(newLeader))) {
          assertAllPresent(c, "r", load.acked);
        }
        cl.start(leader); // the old leader restarts and catches up
        try (AionClient old = AionClient.connect(cl.url(leader))) {
          awaitTrue("the restarted node to serve", WAIT, () -> finds(old, "r", "via-follower"));
          assertAllPresent(old, "r", load.acked);
        }
      }
      // a member restarted while nothing is written serves linearizable reads at once: its data is current, and it
      // must not wait for a write to learn so (found by the e2e suite)
      int quiet = cl.leaderIndex(WAIT) % 3 + 1;
      cl.kill(quiet);
      cl.start(quiet);
      try (AionClient q = AionClient.connect(cl.url(quiet), Duration.ofSeconds(5))) {
        awaitTrue("the quietly restarted node to answer a linearizable read", WAIT, () -> finds(q, "r", "via-follower"));
      }
    }
  }

  @Test
  void minorityCannotCommitOrServeStaleReads() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=4s").label("minority")) {
      int leader = cl.leaderIndex(WAIT);
      try (AionClient l = AionClient.connect(cl.url(leader))) {
        l.createNamespace("p");
        l.put("p", "k", "before");
      }
      cl.partition(Set.of(leader)); // the old leader alone on one side
      int other = leader % 3 + 1;
      try (AionClient maj = AionClient.connect(cl.url(other)); AionClient min = AionClient.connect(cl.url(leader))) {
        awaitTrue("the majority to elect a leader and commit", WAIT, () -> succeeds(() -> maj.put("p", "k", "after")));
        assertThatThrownBy(() -> min.put("p", "k", "minority")).isInstanceOf(AionClientException.class)
            .satisfies(e -> assertThat(((AionClientException) e).status()).isIn(503, 504));
        // a linearizable read in the minority fails; it never answers "before"
        assertThatThrownBy(() -> min.get("p", "k")).isInstanceOf(AionClientException.class);
        // a stale read says what it is: the old value, with the revision it reflects
        var stale = Http.getRaw(cl.url(leader) + "/v1/ns/p/keys/k?consistency=stale");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo("before");
        assertThat(stale.headers().firstValue("Aion-Read-Revision")).contains("1");
        cl.heal();
        awaitTrue("the old leader to catch up", WAIT, () -> {
          try {
            return min.get("p", "k").map(kv -> kv.text().equals("after")).orElse(false);
          } catch (AionClientException e) {
            return false;
          }
        });
        awaitTrue("the majority to serve after the heal", WAIT, () -> {
          try {
            return maj.get("p", "k").orElseThrow().text().equals("after"); // the minority write never happened
          } catch (AionClientException e) {
            return false;
          }
        });
      }
    }
  }

  @Test
  void farBehindFollowerCatchesUpBySnapshot() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3, "--raft.snapshot-interval=100", "--raft.segment-size=256KiB").label("snapshot")) {
      int leader = cl.leaderIndex(WAIT);
      int lagging = leader % 3 + 1;
      try (AionClient l = AionClient.connect(cl.url(leader))) {
        l.createNamespace("s");
        cl.stop(lagging);
        // 20 MB of incompressible values: the checkpoint holds an SST file larger than one 16 MiB snapshot chunk
        // (with raft.grpc.message.size.max at 16 MiB every install of such a snapshot failed: RESOURCE_EXHAUSTED)
        java.util.Random random = new java.util.Random(42);
        byte[][] big = new byte[5][4_000_000];
        for (int i = 0; i < big.length; i++) {
          random.nextBytes(big[i]);
          l.put("s", ("big" + i).getBytes(), big[i], AionClient.BINARY);
        }
        long last = 0;
        String pad = "x".repeat(1024); // enough bytes to close several 256 KiB log segments, so the log is purged
        for (int i = 0; i < 2000; i++) last = l.put("s", "k" + i, "v" + i + pad).revision();
        long lastRevision = last;
        cl.start(lagging);
        try (AionClient f = AionClient.connect(cl.url(lagging))) {
          awaitTrue("the restarted follower to reach revision " + lastRevision, WAIT, () -> {
            JsonNode st = cl.get(lagging, "/v1/status");
            return st != null && st.path("revision").asLong() >= lastRevision;
          });
          for (int i = 0; i < 2000; i += 37) {
            assertThat(f.get("s", ("k" + i).getBytes(), 0)).map(kv -> kv.text()).contains("v" + i + "x".repeat(1024));
          }
          for (int i = 0; i < big.length; i++) {
            assertThat(f.get("s", ("big" + i).getBytes(), 0).orElseThrow().value()).isEqualTo(big[i]);
          }
        }
      }
      assertThat(Files.readString(cl.log(lagging))).as("the follower installed a snapshot").contains("installing snapshot");
    }
  }

  @Test
  void learnerJoinsPromotesAndOldMemberLeavesUnderLoad() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 4, 3).label("membership")) {
      int leader = cl.leaderIndex(WAIT);
      try (AionClient c = AionClient.connect(cl.url(leader))) {
        c.createNamespace("m");
      }
      try (Load load = new Load(cl, "m", 2, cl::alive)) {
        cl.start(4);
        String body = "{\"id\":\"n4\",\"raftAddress\":\"" + cl.raftAddress(4) + "\",\"httpAddress\":\"" + cl.httpAddress(4) + "\"}";
        JsonNode added = Http.post(cl.url(leader) + "/v1/cluster/learners", body);
        assertThat(added.path("changed").asBoolean()).isTrue();
        assertThat(Http.post(cl.url(leader) + "/v1/cluster/learners", body).path("changed").asBoolean()).isFalse();
        awaitTrue("n4 to catch up", WAIT, () -> {
          JsonNode h = cl.get(leader, "/v1/cluster/health?member=n4");
          return h != null && h.path("caughtUp").asBoolean();
        });
        assertThat(Http.post(cl.url(leader) + "/v1/cluster/members/n4/promote", "").path("changed").asBoolean()).isTrue();
        assertThat(Http.post(cl.url(leader) + "/v1/cluster/members/n4/promote", "").path("changed").asBoolean()).isFalse();
        // move leadership off the member we remove, then remove it
        int removed = cl.leaderIndex(WAIT);
        int target = removed == 1 ? 2 : 1;
        // right after a promotion the target may not be caught up in the new configuration yet: Ratis then refuses the
        // transfer (DIFFERENT_LEADER / timeout, 503) and a caller retries, as the operator does
        awaitTrue("a leadership transfer to be accepted", WAIT, () -> {
          try {
            return Http.post(cl.url(removed) + "/v1/cluster/leader", "{\"id\":\"" + LocalCluster.name(target) + "\"}")
                .path("changed").asBoolean();
          } catch (Exception | AssertionError refused) {
            return false;
          }
        });
        awaitTrue("leadership to move", WAIT, () -> LocalCluster.name(target).equals(cl.leader()));
        assertThat(Http.delete(cl.url(target) + "/v1/cluster/members/" + LocalCluster.name(removed)).path("changed").asBoolean()).isTrue();
        assertThat(Http.delete(cl.url(target) + "/v1/cluster/members/" + LocalCluster.name(removed)).path("changed").asBoolean()).isFalse();
        cl.stop(removed);
        awaitMoreWrites(load, 20); // writes go on without the removed member
        load.close();
        JsonNode members = cl.get(target, "/v1/cluster/members");
        assertThat(members.findValuesAsText("id")).doesNotContain(LocalCluster.name(removed)).contains("n4");
        assertThat(members.path("members").findValuesAsText("role")).doesNotContain("LEARNER");
        try (AionClient n4 = AionClient.connect(cl.url(4))) {
          assertAllPresent(n4, "m", load.acked);
        }
        assertThat(load.acked).hasSizeGreaterThan(20);
      }
    }
  }

  @Test
  void fiveNodesTolerateTwoFailuresButNotThree() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 5, "--request.timeout=4s").label("five")) {
      int leader = cl.leaderIndex(WAIT);
      try (AionClient l = AionClient.connect(cl.url(leader))) {
        l.createNamespace("f");
        l.put("f", "k", "0");
      }
      int second = leader % 5 + 1;
      cl.kill(leader); // two of five down, the leader among them
      cl.kill(second);
      int survivor = second % 5 + 1;
      try (AionClient s = AionClient.connect(cl.url(survivor))) {
        awaitTrue("the three survivors to commit", WAIT, () -> succeeds(() -> s.put("f", "k", "two-down")));
        assertThat(s.get("f", "k").orElseThrow().text()).isEqualTo("two-down");
        int third = survivor % 5 + 1;
        cl.kill(third); // three of five down: no quorum
        assertThatThrownBy(() -> s.put("f", "k", "no-quorum")).isInstanceOf(AionClientException.class);
        assertThatThrownBy(() -> s.get("f", "k")).isInstanceOf(AionClientException.class); // never a stale answer
        cl.start(leader);
        awaitTrue("quorum to return", WAIT, () -> {
          try {
            return s.get("f", "k").map(kv -> !kv.text().equals("0")).orElse(false);
          } catch (AionClientException e) {
            return false;
          }
        });
        assertThat(s.get("f", "k").orElseThrow().text()).isIn("two-down", "no-quorum"); // the unknown write may land
      }
    }
  }
}
