package io.aiondb.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.e2e.cluster.OperatorProcess;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

  /** Who recorded the AionCluster's Events: the operator's HOSTNAME, its pod name (aion-operator-local-N here). */
  private Set<String> reporters(String cluster) {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "AionCluster".equals(e.getInvolvedObject().getKind()) && cluster.equals(e.getInvolvedObject().getName()))
        .map(Event::getReportingInstance)
        .collect(Collectors.toSet());
  }

  /** Two operator replicas: one reconciles, the other waits; when the leader stops, the standby takes over. */
  @Test
  @Order(30)
  void aStandbyOperatorTakesOverWhenTheLeaderStops() throws Exception {
    assertThat(leaseHolder()).isEqualTo("aion-operator-local-0");
    OperatorProcess standby = local.devCluster().startOperatorReplica("aion-operator-local-1");

    // A cluster created while both replicas run: the leader makes it Running; the standby, checked on every poll
    // from creation until a few seconds after, never takes the lease nor reconciles it.
    GenericKubernetesResource beside = example();
    beside.getMetadata().setName("beside-standby");
    beside.getMetadata().setNamespace(NS);
    spec(beside).put("replicas", 1);
    Callable<Boolean> standbyActed = () -> !"aion-operator-local-0".equals(leaseHolder())
        || Files.readString(standby.log()).contains(NS + "/beside-standby")
        || reporters("beside-standby").contains("aion-operator-local-1");
    client().resource(beside).create();
    await("the leader makes it Running").atMost(READY_TIMEOUT).pollInterval(Duration.ofSeconds(1))
        .failFast("the standby took the lease or reconciled the cluster", standbyActed)
        .untilAsserted(() -> assertThat(status(aionCluster("beside-standby").get()))
            .containsEntry("phase", "Running").containsEntry("readyReplicas", 1));
    await("the standby stays passive").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .until(() -> !standbyActed.call());
    assertThat(reporters("beside-standby")).as("who recorded the cluster's events").containsExactly("aion-operator-local-0");
    aionCluster("beside-standby").delete();
    awaitGone("beside-standby");

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
    assertThat(reporters("after-failover")).containsExactly("aion-operator-local-1");
    aionCluster("after-failover").delete();
    awaitGone("after-failover");
  }
}
