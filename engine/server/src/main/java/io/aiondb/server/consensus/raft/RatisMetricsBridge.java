package io.aiondb.server.consensus.raft;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.impl.RatisMetricRegistryImpl;
import org.apache.ratis.thirdparty.com.codahale.metrics.Counter;
import org.apache.ratis.thirdparty.com.codahale.metrics.Counting;
import org.apache.ratis.thirdparty.com.codahale.metrics.Metric;
import org.apache.ratis.thirdparty.com.codahale.metrics.Sampling;
import org.apache.ratis.thirdparty.com.codahale.metrics.Timer;

/**
 * Ratis's own metrics (log worker, appenders, leader election, state machine updater, server request counts) on this
 * node's Prometheus endpoint, rather than a copy of them (docs/metrics.md, "Raft"). Ratis keeps them in Dropwizard
 * registries, one per member and component, and names some after peers ({@code follower_b2_match_index},
 * {@code b2_latency}); here each becomes {@code ratis_<component>_<name>} in snake case with the member, its group
 * and the peer as labels, so one name covers every follower and, later, every group of a node.
 *
 * <ul>
 *   <li>A Dropwizard gauge with a numeric value is a gauge; a counter or meter a counter ({@code _total}).</li>
 *   <li>A timer is a gauge {@code <name>_seconds} with {@code quantile} 0.5, 0.99 and 0.999 over Ratis's decaying
 *       sample (about the last five minutes, weighted to the last one) plus a counter {@code <name>_timed_total}
 *       of every timed event: Ratis keeps no sum, so there is no {@code _sum} to divide.</li>
 * </ul>
 *
 * <p>Ratis adds and removes metrics as members gain and lose leadership (the appenders' exist on a leader only):
 * {@link #sync} runs before every scrape, adds what is new and removes what Ratis dropped. The client and server
 * message registries (per-RPC-type counts with unparseable names) and Ratis's JVM metrics (Micrometer has its own)
 * are left out.
 */
public final class RatisMetricsBridge {
  static final double[] QUANTILES = {0.5, 0.99, 0.999};
  private static final Set<String> SKIPPED_COMPONENTS = Set.of("client_message_metrics", "server_message_metrics", "jvm");

  private final MeterRegistry registry;
  private final String member;
  private final Supplier<Collection<String>> peers;
  /** Ratis metric (registry key + name) → the meters made from it. */
  private final Map<String, List<Meter>> bridged = new HashMap<>();

  /**
   * @param member this node's Raft peer id: only Ratis registries of this member are bridged (tests may run several
   *     members in one JVM, and Ratis's registries are global)
   * @param peers the peer ids Ratis may name in a metric (the group's members), read at every sync
   */
  public RatisMetricsBridge(MeterRegistry registry, String member, Supplier<Collection<String>> peers) {
    this.registry = registry;
    this.member = member;
    this.peers = peers;
  }

  /** Brings the Micrometer registry in line with Ratis's metrics of this member now. */
  public synchronized void sync() {
    List<String> known = new ArrayList<>(peers.get());
    known.sort(Comparator.comparingInt(String::length).reversed()); // "node-10" before "node-1"
    Set<String> seen = new HashSet<>();
    for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
      MetricRegistryInfo info = r.getMetricRegistryInfo();
      if (SKIPPED_COMPONENTS.contains(info.getMetricsComponentName()) || !(r instanceof RatisMetricRegistryImpl impl)) {
        continue;
      }
      String prefix = info.getPrefix();
      String group = "";
      String owner = prefix;
      int at = prefix.indexOf('@');
      if (at >= 0) {
        owner = prefix.substring(0, at);
        group = prefix.substring(at + 1).replaceFirst("^group-", "");
      }
      if (!owner.equals(member)) continue;
      String base = snake(info.getApplicationName() + "_" + info.getMetricsComponentName());
      for (Map.Entry<String, Metric> m : impl.getDropWizardMetricRegistry().getMetrics().entrySet()) {
        String key = prefix + "|" + info.getApplicationName() + "|" + info.getMetricsComponentName() + "|" + m.getKey();
        seen.add(key);
        if (bridged.containsKey(key)) continue;
        // Ratis registers each name under "<application>.<component>.<prefix>."
        String qualifier = info.getApplicationName() + "." + info.getMetricsComponentName() + "." + prefix + ".";
        String raw = m.getKey().startsWith(qualifier) ? m.getKey().substring(qualifier.length()) : m.getKey();
        Named n = name(raw, known);
        Tags tags = Tags.of("member", owner, "group", group, "peer", n.peer());
        bridged.put(key, register(base + "_" + n.name(), tags, m.getValue(), info.getMetricsDescription()));
      }
    }
    bridged.entrySet().removeIf(e -> {
      if (seen.contains(e.getKey())) return false;
      e.getValue().forEach(registry::remove);
      return true;
    });
  }

  private List<Meter> register(String name, Tags tags, Metric metric, String description) {
    List<Meter> meters = new ArrayList<>();
    String help = description + " (Ratis)";
    try {
      if (metric instanceof Timer t) {
        for (double q : QUANTILES) {
          meters.add(Gauge.builder(name + "_seconds", t, x -> x.getSnapshot().getValue(q) / 1e9)
              .tags(tags).tag("quantile", Double.toString(q)).description(help).register(registry));
        }
        meters.add(FunctionCounter.builder(name + "_timed", t, Timer::getCount).tags(tags).description(help)
            .register(registry));
      } else if (metric instanceof org.apache.ratis.thirdparty.com.codahale.metrics.Gauge<?> g) {
        if (g.getValue() instanceof Number) {
          meters.add(Gauge.builder(name, g, RatisMetricsBridge::number).tags(tags).description(help).register(registry));
        }
      } else if (metric instanceof Counter || metric instanceof Counting && !(metric instanceof Sampling)) {
        Counting c = (Counting) metric;
        meters.add(FunctionCounter.builder(name.replaceFirst("_(total|count)$", ""), c, Counting::getCount).tags(tags)
            .description(help).register(registry));
      }
    } catch (RuntimeException e) {
      // a name that clashes with another meter's labels: leave this one out rather than fail the scrape
      meters.forEach(registry::remove);
      return List.of();
    }
    return meters;
  }

  private static double number(org.apache.ratis.thirdparty.com.codahale.metrics.Gauge<?> g) {
    return g.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  record Named(String name, String peer) {}

  /** A Ratis metric name without the peer id it may contain, in snake case, and that peer ("" if none). */
  static Named name(String raw, List<String> peersLongestFirst) {
    for (String p : peersLongestFirst) {
      String rest = null;
      if (raw.startsWith(p + "_")) {
        rest = raw.substring(p.length() + 1);
      } else if (raw.contains("_" + p + "_")) {
        rest = raw.replaceFirst(java.util.regex.Pattern.quote("_" + p + "_"), "_");
      } else if (raw.endsWith("_" + p)) {
        rest = raw.substring(0, raw.length() - p.length() - 1);
      }
      if (rest != null && !rest.isEmpty()) return new Named(snake(rest), p);
    }
    return new Named(snake(raw), "");
  }

  /** {@code appendEntryLatency} → {@code append_entry_latency}; anything but [a-z0-9_] becomes "_". */
  static String snake(String s) {
    String out = s.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
        .replaceAll("_+", "_");
    return out.replaceAll("^_|_$", "");
  }
}
