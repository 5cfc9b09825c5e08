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
    // plain HTTP, as FakeEngine speaks: the tests of the TLS default set it back to null
    spec.getTls().setMode(io.aiondb.operator.api.TlsSpec.Mode.Disabled);
    cluster.setSpec(spec);
    return cluster;
  }
}
