package io.aiondb.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.client.AionClient;
import io.aiondb.client.AionClientException;
import io.aiondb.client.KeyValue;
import io.aiondb.lincheck.History;
import io.aiondb.lincheck.LinearizabilityChecker;
import io.aiondb.lincheck.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients run put, get and compare-and-set on a few keys through random nodes of a 3-node cluster while a nemesis
 * kills (-9), partitions, pauses (SIGSTOP) nodes and moves leadership, one fault at a time; the recorded history
 * must be linearizable. The fault schedule comes from a seed that is printed: replay it with
 * {@code -Daion.seed=N}; run longer with {@code -Daion.lincheck.seconds=600} (the soak). A non-linearizable
 * history is saved under target/lincheck-failures/.
 */
class LinearizabilityIT {
  @TempDir Path dir;

  @Test
  void historiesUnderFaultsAreLinearizable() throws Exception {
    long seed = Long.getLong("aion.seed", System.nanoTime());
    int seconds = Integer.getInteger("aion.lincheck.seconds", 45);
    System.out.println("LinearizabilityIT seed=" + seed + " seconds=" + seconds + " (replay: -Daion.seed=" + seed + ")");
    History history = new History();
    List<String> faults = new ArrayList<>();
    try (LocalCluster cl = new LocalCluster(dir, 3, "--request.timeout=3s").label("lincheck-" + seed)) {
      cl.awaitLeader(Duration.ofSeconds(60));
      try (AionClient setup = AionClient.connect(cl.url(1))) {
        setup.createNamespace("lin");
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger okOps = new AtomicInteger();
      String[] keys = {"k0", "k1", "k2"};
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 5; c++) {
        int clientId = c;
        Random r = new Random(seed * 31 + c);
        List<AionClient> conns = new ArrayList<>();
        for (int i = 1; i <= 3; i++) conns.add(AionClient.connect(cl.url(i), Duration.ofSeconds(5)));
        clients.add(Thread.ofPlatform().name("client-" + c).start(() -> {
          for (int n = 0; !stop.get(); n++) {
            AionClient conn = conns.get(r.nextInt(3));
            String key = keys[r.nextInt(keys.length)];
            int dice = r.nextInt(10);
            if (dice < 4) {
              get(history, clientId, conn, key, okOps);
            } else if (dice < 7) {
              String v = "c" + clientId + "-" + n;
              long h = history.invoke(clientId, Op.Kind.PUT, key, v, null);
              try {
                conn.put("lin", key.getBytes(), v.getBytes(), AionClient.TEXT, -1);
                history.ok(h);
                okOps.incrementAndGet();
              } catch (AionClientException e) {
                history.unknown(h); // the write may or may not have happened
              }
            } else {
              // compare-and-set: read the current value and its revision, then write only if it is still current;
              // values are unique and never deleted, so "revision unchanged" means "value unchanged"
              Optional<KeyValue> seen = get(history, clientId, conn, key, okOps);
              if (seen == null) continue;
              String expected = seen.map(KeyValue::text).orElse(null);
              long ifRevision = seen.map(KeyValue::revision).orElse(0L);
              String v = "c" + clientId + "-" + n;
              long h = history.invoke(clientId, Op.Kind.CAS, key, v, expected);
              try {
                conn.put("lin", key.getBytes(), v.getBytes(), AionClient.TEXT, ifRevision);
                history.ok(h, true);
                okOps.incrementAndGet();
              } catch (AionClientException e) {
                if (e.status() == 409) history.ok(h, false);
                else history.unknown(h);
              }
            }
          }
          conns.forEach(AionClient::close);
        }));
      }

      Nemesis nemesis = new Nemesis(cl, seed);
      nemesis.run(Duration.ofSeconds(seconds));
      faults.addAll(nemesis.faults());
      stop.set(true);
      for (Thread t : clients) t.join();
      System.out.println("faults: " + faults);
      List<Op> ops = history.ops();
      long unknown = ops.stream().filter(Op::unknown).count();
      System.out.printf("history: %d operations, %d ok, %d unknown%n", ops.size(), okOps.get(), unknown);
      LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops, Duration.ofSeconds(120));
      System.out.println("checker: " + result.verdict() + " in " + result.elapsed().toMillis() + " ms");
      if (!result.linearizable()) {
        Path out = Path.of("target/lincheck-failures");
        Files.createDirectories(out);
        History.save(ops, out.resolve("seed-" + seed + ".history"));
        cl.keepLogs("lincheck-" + seed);
      }
      assertThat(result.verdict()).as("seed %d, faults %s:%n%s", seed, faults, result).isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
      assertThat(okOps.get()).as("operations that succeeded").isGreaterThan(100);
      assertThat(faults).isNotEmpty();
    }
  }

  /** A linearizable read, recorded; returns null when it failed (a failed read constrains nothing). */
  private static Optional<KeyValue> get(History history, int clientId, AionClient conn, String key, AtomicInteger okOps) {
    long h = history.invoke(clientId, Op.Kind.GET, key, null, null);
    try {
      Optional<KeyValue> v = conn.get("lin", key.getBytes(), 0);
      history.ok(h, v.map(KeyValue::text).orElse(null));
      okOps.incrementAndGet();
      return v;
    } catch (AionClientException e) {
      history.fail(h);
      return null;
    }
  }
}
