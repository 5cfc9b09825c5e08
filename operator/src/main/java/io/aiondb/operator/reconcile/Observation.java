package io.aiondb.operator.reconcile;

import io.aiondb.operator.engine.ClusterView;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/**
 * What one reconciliation saw: the StatefulSet (null if none), the engine's member list or why it could not be
 * read, the blockers of the spec, and what the rollout step decided (null when it did not run).
 */
public record Observation(StatefulSet statefulSet, ClusterView engine, String engineError, List<Blocker> blockers,
    RolloutStep.Outcome rollout) {
  public Observation {
    blockers = List.copyOf(blockers);
  }

  /** Without a rollout step (paused, refused, or nothing to roll yet). */
  public Observation(StatefulSet statefulSet, ClusterView engine, String engineError, List<Blocker> blockers) {
    this(statefulSet, engine, engineError, blockers, null);
  }

  /** The same observation with what the rollout step decided. */
  public Observation with(RolloutStep.Outcome rollout) {
    return new Observation(statefulSet, engine, engineError, blockers, rollout);
  }

  public int readyReplicas() {
    if (statefulSet == null || statefulSet.getStatus() == null || statefulSet.getStatus().getReadyReplicas() == null) {
      return 0;
    }
    return statefulSet.getStatus().getReadyReplicas();
  }

  public int replicas() {
    if (statefulSet == null || statefulSet.getStatus() == null || statefulSet.getStatus().getReplicas() == null) {
      return 0;
    }
    return statefulSet.getStatus().getReplicas();
  }

  /** Members the StatefulSet is meant to run (its spec, which may differ from a blocked spec.replicas). */
  public int targetReplicas(int fallback) {
    if (statefulSet == null || statefulSet.getSpec() == null || statefulSet.getSpec().getReplicas() == null) {
      return fallback;
    }
    return statefulSet.getSpec().getReplicas();
  }
}
