package io.aiondb.bench;

import io.aiondb.client.Aion;
import io.aiondb.client.AionClient;
import io.aiondb.client.Read;
import io.aiondb.client.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts and gets of fixed-size values against running Aion nodes, with 1..N concurrent clients (one thread each,
 * closed loop), over HTTP (client i talks to node i mod n) or the binary protocol ({@code --protocol binary}: one
 * native {@link Aion} client shared by all threads, which routes to the leader). Prints a Markdown table: ops/s,
 * p50, p99 and p99.9 latency. Run by bin/bench-single-node, bin/bench-cluster and bin/bench-protocols.
 *
 * <pre>SingleNodeBench --url http://127.0.0.1:7070[,http://127.0.0.2:7070] --clients 1,16 --ops 20000
 *     --value-size 256 [--consistency linearizable|stale] [--protocol http|binary --seeds 127.0.0.1:7071]
 *     [--cacert ca.crt (TLS: https:// URLs, the binary protocol over TLS)] [--token T | --login user:password (auth.enabled)]</pre>
 */
public final class SingleNodeBench {
  private SingleNodeBench() {}

  record Result(String op, int clients, long ops, double seconds, long[] latenciesNanos) {
    double opsPerSec() {
      return ops / seconds;
    }

    double pct(double p) {
      int i = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p / 100.0 * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, i)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:7070";
    String consistency = "linearizable";
    int[] clients = {1, 16};
    int ops = 20_000;
    int valueSize = 256;
    String protocol = "http";
    String seeds = "127.0.0.1:7071";
    javax.net.ssl.SSLContext tls = null;
    String token = null;
    String login = null;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--clients" -> clients = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--ops" -> ops = Integer.parseInt(args[i + 1]);
        case "--value-size" -> valueSize = Integer.parseInt(args[i + 1]);
        case "--consistency" -> consistency = args[i + 1];
        case "--protocol" -> protocol = args[i + 1];
        case "--seeds" -> seeds = args[i + 1];
        case "--cacert" -> tls = io.aiondb.client.ClientTls.fromPem(java.nio.file.Path.of(args[i + 1]), null, null);
        case "--token" -> token = args[i + 1];
        case "--login" -> login = args[i + 1];
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    List<Result> results = new ArrayList<>();
    List<AionClient> nodes = new ArrayList<>();
    if (login != null) {
      int colon = login.indexOf(':');
      if (colon < 1) throw new IllegalArgumentException("--login takes user:password");
      try (AionClient c = AionClient.connect(url.split(",")[0], java.time.Duration.ofSeconds(60), tls)) {
        token = c.login(login.substring(0, colon), login.substring(colon + 1));
      }
    }
    for (String u : url.split(",")) {
      AionClient c = AionClient.connect(u, java.time.Duration.ofSeconds(60), tls);
      nodes.add(token == null ? c : c.withToken(token));
    }
    Aion nativeClient = null;
    if (protocol.equals("binary")) {
      var b = Aion.builder().seeds(seeds).tls(tls);
      nativeClient = (token == null ? b : b.token(token)).connect();
    }
    if (nativeClient != null) {
      Aion n = nativeClient;
      boolean stale = consistency.equals("stale");
      nodes = new ArrayList<>(nodes);
      binary = new Ops() {
        @Override
        public void put(byte[] key, byte[] value) {
          n.put("bench", key, value, ValueType.BINARY, -1);
        }

        @Override
        public boolean get(byte[] key) {
          return n.get("bench", key, stale ? Read.stale() : Read.linearizable()).isPresent();
        }
      };
    }
    try {
      nodes.getFirst().createNamespace("bench");
      run(nodes, "put", 1, Math.min(ops, 2000), valueSize, "warm", consistency); // JIT warm-up, not reported
      run(nodes, "get", 1, Math.min(ops, 2000), valueSize, "warm", consistency);
      for (int n : clients) {
        results.add(run(nodes, "put", n, ops, valueSize, "k" + n, consistency));
        results.add(run(nodes, "get", n, ops, valueSize, "k" + n, consistency));
      }
    } finally {
      nodes.forEach(AionClient::close);
      if (nativeClient != null) nativeClient.close();
    }
    System.out.println("| operation | clients | ops/s | p50 ms | p99 ms | p99.9 ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      String op = r.op().equals("get") ? "get (" + consistency + ")" : r.op();
      System.out.println(String.format(Locale.ROOT, "| %s %d B | %d | %,.0f | %.2f | %.2f | %.2f |", op, valueSize,
          r.clients(), r.opsPerSec(), r.pct(50), r.pct(99), r.pct(99.9)));
    }
  }

  /** One client's operations, whichever protocol carries them. */
  interface Ops {
    void put(byte[] key, byte[] value);

    boolean get(byte[] key);
  }

  /** Set for {@code --protocol binary}: every thread shares the one native client. */
  private static Ops binary;

  /** {@code ops} operations split over {@code clients} threads; puts write distinct keys, gets read them back. */
  static Result run(List<AionClient> nodes, String op, int clients, int ops, int valueSize, String prefix,
      String consistency) throws Exception {
    long[] lat = new long[ops];
    AtomicLong next = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < clients; t++) {
      int seed = t;
      AionClient http = nodes.get(t % nodes.size());
      Ops c = binary != null ? binary : new Ops() {
        @Override
        public void put(byte[] key, byte[] value) {
          http.put("bench", key, value, AionClient.BINARY);
        }

        @Override
        public boolean get(byte[] key) {
          return http.get("bench", key, 0, consistency).isPresent();
        }
      };
      threads.add(Thread.ofPlatform().start(() -> {
        Random r = new Random(seed);
        byte[] value = new byte[valueSize];
        r.nextBytes(value);
        long i;
        while ((i = next.getAndIncrement()) < ops) {
          byte[] key = (prefix + "-" + (op.equals("put") ? i : r.nextInt(ops))).getBytes();
          long t0 = System.nanoTime();
          if (op.equals("put")) c.put(key, value);
          else if (!c.get(key)) throw new IllegalStateException("missing " + new String(key));
          lat[(int) i] = System.nanoTime() - t0;
        }
      }));
    }
    for (Thread t : threads) t.join();
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(lat);
    return new Result(op, clients, ops, seconds, lat);
  }
}
