package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.e2e.cluster.OperatorProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The scenarios on the local control plane with the process kubelet: runs in CI (bin/test). */
class LocalControlPlaneIT extends AionClusterScenarios {
  private LocalClusterFixture local;

  @Override
  protected ClusterFixture start() throws Exception {
    local = LocalClusterFixture.start("local");
    return local;
  }

  private String leaseHolder() {
    Lease lease = client().leases().inNamespace("aion-system").withName("aion-operator-leader").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** Two operator replicas: one reconciles, the other waits; when the leader stops, the standby takes over. */
  @Test
  @Order(30)
  void aStandbyOperatorTakesOverWhenTheLeaderStops() throws Exception {
    assertThat(leaseHolder()).isEqualTo("aion-operator-local-0");
    OperatorProcess standby = local.devCluster().startOperatorReplica("aion-operator-local-1");
    // checked continuously while the standby runs (not slept through): it never takes the lease nor reconciles
    await("the first replica keeps the lease").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> "aion-operator-local-0".equals(leaseHolder()) && !Files.readString(standby.log()).contains(NS + "/"));

    local.devCluster().operator().close(); // SIGTERM, as a rollout or a drained node would
    await("the standby holds the lease").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> "aion-operator-local-1".equals(leaseHolder()));

    GenericKubernetesResource one = example();
    one.getMetadata().setName("after-failover");
    one.getMetadata().setNamespace(NS);
    spec(one).put("replicas", 1);
    client().resource(one).create();
    awaitRunning("after-failover", 1);
    assertThat(Files.readString(standby.log())).contains(NS + "/after-failover");
    aionCluster("after-failover").delete();
    awaitGone("after-failover");
  }
}
