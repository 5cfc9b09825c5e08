package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.Aion;
import io.aiondb.client.AionException;
import io.aiondb.client.KeyValue;
import io.aiondb.client.Read;
import io.aiondb.client.Transaction;
import io.aiondb.client.Watch;
import io.aiondb.client.WatchEvent;
import io.aiondb.client.WatchListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native client against a real 3-node cluster: bank transfers as interactive transactions under kill -9,
 * partitions, SIGSTOP and leader moves (the total never changes; every transfer is applied exactly once), and a
 * stream of writes plus a watch across a kill -9 of the leader (every acknowledged write is seen once, in order).
 */
class ClientClusterIT {
  @TempDir Path dir;

  private static Aion client(LocalCluster cl) {
    return Aion.builder().seeds(cl.protocolSeeds()).addressMapper(LocalCluster::mapAddress)
        .requestTimeout(Duration.ofSeconds(20)).connectTimeout(Duration.ofMillis(500)).connect();
  }

  private static long balance(Transaction tx, String account) {
    return Long.parseLong(tx.get("bank", account).map(KeyValue::text).orElseThrow());
  }

  @Test
  void bankTransfersUnderFaultsKeepTheTotalAndApplyOnce() throws Exception {
    long seed = Long.getLong("aion.seed", System.nanoTime());
    System.out.println("ClientClusterIT bank seed=" + seed + " (replay the fault sequence: -Daion.seed=" + seed + ")");
    int accounts = 6;
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=3s").label("bank-" + seed)) {
      cl.awaitLeader(Duration.ofSeconds(60));
      try (Aion db = client(cl)) {
        db.createNamespace("bank");
        for (int i = 0; i < accounts; i++) db.put("bank", "acct" + i, "100");
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> committed = ConcurrentHashMap.newKeySet(); // transfer ids whose commit was acknowledged
        Set<String> unknown = ConcurrentHashMap.newKeySet();   // outcome unknown: may or may not be applied
        AtomicInteger failed = new AtomicInteger();             // gave up with nothing applied
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          int id = w;
          Random r = new Random(seed * 17 + w);
          workers.add(Thread.ofPlatform().name("bank-" + w).start(() -> {
            for (int n = 0; !stop.get(); n++) {
              int from = r.nextInt(accounts);
              int to = (from + 1 + r.nextInt(accounts - 1)) % accounts;
              int amount = 1 + r.nextInt(10);
              String transfer = id + "-" + n;
              try {
                db.inTransaction(100, tx -> {
                  tx.put("bank", "acct" + from, Long.toString(balance(tx, "acct" + from) - amount));
                  tx.put("bank", "acct" + to, Long.toString(balance(tx, "acct" + to) + amount));
                  tx.put("bank", "log/" + transfer, from + ">" + to + ":" + amount);
                  return null;
                });
                committed.add(transfer);
              } catch (AionException.UnknownOutcome e) {
                unknown.add(transfer);
              } catch (AionException e) {
                failed.incrementAndGet();
              }
            }
          }));
        }
        Nemesis nemesis = new Nemesis(cl, seed);
        nemesis.run(Duration.ofSeconds(30));
        stop.set(true);
        for (Thread t : workers) t.join();
        cl.awaitLeader(Duration.ofSeconds(60));

        // the books: balances must be the opening balances moved by exactly the logged transfers
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < accounts; i++) expected.put("acct" + i, 100L);
        Set<String> logged = new java.util.HashSet<>();
        String cursor = null;
        do {
          var page = db.query("bank", "{\"prefix\": \"log/\", \"limit\": 1000" + (cursor == null ? "" : ", \"cursor\": \"" + cursor + "\"") + "}");
          for (var item : page.get("items")) {
            String[] t = item.get("value").asText().split("[>:]");
            long amount = Long.parseLong(t[2]);
            expected.merge("acct" + t[0], -amount, Long::sum);
            expected.merge("acct" + t[1], amount, Long::sum);
            logged.add(item.get("key").asText().substring("log/".length()));
          }
          cursor = page.get("cursor").isNull() ? null : page.get("cursor").asText();
        } while (cursor != null);
        long total = 0;
        for (int i = 0; i < accounts; i++) {
          long actual = Long.parseLong(db.get("bank", "acct" + i).orElseThrow().text());
          assertThat(actual).as("acct%d (seed %d, faults %s)", i, seed, nemesis.faults()).isEqualTo(expected.get("acct" + i));
          total += actual;
        }
        assertThat(total).isEqualTo(100L * accounts);
        assertThat(logged).as("every acknowledged transfer is in the books").containsAll(committed);
        Set<String> extra = new java.util.HashSet<>(logged);
        extra.removeAll(committed);
        assertThat(unknown).as("transfers applied without an acknowledgement had an unknown outcome").containsAll(extra);
        System.out.printf("bank: %d committed, %d unknown (%d of them applied), %d failed; faults %s%n",
            committed.size(), unknown.size(), extra.size(), failed.get(), nemesis.faults());
        assertThat(committed.size()).as("transfers that committed").isGreaterThan(20);
      }
    }
  }

  @Test
  void requestsAndAWatchSurviveALeaderKill() throws Exception {
    try (LocalCluster cl = new LocalCluster(dir, 3).label("client-failover")) {
      cl.awaitLeader(Duration.ofSeconds(60));
      try (Aion db = client(cl)) {
        db.createNamespace("seq");
        long start = db.put("seq", "seq/start", "0").revision();
        List<Long> watched = new CopyOnWriteArrayList<>();
        Map<String, String> lastSeen = new ConcurrentHashMap<>();
        List<AionException> closed = new CopyOnWriteArrayList<>();
        try (Watch w = db.watch("seq", "seq/".getBytes(StandardCharsets.UTF_8), true, start, new WatchListener() {
          @Override
          public void onEvents(long revision, List<WatchEvent> events) {
            watched.add(revision);
            events.forEach(e -> lastSeen.put(e.keyText(), e.deleted() ? "" : e.value().text()));
          }

          @Override
          public void onClose(AionException error) {
            if (error != null) closed.add(error);
          }
        })) {
          Map<Long, String> acknowledged = new HashMap<>();
          int leader = cl.leaderIndex(Duration.ofSeconds(30));
          for (int i = 0; i < 300; i++) {
            if (i == 100) cl.kill(leader); // mid-stream
            if (i == 200) cl.start(leader);
            String key = "seq/" + (i % 50);
            for (int attempt = 0; ; attempt++) {
              try {
                acknowledged.put(db.put("seq", key, Integer.toString(i)).revision(), key);
                break;
              } catch (AionException.UnknownOutcome e) {
                // the put may have applied; writing the same value again is harmless here
                assertThat(attempt).as("attempts for write %d", i).isLessThan(20);
              }
            }
            if (i % 7 == 0) assertThat(db.get("seq", "seq/" + (i % 50)).map(KeyValue::text)).hasValue(Integer.toString(i));
          }
          long last = db.put("seq", "seq/end", "done").revision();
          Awaitility.await("the watch delivers the last write").atMost(Duration.ofSeconds(30))
              .until(() -> !watched.isEmpty() && watched.getLast() >= last);
          assertThat(closed).isEmpty();
          assertThat(watched).isSorted().doesNotHaveDuplicates();
          assertThat(watched).containsAll(acknowledged.keySet());
          for (int k = 0; k < 50; k++) {
            assertThat(lastSeen.get("seq/" + k)).isEqualTo(db.get("seq", "seq/" + k).orElseThrow().text());
          }
          assertThat(db.get("seq", "seq/end".getBytes(), Read.stale().minRevision(last))).isPresent();
        }
      }
    }
  }
}
