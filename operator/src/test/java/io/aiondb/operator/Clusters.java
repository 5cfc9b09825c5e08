package io.aiondb.operator;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Test fixtures. */
public final class Clusters {
  private Clusters() {}

  public static AionCluster cluster(String name, int replicas, String version) {
    AionCluster cluster = new AionCluster();
    cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("db").withUid("uid-" + name)
        .withGeneration(1L).build());
    AionClusterSpec spec = new AionClusterSpec();
    spec.setReplicas(replicas);
    spec.setVersion(version);
    cluster.setSpec(spec);
    return cluster;
  }
}
