package io.aiondb.operator.model;

import io.aiondb.operator.api.AionCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/** Keeps a quorum through voluntary disruptions (node drains). */
public final class DisruptionBudgetBuilder {
  private DisruptionBudgetBuilder() {}

  /** Members that may be down at once while a majority stays: (replicas - 1) / 2. */
  public static int maxUnavailable(int replicas) {
    return (replicas - 1) / 2;
  }

  /**
   * The budget, or {@code null} (must not exist) for a single member: one member has no quorum to protect, and a
   * budget allowing 0 disruptions would block every node drain forever.
   */
  public static PodDisruptionBudget podDisruptionBudget(AionCluster cluster) {
    return podDisruptionBudget(cluster, cluster.getSpec().replicasOrDefault());
  }

  /**
   * The budget for {@code replicas} members: while scaling, the smaller of spec.replicas and the pods (a budget for
   * five while three run would let a drain take two of three).
   */
  public static PodDisruptionBudget podDisruptionBudget(AionCluster cluster, int replicas) {
    if (replicas < 3) {
      return null;
    }
    return new PodDisruptionBudgetBuilder()
        .withMetadata(Owners.metadata(cluster, ClusterNames.of(cluster).podDisruptionBudget()))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(maxUnavailable(replicas)))
        .withNewSelector().withMatchLabels(Labels.selector(cluster)).endSelector()
        .endSpec()
        .build();
  }
}
