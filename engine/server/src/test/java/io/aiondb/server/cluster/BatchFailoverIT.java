package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import io.aiondb.client.KeyValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched writes under leader failures, on a real 3-process cluster: 24 writers put unique keys through every node
 * (so batches form on the leader and are forwarded by followers) while the leader is killed with SIGKILL twice and
 * restarted. Writes in flight at a kill are resent by their node to the next leader with the same call id. At the end:
 * every acknowledged write is there exactly once (its key has version 1: a batch applied twice would make it 2), a
 * write whose outcome was unknown is there at most once, and the nodes really batched (commands per Raft entry
 * above 1), so the test is about batches and not single-command entries.
 */
class BatchFailoverIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern METRIC = Pattern.compile("(?m)^(aion_raft_proposals_total|aion_raft_proposed_commands_total) ([0-9.eE+]+)$");
  @TempDir Path dir;

  @Test
  void everyAcknowledgedCommandOfABatchIsAppliedExactlyOnceAcrossLeaderKills() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3).label("batch-failover")) {
      int first = cl.leaderIndex(WAIT);
      try (AionClient c = AionClient.connect(cl.url(first))) {
        Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> c.createNamespace("b") || true);
      }
      Map<String, String> acked = new ConcurrentHashMap<>();
      Set<String> unknown = ConcurrentHashMap.newKeySet();
      AtomicLong batchedCommands = new AtomicLong();
      AtomicLong proposals = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      List<AionClient> clients = new ArrayList<>();
      for (int i = 1; i <= 3; i++) clients.add(AionClient.connect(cl.url(i), Duration.ofSeconds(10)));
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 24; w++) {
        int id = w;
        writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
          java.util.Random r = new java.util.Random(id);
          for (int n = 0; !stop.get(); n++) {
            int node = 1 + r.nextInt(3);
            if (!cl.alive(node)) continue;
            String k = "w" + id + "-" + n;
            try {
              clients.get(node - 1).put("b", k, "v" + n);
              acked.put(k, "v" + n);
            } catch (AionClientException e) {
              unknown.add(k); // refused, or sent and not confirmed: in either case at most once
            }
          }
        }));
      }
      try {
        for (int round = 0; round < 2; round++) {
          awaitMore(acked, 300);
          scrapeBatching(cl, proposals, batchedCommands); // before the kill resets the leader's counters
          int leader = cl.leaderIndex(WAIT);
          cl.kill(leader);
          awaitMore(acked, 200); // the survivors elect a leader and take writes
          cl.start(leader);
          cl.awaitLeader(WAIT);
        }
        awaitMore(acked, 300);
      } finally {
        stop.set(true);
        for (Thread t : writers) t.join();
      }
      scrapeBatching(cl, proposals, batchedCommands);
      assertThat(batchedCommands.get()).as("commands per Raft entry above 1: batches formed")
          .isGreaterThan(proposals.get() + proposals.get() / 5);

      int leader = cl.leaderIndex(WAIT);
      try (AionClient c = AionClient.connect(cl.url(leader), Duration.ofSeconds(30))) {
        for (Map.Entry<String, String> e : acked.entrySet()) {
          Optional<KeyValue> kv = c.get("b", e.getKey());
          assertThat(kv).as("acknowledged write %s", e.getKey()).isPresent();
          assertThat(new String(kv.get().value())).isEqualTo(e.getValue());
          assertThat(kv.get().version()).as("applied exactly once: %s", e.getKey()).isEqualTo(1);
        }
        int landed = 0;
        for (String k : unknown) {
          Optional<KeyValue> kv = c.get("b", k);
          if (kv.isPresent()) {
            landed++;
            assertThat(kv.get().version()).as("an unconfirmed write applied at most once: %s", k).isEqualTo(1);
          }
        }
        System.out.printf("batch failover: %d acknowledged, %d unconfirmed (%d of them landed), %d commands in %d "
            + "proposals scraped%n", acked.size(), unknown.size(), landed, batchedCommands.get(), proposals.get());
      }
      for (AionClient client : clients) client.close();
    }
  }

  private static void awaitMore(Map<String, String> acked, int more) {
    int target = acked.size() + more;
    Awaitility.await("more acknowledged writes").atMost(WAIT).pollInterval(Duration.ofMillis(20))
        .until(() -> acked.size() >= target);
  }

  /** Adds every answering node's proposal counters (they restart at 0 with the process: taken before each kill). */
  private static void scrapeBatching(LocalCluster cl, AtomicLong proposals, AtomicLong commands) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 1; i <= cl.size(); i++) {
      if (!cl.alive(i)) continue;
      String body;
      try {
        body = http.send(HttpRequest.newBuilder(URI.create(cl.url(i) + "/metrics")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
      } catch (java.io.IOException e) {
        continue; // a node restarted a moment ago: its HTTP is not up yet (and its counters are near 0)
      }
      Matcher m = METRIC.matcher(body);
      long p = 0;
      long c = 0;
      while (m.find()) {
        long v = (long) Double.parseDouble(m.group(2));
        if (m.group(1).equals("aion_raft_proposals_total")) p = v; else c = v;
      }
      proposals.addAndGet(p);
      commands.addAndGet(c);
    }
  }
}
