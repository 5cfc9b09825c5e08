package io.aiondb.operator.metrics;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the operator last reported of each AionCluster, as gauges on /q/metrics (docs/metrics.md "Operator"), in the
 * manner of kube-state-metrics: its phase, each status condition with its reason (a blocked change is Degraded or
 * Progressing with the blocker's reason), and the rollout's progress in members. Updated at the end of every
 * reconcile; a cluster that is gone from the operator's cache leaves the series at the next reconcile of any cluster.
 * JOSDK's own reconcile counters and timers (operator_sdk_*) sit beside these.
 */
@ApplicationScoped
public class ClusterMetrics {
  private final MultiGauge phase;
  private final MultiGauge conditions;
  private final MultiGauge members;
  private final MeterRegistry registry;
  private final java.util.concurrent.ConcurrentHashMap<String, io.micrometer.core.instrument.Timer> steps =
      new java.util.concurrent.ConcurrentHashMap<>();
  /** Reconcile step latency buckets: an apply of an unchanged object (ms) to a rollout step that waits on a member (s). */
  static final java.time.Duration[] STEP_BUCKETS = java.util.stream.LongStream.of(1, 5, 10, 25, 50, 100, 250, 500,
      1000, 2500, 5000, 10000, 30000).mapToObj(java.time.Duration::ofMillis).toArray(java.time.Duration[]::new);
  /** "namespace/name" → the status last reported. */
  private final Map<String, Reported> reported = new TreeMap<>();

  private record Reported(String namespace, String name, int desired, AionClusterStatus status) {}

  @Inject
  public ClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
    phase = MultiGauge.builder("aion.operator.cluster.phase")
        .description("1 for the phase status.phase reports (Creating, Running, Upgrading, Scaling, Degraded, Failed, "
            + "Paused)").register(registry);
    conditions = MultiGauge.builder("aion.operator.cluster.condition")
        .description("1 for each condition in the cluster's status, labelled with its type, status and reason")
        .register(registry);
    members = MultiGauge.builder("aion.operator.cluster.members")
        .description("Members spec.replicas asks for (desired), ready, and running the current spec (updated): a rollout's progress")
        .register(registry);
  }

  /**
   * Runs one named step of an AionCluster reconcile and times it: {@code aion_operator_reconcile_step_seconds{step,
   * outcome="ok"|"error"}} (a histogram; an error is a step that threw, which ends the reconcile).
   */
  public <T> T step(String step, java.util.function.Supplier<T> body) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = body.get();
      outcome = "ok";
      return result;
    } finally {
      long took = System.nanoTime() - start;
      steps.computeIfAbsent(step + "/" + outcome, k -> io.micrometer.core.instrument.Timer.builder("aion.operator.reconcile.step")
              .description("Time of each step of an AionCluster reconcile, by step and outcome (error: it threw)")
              .tags("step", step, "outcome", k.substring(k.indexOf('/') + 1)).serviceLevelObjectives(STEP_BUCKETS)
              .register(registry))
          .record(took, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** As {@link #step(String, java.util.function.Supplier)} for a step that returns nothing. */
  public void step(String step, Runnable body) {
    step(step, () -> {
      body.run();
      return null;
    });
  }

  /** Records what {@code status} says of {@code cluster}; {@code existing} are the clusters the operator still has. */
  public synchronized void record(AionCluster cluster, AionClusterStatus status, Collection<AionCluster> existing) {
    String ns = cluster.getMetadata().getNamespace();
    String name = cluster.getMetadata().getName();
    Integer desired = cluster.getSpec() == null ? null : cluster.getSpec().getReplicas();
    reported.put(ns + "/" + name, new Reported(ns, name, zero(desired), status));
    Set<String> alive = new java.util.HashSet<>();
    for (AionCluster c : existing) alive.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
    alive.add(ns + "/" + name);
    reported.keySet().retainAll(alive);
    publish();
  }

  private void publish() {
    List<MultiGauge.Row<?>> phases = new ArrayList<>();
    List<MultiGauge.Row<?>> conds = new ArrayList<>();
    List<MultiGauge.Row<?>> counts = new ArrayList<>();
    for (Reported r : reported.values()) {
      Tags cluster = Tags.of("namespace", r.namespace(), "cluster", r.name());
      AionClusterStatus s = r.status();
      if (s.getPhase() != null) phases.add(MultiGauge.Row.of(cluster.and("phase", s.getPhase().name()), 1));
      for (Condition c : s.getConditions()) {
        conds.add(MultiGauge.Row.of(cluster.and("type", c.getType(), "status", String.valueOf(c.getStatus()),
            "reason", c.getReason() == null ? "" : c.getReason()), 1));
      }
      counts.add(MultiGauge.Row.of(cluster.and("state", "desired"), r.desired()));
      counts.add(MultiGauge.Row.of(cluster.and("state", "ready"), zero(s.getReadyReplicas())));
      counts.add(MultiGauge.Row.of(cluster.and("state", "updated"), zero(s.getUpdatedReplicas())));
    }
    phase.register(phases, true);
    conditions.register(conds, true);
    members.register(counts, true);
  }

  private static int zero(Integer n) {
    return n == null ? 0 : n;
  }
}
