package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlane.AuditEvent;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's other RBAC variant: {@code watchNamespaces={team-a}} grants a Role in team-a and nothing cluster-wide,
 * and the operator (QUARKUS_OPERATOR_SDK_NAMESPACES, here its config key) watches only team-a. It reconciles a
 * cluster there without a single refused request, and leaves clusters in other namespaces alone. Runs on its own API
 * server (another test profile restarts Quarkus and its test resources).
 */
@QuarkusTest
@TestProfile(NamespacedOperatorTest.WatchTeamA.class)
@WithTestResource(FakeEngine.class)
class NamespacedOperatorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  public static class WatchTeamA implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.operator-sdk.namespaces", "team-a");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ControlPlaneResource.class,
          Map.of(ControlPlaneResource.WATCH_NAMESPACES, "team-a")));
    }
  }

  @InjectControlPlane
  ControlPlane controlPlane;

  @Test
  void reconcilesItsNamespaceWithTheChartsRoleAndNothingElse() {
    KubernetesClient client = controlPlane.admin();
    controlPlane.createNamespace("team-b");
    AionCluster mine = Clusters.cluster("india", 3, "0.1.0");
    mine.getMetadata().setNamespace("team-a");
    AionCluster theirs = Clusters.cluster("juliett", 3, "0.1.0");
    theirs.getMetadata().setNamespace("team-b");
    for (AionCluster c : List.of(mine, theirs)) {
      c.getMetadata().setUid(null);
      c.getMetadata().setGeneration(null);
      client.resource(c).create();
    }

    await().atMost(WAIT).until(() -> {
      AionCluster c = client.resources(AionCluster.class).inNamespace("team-a").withName("india").get();
      Condition ready = c.getStatus() == null ? null : Conditions.find(c.getStatus().getConditions(), Conditions.READY);
      return ready != null && "PodsNotReady".equals(ready.getReason());
    });
    assertThat(client.apps().statefulSets().inNamespace("team-a").withName("india").get()).isNotNull();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace("team-a").withName("india").get()).isNotNull();
    AionCluster unwatched = client.resources(AionCluster.class).inNamespace("team-b").withName("juliett").get();
    assertThat(unwatched.getStatus() == null ? null : unwatched.getStatus().getPhase()).as("not watched").isNull();
    assertThat(client.apps().statefulSets().inNamespace("team-b").withName("juliett").get()).isNull();

    List<AuditEvent> calls = controlPlane.audit(controlPlane.operatorUser());
    assertThat(calls).extracting(AuditEvent::permission).contains("watch aiondb.io/aionclusters",
        "patch aiondb.io/aionclusters/status", "create apps/statefulsets", "create core/events");
    assertThat(calls.stream().filter(c -> c.code() == 403).map(c -> c.permission() + " " + c.uri()).toList())
        .as("requests the API server refused (403)").isEmpty();
    assertThat(calls).as("every request stays in team-a").allSatisfy(c -> assertThat(c.namespace()).isEqualTo("team-a"));
  }
}
