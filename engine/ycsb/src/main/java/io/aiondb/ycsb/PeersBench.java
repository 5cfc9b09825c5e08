package io.aiondb.ycsb;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import site.ycsb.DB;

/**
 * Runs the YCSB series of {@code bin/bench-peers} against one running system and appends one line per (record size,
 * workload, threads, operation) to a TSV file, which {@link PeersReport} turns into Markdown. For each record size
 * it loads {@code --records} records into a table of its own, then runs each workload with each thread count: a
 * warm-up of {@code --warmup} seconds (not recorded), then the measured run ({@code --seconds}, or {@code --ops}
 * operations). The system must be started and stopped by the caller.
 *
 * <pre>PeersBench --system aion --db io.aiondb.ycsb.AionBinding -p aion.endpoints=127.0.0.1:7071 --out r.tsv
 *     [--records 10000] [--sizes 1k,256] [--workloads a,b,c,f,e] [--threads 1,16,64] [--seconds 6 | --ops 300]
 *     [--warmup 1] [--system-warmup 0] [--load-threads 16] [--fail-on-error]</pre>
 *
 * Record sizes: {@code 1k} is YCSB's default record, 10 fields of 100 bytes; {@code 256} is one field of 256 bytes.
 */
public final class PeersBench {
  static final String HEADER = "system\tsize\tworkload\tthreads\tseconds\tops\tops_per_sec\top\top_count\tp50_us\tp99_us\tp999_us\terrors";

  private PeersBench() {}

  public static void main(String[] args) throws Exception {
    String system = null;
    String db = null;
    Path out = null;
    Properties extra = new Properties();
    int records = 10_000;
    List<String> sizes = List.of("1k", "256");
    List<String> workloads = List.of("a", "b", "c", "f", "e");
    int[] threads = {1, 16, 64};
    int seconds = 6;
    long ops = 0;
    int warmup = 1;
    int systemWarmup = 0;
    int loadThreads = 16;
    boolean failOnError = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--system" -> system = args[++i];
        case "--db" -> db = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "-p" -> {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          if (eq <= 0) throw new IllegalArgumentException("-p takes key=value, not " + kv);
          extra.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "--records" -> records = Integer.parseInt(args[++i]);
        case "--sizes" -> sizes = List.of(args[++i].split(","));
        case "--workloads" -> workloads = List.of(args[++i].toLowerCase(Locale.ROOT).split(","));
        case "--threads" -> threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--ops" -> ops = Long.parseLong(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--system-warmup" -> systemWarmup = Integer.parseInt(args[++i]);
        case "--load-threads" -> loadThreads = Integer.parseInt(args[++i]);
        case "--fail-on-error" -> failOnError = true;
        default -> throw new IllegalArgumentException("unknown flag " + a);
      }
    }
    if (system == null || db == null || out == null) throw new IllegalArgumentException("--system, --db and --out are required");
    if (!Files.exists(out)) Files.writeString(out, HEADER + "\n");
    System.setErr(new QuietErr(System.err));

    long errors = 0;
    DB keeper = keepSharedClients(db, extra);
    try {
      if (systemWarmup > 0) warmUp(system, db, records, loadThreads, Arrays.stream(threads).max().orElse(16), systemWarmup, extra);
      for (String size : sizes) {
        Properties base = baseProperties(db, size, records, extra);
        YcsbPhase.Result load = YcsbPhase.run(with(base, workload("a")), true, loadThreads, records, 0);
        errors += report(out, system, size, "load", loadThreads, load);
        for (String w : workloads) {
          Properties props = with(base, workload(w));
          for (int t : threads) {
            if (warmup > 0) YcsbPhase.run(props, false, t, 0, warmup);
            YcsbPhase.Result r = ops > 0 ? YcsbPhase.run(props, false, t, ops, 0) : YcsbPhase.run(props, false, t, 0, seconds);
            errors += report(out, system, size, w.toUpperCase(Locale.ROOT), t, r);
          }
        }
      }
    } finally {
      keeper.cleanup();
    }
    System.err.printf(Locale.ROOT, "%s: done, %d errors%n", system, errors);
    System.exit(failOnError && errors > 0 ? 1 : 0); // jetcd and Vert.x leave non-daemon threads behind
  }

  /**
   * Runs the system before anything is measured, on a table of its own (not reported): its own records loaded, then
   * workload A for {@code seconds}. A JVM-based server compiles its hot paths for the first one to two minutes under
   * load: Aion's workload A at 64 threads rose from ~2,400 to ~8,000 ops/s over the first 80 s of a run (2026-12-07,
   * docs/benchmarks.md), so without this the first cells measured the JIT compiler, not the server. Every system gets
   * the same warm-up (the YCSB client JVM warms up with it too).
   */
  static void warmUp(String system, String db, int records, int loadThreads, int threads, int seconds, Properties extra)
      throws Exception {
    Properties base = baseProperties(db, "256", records, extra);
    base.setProperty("table", "ycsbwarmup");
    System.err.printf(Locale.ROOT, "%s: warm-up, %d records and %d s of workload A at %d threads (not reported)%n",
        system, records, seconds, threads);
    YcsbPhase.run(with(base, workload("a")), true, loadThreads, records, 0);
    YcsbPhase.run(with(base, workload("a")), false, threads, 0, seconds);
  }

  /**
   * One extra binding instance alive for the whole series, so the bindings' shared clients (and their warm
   * connections) outlive the phases instead of closing when each phase's threads clean up.
   */
  private static DB keepSharedClients(String db, Properties extra) throws Exception {
    DB keeper = (DB) Class.forName(db).getDeclaredConstructor().newInstance();
    keeper.setProperties(extra);
    keeper.init();
    return keeper;
  }

  static Properties baseProperties(String db, String size, int records, Properties extra) {
    Properties p = new Properties();
    p.setProperty("db", db);
    p.setProperty("recordcount", Integer.toString(records));
    p.setProperty("measurementtype", "hdrhistogram");
    p.setProperty("hdrhistogram.percentiles", "50,99,99.9");
    switch (size) {
      case "1k" -> {
        p.setProperty("fieldcount", "10");
        p.setProperty("fieldlength", "100");
      }
      case "256" -> {
        p.setProperty("fieldcount", "1");
        p.setProperty("fieldlength", "256");
      }
      default -> throw new IllegalArgumentException("record size is 1k or 256, not " + size);
    }
    p.setProperty("table", "ycsb" + size);
    p.putAll(extra);
    return p;
  }

  /** The standard YCSB workload file {@code workloads/workload<w>} (bundled; YCSB's core jar has none). */
  static Properties workload(String w) throws IOException {
    Properties p = new Properties();
    try (InputStream in = PeersBench.class.getResourceAsStream("/workloads/workload" + w)) {
      if (in == null) throw new IllegalArgumentException("no workload '" + w + "' (a, b, c, e, f)");
      p.load(in);
    }
    return p;
  }

  private static Properties with(Properties base, Properties workload) {
    Properties p = new Properties();
    p.putAll(workload);
    p.putAll(base);
    return p;
  }

  private static long report(Path out, String system, String size, String workload, int threads, YcsbPhase.Result r)
      throws IOException {
    List<String> lines = new ArrayList<>();
    List<YcsbPhase.OpStats> ops = r.ops().isEmpty() // every operation failed: still leave a line with the errors
        ? List.of(new YcsbPhase.OpStats("NONE", 0, Double.NaN, Double.NaN, Double.NaN)) : r.ops();
    for (YcsbPhase.OpStats op : ops) {
      lines.add(String.join("\t", system, size, workload, Integer.toString(threads), fmt(r.seconds()),
          Long.toString(r.opsDone()), fmt(r.opsPerSec()), op.op(), Long.toString(op.operations()), fmt(op.p50us()),
          fmt(op.p99us()), fmt(op.p999us()), Long.toString(r.errorCount())));
    }
    Files.write(out, lines, StandardOpenOption.APPEND);
    System.err.printf(Locale.ROOT, "%s %s %s threads=%d: %.0f ops/s over %.1f s%s%n", system, size, workload, threads,
        r.opsPerSec(), r.seconds(), r.errors().isEmpty() ? "" : ", errors " + r.errors());
    return r.errorCount();
  }

  /** Drops the line YCSB's DBWrapper prints for every client thread of every phase. */
  private static final class QuietErr extends PrintStream {
    QuietErr(PrintStream err) {
      super(err, true);
    }

    @Override
    public void println(String line) {
      if (line == null || !line.startsWith("DBWrapper: report latency")) super.println(line);
    }
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }
}
