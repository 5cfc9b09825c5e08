package io.aiondb.ycsb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the TSV lines of {@link PeersBench} into the Markdown tables of docs/benchmarks.md: throughput per system with
 * the ratios Aion/etcd and Aion/Redis, then p50 / p99 / p99.9 latency per operation type and system.
 *
 * <pre>PeersReport results.tsv [more.tsv ...]</pre>
 */
public final class PeersReport {
  /** Known systems in table order, with their column labels. */
  static final Map<String, String> LABELS = new LinkedHashMap<>();

  static {
    LABELS.put("aion", "Aion");
    LABELS.put("etcd", "etcd");
    LABELS.put("redis-always", "Redis always");
    LABELS.put("redis-everysec", "Redis everysec");
  }

  record Line(String system, String size, String workload, int threads, double opsPerSec, String op, long opCount,
      double p50us, double p99us, double p999us, long errors) {
    String run() {
      return size + "|" + workload + "|" + threads;
    }

    static Line parse(String tsv) {
      String[] f = tsv.split("\t", -1);
      if (f.length != 13) throw new IllegalArgumentException("expected 13 tab-separated fields: " + tsv);
      return new Line(f[0], f[1], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[6]), f[7], Long.parseLong(f[8]),
          Double.parseDouble(f[9]), Double.parseDouble(f[10]), Double.parseDouble(f[11]), Long.parseLong(f[12]));
    }
  }

  private PeersReport() {}

  public static void main(String[] args) throws IOException {
    List<Line> lines = new ArrayList<>();
    for (String a : args) {
      for (String l : Files.readAllLines(Path.of(a))) {
        if (!l.isBlank() && !l.startsWith("system\t")) lines.add(Line.parse(l));
      }
    }
    System.out.print(render(lines));
  }

  static String render(List<Line> lines) {
    Set<String> systems = new LinkedHashSet<>();
    for (String s : LABELS.keySet()) if (lines.stream().anyMatch(l -> l.system().equals(s))) systems.add(s);
    lines.forEach(l -> systems.add(l.system()));
    Map<String, Map<String, Line>> runs = new LinkedHashMap<>(); // run -> system -> first line (throughput is per run)
    Map<String, Map<String, Line>> ops = new LinkedHashMap<>(); // run|op -> system -> line
    for (Line l : lines) {
      runs.computeIfAbsent(l.run(), k -> new LinkedHashMap<>()).putIfAbsent(l.system(), l);
      if (!l.op().equals("NONE")) ops.computeIfAbsent(l.run() + "|" + l.op(), k -> new LinkedHashMap<>()).put(l.system(), l);
    }
    List<String> ratioTo = systems.stream().filter(s -> !s.equals("aion")).toList();
    boolean hasAion = systems.contains("aion");

    StringBuilder sb = new StringBuilder();
    sb.append("Throughput, operations per second (higher is better)");
    if (hasAion && !ratioTo.isEmpty()) sb.append("; Aion/x is Aion's throughput divided by x's");
    sb.append(":\n\n| record | workload | threads |");
    for (String s : systems) sb.append(' ').append(label(s)).append(" |");
    if (hasAion) for (String s : ratioTo) sb.append(" Aion/").append(label(s)).append(" |");
    sb.append("\n|---|---|---:|");
    sb.append("---:|".repeat(systems.size() + (hasAion ? ratioTo.size() : 0))).append('\n');
    for (Map.Entry<String, Map<String, Line>> run : runs.entrySet()) {
      Line any = run.getValue().values().iterator().next();
      sb.append("| ").append(sizeLabel(any.size())).append(" | ").append(any.workload()).append(" | ").append(any.threads()).append(" |");
      for (String s : systems) {
        Line l = run.getValue().get(s);
        sb.append(' ').append(l == null ? "–" : String.format(Locale.ROOT, "%,.0f", l.opsPerSec())).append(" |");
      }
      if (hasAion) {
        Line a = run.getValue().get("aion");
        for (String s : ratioTo) {
          Line o = run.getValue().get(s);
          sb.append(' ').append(a == null || o == null || o.opsPerSec() == 0 ? "–"
              : String.format(Locale.ROOT, "%.2f", a.opsPerSec() / o.opsPerSec())).append(" |");
        }
      }
      sb.append('\n');
    }

    sb.append("\nLatency per operation type, milliseconds, p50 / p99 / p99.9 (YCSB's HdrHistogram):\n\n| record | workload | threads | operation |");
    for (String s : systems) sb.append(' ').append(label(s)).append(" |");
    sb.append("\n|---|---|---:|---|").append("---:|".repeat(systems.size())).append('\n');
    for (Map.Entry<String, Map<String, Line>> op : ops.entrySet()) {
      Line any = op.getValue().values().iterator().next();
      sb.append("| ").append(sizeLabel(any.size())).append(" | ").append(any.workload()).append(" | ").append(any.threads())
          .append(" | ").append(any.op().toLowerCase(Locale.ROOT)).append(" |");
      for (String s : systems) {
        Line l = op.getValue().get(s);
        sb.append(' ').append(l == null ? "–" : ms(l.p50us()) + " / " + ms(l.p99us()) + " / " + ms(l.p999us())).append(" |");
      }
      sb.append('\n');
    }

    List<String> errors = new ArrayList<>();
    for (Map<String, Line> run : runs.values()) {
      for (Line l : run.values()) {
        if (l.errors() > 0) {
          errors.add(label(l.system()) + " " + sizeLabel(l.size()) + " " + l.workload() + " " + l.threads() + " threads: " + l.errors());
        }
      }
    }
    sb.append('\n').append(errors.isEmpty() ? "Errors: none (every operation returned OK)."
        : "**Errors** (operations that did not return OK): " + String.join("; ", errors) + ".").append('\n');
    return sb.toString();
  }

  private static String label(String system) {
    return LABELS.getOrDefault(system, system);
  }

  private static String sizeLabel(String size) {
    return switch (size) {
      case "1k" -> "1 KB (10×100 B)";
      case "256" -> "256 B (1×256 B)";
      default -> size;
    };
  }

  private static String ms(double us) {
    if (Double.isNaN(us)) return "–";
    double ms = us / 1000.0;
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  }
}
