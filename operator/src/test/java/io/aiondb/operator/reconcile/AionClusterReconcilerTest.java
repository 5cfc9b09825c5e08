package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus.Phase;
import io.aiondb.operator.api.TlsSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.aiondb.operator.packaging.ApiCalls;
import io.aiondb.operator.packaging.Chart;
import io.aiondb.operator.packaging.Repo;
import io.aiondb.operator.packaging.Rule;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The operator running in Quarkus against the fabric8 CRUD mock API server, with {@link FakeEngine} for the engine.
 * Every request the mock receives is recorded, and {@link ApiCalls} checks the chart's RBAC allows each one.
 */
@QuarkusTest
@WithKubernetesTestServer
@WithTestResource(FakeEngine.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AionClusterReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "db";

  /** Requests with this user agent are the test's own, not the operator's. */
  private static final String TEST_AGENT = "aion-operator-test";

  @Inject
  KubernetesClient operatorClient;

  @KubernetesTestServer
  KubernetesServer mockServer;

  private KubernetesClient client;

  @BeforeEach
  void testClient() {
    client = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(operatorClient.getConfiguration()).withUserAgent(TEST_AGENT).build()).build();
  }

  @AfterEach
  void closeTestClient() {
    client.close();
  }

  private AionCluster create(AionCluster cluster) {
    cluster.getMetadata().setUid(null);
    cluster.getMetadata().setGeneration(null);
    return client.resource(cluster).create();
  }

  private AionCluster get(String name) {
    return client.resources(AionCluster.class).inNamespace(NS).withName(name).get();
  }

  private AionCluster awaitStatus(String name, Predicate<AionCluster> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      AionCluster c = get(name);
      return c != null && c.getStatus() != null && condition.test(c);
    });
    return get(name);
  }

  /** Changes the spec with a patch: the operator writes the status concurrently, so an update could conflict. */
  private void editSpec(String name, java.util.function.Consumer<io.aiondb.operator.api.AionClusterSpec> change) {
    io.aiondb.operator.api.AionClusterSpec spec = get(name).getSpec();
    change.accept(spec);
    String patch = "{\"spec\":" + io.fabric8.kubernetes.client.utils.Serialization.asJson(spec) + "}";
    client.resources(AionCluster.class).inNamespace(NS).withName(name)
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch);
  }

  private static Condition condition(AionCluster c, String type) {
    return Conditions.find(c.getStatus().getConditions(), type);
  }

  private List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private void markReady(String name, int ready) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName(name).get();
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(sts.getSpec().getReplicas()).withReadyReplicas(ready).build());
    client.apps().statefulSets().inNamespace(NS).resource(sts).updateStatus();
  }

  private static String members(String leader, String version, String... ids) {
    StringBuilder s = new StringBuilder("{\"groupId\":\"g\",\"leader\":" + (leader == null ? "null" : "\"" + leader + "\"")
        + ",\"term\":2,\"members\":[");
    for (int i = 0; i < ids.length; i++) {
      s.append(i == 0 ? "" : ",").append("{\"id\":\"").append(ids[i]).append("\",\"role\":\"")
          .append(ids[i].equals(leader) ? "LEADER" : "FOLLOWER").append("\",\"voting\":true,\"lag\":0,\"caughtUp\":true,")
          .append("\"version\":\"").append(version).append("\"}");
    }
    return s.append("]}").toString();
  }

  @Test
  void createsEveryObjectOwnedByTheClusterAndReportsEngineUnreachable() {
    AionCluster created = create(Clusters.cluster("alpha", 3, "0.1.0"));

    AionCluster c = awaitStatus("alpha", x -> x.getStatus().getPhase() == Phase.Creating
        && condition(x, Conditions.DEGRADED) != null && "True".equals(condition(x, Conditions.DEGRADED).getStatus()));
    assertThat(condition(c, Conditions.DEGRADED).getReason()).isEqualTo("EngineUnreachable");
    assertThat(condition(c, Conditions.DEGRADED).getMessage()).contains("answered 503", "retries with backoff");
    assertThat(c.getStatus().getObservedGeneration()).isEqualTo(c.getMetadata().getGeneration());

    List<HasMetadata> owned = List.of(
        client.configMaps().inNamespace(NS).withName("alpha-config").get(),
        client.services().inNamespace(NS).withName("alpha").get(),
        client.services().inNamespace(NS).withName("alpha-peers").get(),
        client.apps().statefulSets().inNamespace(NS).withName("alpha").get(),
        client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("alpha").get());
    for (HasMetadata o : owned) {
      assertThat(o).as("object of alpha").isNotNull();
      assertThat(o.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid()));
    }
    assertThat(events("alpha")).extracting(Event::getReason).contains("Created", "EngineUnreachable");
    assertThat(events("alpha")).filteredOn(e -> "Created".equals(e.getReason())).extracting(Event::getMessage)
        .contains("Created StatefulSet alpha.", "Created ConfigMap alpha-config.", "Created Service alpha-peers.");
  }

  @Test
  void becomesRunningWithLeaderAndMembersFromTheEngine() {
    create(Clusters.cluster("bravo", 3, "0.1.0"));
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("bravo").get() != null);
    FakeEngine.ANSWERS.put(NS + "/bravo", members("bravo-1", "0.1.0", "bravo-0", "bravo-1", "bravo-2"));
    markReady("bravo", 3);

    AionCluster c = awaitStatus("bravo", x -> x.getStatus().getPhase() == Phase.Running);
    assertThat(c.getStatus().getLeader()).isEqualTo("bravo-1");
    assertThat(c.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(c.getStatus().getCurrentVersion()).isEqualTo("0.1.0");
    assertThat(c.getStatus().getMembers()).extracting(m -> m.getName()).containsExactly("bravo-0", "bravo-1", "bravo-2");
    assertThat(condition(c, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(c, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(events("bravo")).extracting(Event::getReason).contains("PhaseRunning", "LeaderObserved"));

    // The engine goes away: Degraded with the reason, last known leader kept.
    FakeEngine.ANSWERS.remove(NS + "/bravo");
    c = awaitStatus("bravo", x -> x.getStatus().getPhase() == Phase.Degraded);
    assertThat(condition(c, Conditions.DEGRADED).getReason()).isEqualTo("EngineUnreachable");
    assertThat(c.getStatus().getLeader()).isEqualTo("bravo-1");
  }

  @Test
  void scalingLeavesTheRunningClusterUntouchedAndSaysWhy() {
    create(Clusters.cluster("charlie", 3, "0.1.0"));
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("charlie").get() != null);
    String configBefore = client.configMaps().inNamespace(NS).withName("charlie-config").get().getData().get("aion.properties");

    editSpec("charlie", spec -> spec.setReplicas(5));

    AionCluster c = awaitStatus("charlie", x -> condition(x, Conditions.PROGRESSING) != null
        && "ScalingNotSupported".equals(condition(x, Conditions.PROGRESSING).getReason()));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("from 3 to 5");
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("charlie").get().getSpec().getReplicas()).isEqualTo(3);
    assertThat(client.configMaps().inNamespace(NS).withName("charlie-config").get().getData().get("aion.properties"))
        .isEqualTo(configBefore);
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(events("charlie")).extracting(Event::getReason).contains("ScalingNotSupported"));
  }

  @Test
  void pausedChangesNothing() {
    AionCluster paused = Clusters.cluster("delta", 3, "0.1.0");
    paused.getSpec().setPaused(true);
    create(paused);
    AionCluster c = awaitStatus("delta", x -> x.getStatus().getPhase() == Phase.Paused);
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Paused");
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("delta").get()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("delta-config").get()).isNull();

    editSpec("delta", spec -> spec.setPaused(false));
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("delta").get() != null);
  }

  @Test
  void aSpecThatCannotBeHonouredCreatesNothingAndFails() {
    AionCluster tls = Clusters.cluster("echo", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Generated);
    create(tls);
    AionCluster c = awaitStatus("echo", x -> x.getStatus().getPhase() == Phase.Failed);
    assertThat(condition(c, Conditions.DEGRADED).getReason()).isEqualTo("TLSNotSupported");
    assertThat(client.apps().statefulSets().inNamespace(NS).withName("echo").get()).isNull();
  }

  @Test
  void singleMemberHasNoDisruptionBudget() {
    create(Clusters.cluster("foxtrot", 1, "0.1.0"));
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("foxtrot").get() != null);
    assertThat(client.resources(PodDisruptionBudget.class).inNamespace(NS).withName("foxtrot").get()).isNull();
  }

  @Test
  void engineConfigChangeUpdatesTheConfigMapAndTemplate() {
    create(Clusters.cluster("golf", 3, "0.1.0"));
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("golf").get() != null);
    String hashBefore = client.apps().statefulSets().inNamespace(NS).withName("golf").get()
        .getSpec().getTemplate().getMetadata().getAnnotations().get("aiondb.io/config-hash");
    editSpec("golf", spec -> spec.setConfig(List.of(new io.aiondb.operator.api.ConfigEntry("cache.size", "256MiB"))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace(NS).withName("golf-config").get().getData().get("aion.properties"))
        .contains("cache.size=256MiB"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.apps().statefulSets().inNamespace(NS).withName("golf").get()
        .getSpec().getTemplate().getMetadata().getAnnotations().get("aiondb.io/config-hash")).isNotEqualTo(hashBefore));
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("golf")).extracting(Event::getMessage)
        .contains("Updated ConfigMap golf-config.", "Updated StatefulSet golf."));
  }

  @Test
  void theDocumentedExampleBecomesAThreeMemberCluster() throws Exception {
    AionCluster example = client.resources(AionCluster.class)
        .load(Repo.root().resolve("docs/examples/aioncluster.yaml").toFile()).item();
    example.getMetadata().setName("example");
    example.getMetadata().setNamespace(NS);
    client.resource(example).create();
    await().atMost(WAIT).until(() -> client.apps().statefulSets().inNamespace(NS).withName("example").get() != null);
    StatefulSet sts = client.apps().statefulSets().inNamespace(NS).withName("example").get();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory"))
        .hasToString("1Gi");
    assertThat(client.configMaps().inNamespace(NS).withName("example-config").get().getData().get("aion.properties"))
        .contains("cache.size=128MiB", "history.keep-duration=7d", "example-2=example-2.example-peers.db.svc:7072");
    assertThat(awaitStatus("example", x -> x.getStatus().getPhase() == Phase.Creating).getStatus().getReplicas()).isNotNull();
  }

  /** Runs last: every request the operator sent in the tests above must be allowed by the chart's RBAC. */
  @Test
  @Order(Integer.MAX_VALUE)
  void chartRbacAllowsEveryApiCallTheOperatorMade() throws InterruptedException {
    Set<Rule> used = new TreeSet<>();
    List<String> unmapped = new ArrayList<>();
    RecordedRequest request;
    while ((request = mockServer.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      if (TEST_AGENT.equals(request.getHeader("User-Agent"))) {
        continue;
      }
      String line = request.getRequestLine();
      ApiCalls.toRule(request.getMethod(), request.getPath()).ifPresentOrElse(used::add, () -> unmapped.add(line));
    }
    // The operator's calls seen in these tests; a new kind of call must show up here (and in the chart).
    assertThat(Rule.sorted(used)).contains("create apps/statefulsets", "watch apps/statefulsets",
        "list aiondb.io/aionclusters", "watch aiondb.io/aionclusters", "patch aiondb.io/aionclusters/status",
        "create core/events", "create core/configmaps", "update core/configmaps", "get policy/poddisruptionbudgets");
    Set<Rule> granted = Chart.clusterRules();
    assertThat(used.stream().filter(r -> !r.allowedBy(granted)).map(Rule::toString).toList())
        .as("API calls the chart's ClusterRole does not allow (granted: %s; non-resource calls: %s)",
            Rule.sorted(granted), unmapped).isEmpty();
  }
}
