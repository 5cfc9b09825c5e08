package io.aiondb.bench;

import io.aiondb.client.AionClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of linearizable reads at low concurrency on the leader and on a follower of a running cluster: one client,
 * sequential HTTP GETs (default consistency: linearizable) of one key, while a background writer puts to the leader
 * at a low rate. Two patterns, each against the leader and against a follower, rounds interleaved so both targets
 * see the same background load:
 *
 * <ul>
 *   <li>{@code read} — reads back to back while the writer puts every {@code --write-interval-ms};</li>
 *   <li>{@code read-after-write} — put through the leader, then at once a GET of that key on the target (only the
 *       GET is timed).</li>
 * </ul>
 *
 * Prints a Markdown table: p50, p99, p99.9 and max in milliseconds. Run by bin/bench-follower-reads.
 *
 * <pre>FollowerReadProbe --url http://127.0.0.1:7070,http://127.0.0.2:7070,http://127.0.0.3:7070 --reads 2000
 *     --write-interval-ms 50 [--rounds 4]</pre>
 */
public final class FollowerReadProbe {
  private FollowerReadProbe() {}

  private static final Pattern LEADER = Pattern.compile("\"leader\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern MEMBER = Pattern.compile(
      "\\{[^{}]*\"id\"\\s*:\\s*\"([^\"]+)\"[^{}]*\"httpAddress\"\\s*:\\s*\"([^\"]+)\"[^{}]*}");

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:7070";
    int reads = 2000;
    int rounds = 4;
    long writeIntervalMs = 50;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--reads" -> reads = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--write-interval-ms" -> writeIntervalMs = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    List<String> urls = List.of(url.split(","));
    String leaderUrl = leaderUrl(urls);
    String followerUrl = urls.stream().filter(u -> !u.equals(leaderUrl)).findFirst().orElseThrow();
    System.err.println("leader " + leaderUrl + ", follower " + followerUrl);
    try (AionClient leader = AionClient.connect(leaderUrl); AionClient follower = AionClient.connect(followerUrl)) {
      leader.createNamespace("probe");
      byte[] value = new byte[256];
      new Random(1).nextBytes(value);
      leader.put("probe", "k".getBytes(), value, AionClient.BINARY);
      // warm-up (JIT, connections), not reported
      for (int i = 0; i < 300; i++) {
        leader.get("probe", "k".getBytes(), 0, "linearizable");
        follower.get("probe", "k".getBytes(), 0, "linearizable");
      }
      int perRound = Math.max(1, reads / rounds);
      long[][] lat = new long[4][perRound * rounds];
      int[] n = new int[4];
      for (int r = 0; r < rounds; r++) {
        // the order alternates each round so neither target always runs first
        AionClient[] targets = r % 2 == 0 ? new AionClient[] {leader, follower} : new AionClient[] {follower, leader};
        for (AionClient t : targets) {
          int slot = t == leader ? 0 : 1;
          readWhileWriting(leader, t, perRound, writeIntervalMs, value, lat[slot], n, slot);
        }
        for (AionClient t : targets) {
          int slot = t == leader ? 2 : 3;
          readAfterWrite(leader, t, perRound, value, lat[slot], n, slot);
        }
      }
      String[] names = {
          "read, writer every " + writeIntervalMs + " ms | leader",
          "read, writer every " + writeIntervalMs + " ms | follower",
          "read-after-write | leader",
          "read-after-write | follower"};
      System.out.println("| pattern | node | reads | p50 ms | p99 ms | p99.9 ms | max ms |");
      System.out.println("|---|---|---:|---:|---:|---:|---:|");
      for (int s = 0; s < 4; s++) {
        long[] l = Arrays.copyOf(lat[s], n[s]);
        Arrays.sort(l);
        System.out.println(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |", names[s], l.length,
            pct(l, 50), pct(l, 99), pct(l, 99.9), l[l.length - 1] / 1e6));
      }
    }
  }

  private static void readWhileWriting(AionClient leader, AionClient target, int reads, long intervalMs, byte[] value,
      long[] lat, int[] n, int slot) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = Thread.ofPlatform().start(() -> {
      long i = 0;
      while (!stop.get()) {
        leader.put("probe", ("w" + (i++ % 1000)).getBytes(), value, AionClient.BINARY);
        try {
          Thread.sleep(intervalMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    try {
      for (int i = 0; i < reads; i++) {
        long t0 = System.nanoTime();
        if (target.get("probe", "k".getBytes(), 0, "linearizable").isEmpty()) throw new IllegalStateException("missing k");
        lat[n[slot]++] = System.nanoTime() - t0;
      }
    } finally {
      stop.set(true);
      writer.join();
    }
  }

  private static void readAfterWrite(AionClient leader, AionClient target, int reads, byte[] value, long[] lat, int[] n,
      int slot) {
    for (int i = 0; i < reads; i++) {
      byte[] key = ("raw" + (i % 1000)).getBytes();
      long rev = leader.put("probe", key, value, AionClient.BINARY).revision();
      long t0 = System.nanoTime();
      var kv = target.get("probe", key, 0, "linearizable").orElseThrow();
      lat[n[slot]++] = System.nanoTime() - t0;
      if (kv.revision() < rev) throw new IllegalStateException("stale read: revision " + kv.revision() + " < " + rev);
    }
  }

  private static double pct(long[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** The HTTP base URL of the current leader, from any node's /v1/cluster/members. */
  static String leaderUrl(List<String> urls) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int attempt = 0; attempt < 100; attempt++) {
      for (String u : urls) {
        try {
          String body = http.send(HttpRequest.newBuilder(URI.create(u + "/v1/cluster/members")).GET().build(),
              HttpResponse.BodyHandlers.ofString()).body();
          Matcher lm = LEADER.matcher(body);
          if (!lm.find()) continue;
          String leaderId = lm.group(1);
          Matcher mm = MEMBER.matcher(body);
          List<String> seen = new ArrayList<>();
          while (mm.find()) {
            seen.add(mm.group(1));
            if (mm.group(1).equals(leaderId)) {
              String addr = mm.group(2);
              return addr.startsWith("http") ? addr : "http://" + addr;
            }
          }
          throw new IllegalStateException("leader " + leaderId + " not among members " + seen + ": " + body);
        } catch (java.io.IOException e) {
          // try the next node
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader known by any of " + urls);
  }
}
