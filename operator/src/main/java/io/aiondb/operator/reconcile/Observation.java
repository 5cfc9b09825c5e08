package io.aiondb.operator.reconcile;

import io.aiondb.operator.engine.ClusterView;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/**
 * What one reconciliation saw: the StatefulSet (null if none), the engine's member list or why it could not be
 * read, and the blockers of the spec.
 */
public record Observation(StatefulSet statefulSet, ClusterView engine, String engineError, List<Blocker> blockers) {
  public Observation {
    blockers = List.copyOf(blockers);
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
