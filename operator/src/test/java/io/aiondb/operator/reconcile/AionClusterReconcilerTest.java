package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterSpec;
import io.aiondb.operator.api.AionClusterStatus.Phase;
import io.aiondb.operator.api.ConfigEntry;
import io.aiondb.operator.api.PodOverrides;
import io.aiondb.operator.api.StorageSpec;
import io.aiondb.operator.api.TlsSpec;
import io.aiondb.operator.tls.Certificates;
import java.time.Instant;
import io.aiondb.operator.kube.ControlPlane;
import io.aiondb.operator.kube.ControlPlane.AuditEvent;
import io.aiondb.operator.kube.ControlPlaneResource;
import io.aiondb.operator.kube.InjectControlPlane;
import io.aiondb.operator.packaging.Chart;
import io.aiondb.operator.packaging.Repo;
import io.aiondb.operator.packaging.Rule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator running in Quarkus against a real kube-apiserver and etcd ({@link ControlPlaneResource}): the CRD the
 * build generated is installed, status is patched with server-side apply as in production, and the operator is
 * authenticated as the Helm chart's ServiceAccount, so the chart's RBAC is what authorizes it. {@link FakeEngine}
 * stands in for the engine's cluster API.
 *
 * <p>There is no controller-manager and no kubelet: no pods ever run, the StatefulSet's status stays empty unless a
 * test writes it (playing the StatefulSet controller), and nothing garbage-collects owned objects when their
 * AionCluster is deleted. The e2e tier (e2e/) runs the same operator with a controller-manager.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(FakeEngine.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AionClusterReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NS = "db";

  @InjectControlPlane
  ControlPlane controlPlane;

  /** The test's own client (cluster-admin); the operator uses the chart's ServiceAccount. */
  private KubernetesClient client;

  @BeforeEach
  void namespace() {
    client = controlPlane.admin();
    controlPlane.createNamespace(NS);
  }

  private AionCluster create(AionCluster cluster) {
    cluster.getMetadata().setUid(null);
    cluster.getMetadata().setGeneration(null);
    return client.resource(cluster).create();
  }

  private AionCluster get(String name) {
    return client.resources(AionCluster.class).inNamespace(NS).withName(name).get();
  }

  private StatefulSet statefulSet(String name) {
    return client.apps().statefulSets().inNamespace(NS).withName(name).get();
  }

  private StatefulSet awaitStatefulSet(String name) {
    await().atMost(WAIT).until(() -> statefulSet(name) != null);
    return statefulSet(name);
  }

  /** Waits until the operator has written a status (an unwritten one is empty, not null) that satisfies {@code condition}. */
  private AionCluster awaitStatus(String name, Predicate<AionCluster> condition) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      AionCluster c = get(name);
      return c != null && c.getStatus() != null && c.getStatus().getPhase() != null && condition.test(c);
    });
    return get(name);
  }

  /** Changes the spec with a merge patch: the operator writes the status concurrently, so an update could conflict. */
  private void editSpec(String name, Consumer<AionClusterSpec> change) {
    AionClusterSpec spec = get(name).getSpec();
    change.accept(spec);
    client.resources(AionCluster.class).inNamespace(NS).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + Serialization.asJson(spec) + "}");
  }

  private static Condition condition(AionCluster c, String type) {
    return Conditions.find(c.getStatus().getConditions(), type);
  }

  private static boolean is(AionCluster c, String type, String status, String reason) {
    Condition found = condition(c, type);
    return found != null && status.equals(found.getStatus()) && reason.equals(found.getReason());
  }

  private List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  /** What the StatefulSet controller and the kubelets would report once {@code ready} pods pass their probes. */
  private void markReady(String name, int ready) {
    client.apps().statefulSets().inNamespace(NS).withName(name).editStatus(sts -> {
      sts.setStatus(new StatefulSetStatusBuilder().withReplicas(sts.getSpec().getReplicas()).withReadyReplicas(ready)
          .withAvailableReplicas(ready).withCurrentReplicas(sts.getSpec().getReplicas())
          .withUpdateRevision("r1").withCurrentRevision("r1")
          .withObservedGeneration(sts.getMetadata().getGeneration()).build());
      return sts;
    });
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
  void createsEveryObjectWithItsFieldsAndWaitsForThePods() {
    AionCluster created = create(Clusters.cluster("alpha", 3, "0.1.0"));

    // No kubelet: no pod ever becomes ready, and the engine (FakeEngine without an answer) says 503.
    AionCluster c = awaitStatus("alpha", x -> x.getStatus().getPhase() == Phase.Creating
        && is(x, Conditions.READY, "False", "PodsNotReady") && is(x, Conditions.DEGRADED, "True", "EngineUnreachable"));
    assertThat(c.getStatus().getObservedGeneration()).isEqualTo(c.getMetadata().getGeneration());
    assertThat(condition(c, Conditions.READY).getMessage()).contains("0 of 3 members ready",
        "kubectl get pods -l app.kubernetes.io/name=aion-db,app.kubernetes.io/instance=alpha");
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("Waiting for 3 members");
    assertThat(condition(c, Conditions.DEGRADED).getMessage()).contains("answered 503", "retries with backoff");
    assertThat(c.getStatus().getReadyReplicas()).isZero();
    assertThat(c.getStatus().getSelector()).isEqualTo("app.kubernetes.io/name=aion-db,app.kubernetes.io/instance=alpha");
    // JOSDK wrote the status by server-side apply to the status subresource, as in production.
    assertThat(c.getMetadata().getManagedFields())
        .anySatisfy(f -> {
          assertThat(f.getOperation()).isEqualTo("Apply");
          assertThat(f.getSubresource()).isEqualTo("status");
        });

    StatefulSet sts = statefulSet("alpha");
    ConfigMap config = client.configMaps().inNamespace(NS).withName("alpha-config").get();
    Service clients = client.services().inNamespace(NS).withName("alpha").get();
    Service peers = client.services().inNamespace(NS).withName("alpha-peers").get();
    PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("alpha").get();
    for (HasMetadata o : List.of(sts, config, clients, peers, pdb)) {
      assertThat(o.getMetadata().getLabels()).as("%s labels", o.getKind())
          .containsEntry("app.kubernetes.io/managed-by", "aion-operator").containsEntry("app.kubernetes.io/instance", "alpha");
      assertThat(o.getMetadata().getOwnerReferences()).as("%s owner", o.getKind()).singleElement().satisfies(ref -> {
        assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(ref.getKind()).isEqualTo("AionCluster");
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
      });
    }

    StatefulSetSpec spec = sts.getSpec();
    assertThat(spec.getReplicas()).isEqualTo(3);
    assertThat(spec.getServiceName()).isEqualTo("alpha-peers");
    assertThat(spec.getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(spec.getUpdateStrategy().getType()).isEqualTo("OnDelete");
    // Kept by a 1.34 API server (StatefulSetAutoDeletePVC is GA): deleting the cluster keeps the volumes by default.
    assertThat(spec.getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(spec.getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    assertThat(spec.getSelector().getMatchLabels()).isEqualTo(Map.of(
        "app.kubernetes.io/name", "aion-db", "app.kubernetes.io/instance", "alpha"));
    assertThat(spec.getTemplate().getMetadata().getLabels()).containsAllEntriesOf(spec.getSelector().getMatchLabels());
    assertThat(spec.getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
      assertThat(claim.getMetadata().getName()).isEqualTo("data");
      assertThat(claim.getSpec().getResources().getRequests().get("storage")).hasToString("10Gi");
    });
    Container engine = spec.getTemplate().getSpec().getContainers().get(0);
    assertThat(engine.getImage()).isEqualTo("ghcr.io/aiondb/aion-server:0.1.0");
    assertThat(engine.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AION_NODE_ID");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    });
    assertThat(engine.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
    assertThat(engine.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(spec.getTemplate().getSpec().getSecurityContext().getFsGroup()).isEqualTo(1000L);
    assertThat(spec.getTemplate().getSpec().getAffinity().getPodAntiAffinity()
        .getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(2);

    assertThat(config.getData().get("aion.properties")).contains(
        "cluster.peers=alpha-0=alpha-0.alpha-peers.db.svc:7072,alpha-1=alpha-1.alpha-peers.db.svc:7072,"
            + "alpha-2=alpha-2.alpha-peers.db.svc:7072", "raft.port=7072", "http.port=7070");
    assertThat(peers.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(peers.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(peers.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
        .containsExactly(tuple("http", 7070), tuple("raft", 7072));
    assertThat(clients.getSpec().getClusterIP()).as("allocated by the API server").startsWith("10.0.0.");
    assertThat(clients.getSpec().getPorts()).singleElement().extracting(ServicePort::getPort).isEqualTo(7070);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(spec.getSelector().getMatchLabels());

    await().atMost(WAIT).untilAsserted(() -> assertThat(events("alpha")).extracting(Event::getMessage).contains(
        "Created ConfigMap alpha-config.", "Created Service alpha-peers.", "Created Service alpha.",
        "Created StatefulSet alpha.", "Created PodDisruptionBudget alpha."));
    assertThat(events("alpha")).extracting(Event::getReason).contains("PhaseCreating", "EngineUnreachable");
  }

  @Test
  void becomesRunningWhenThePodsAreReadyAndTheEngineNamesALeader() {
    create(Clusters.cluster("bravo", 3, "0.1.0"));
    awaitStatefulSet("bravo");
    FakeEngine.ANSWERS.put(NS + "/bravo", members("bravo-1", "0.1.0", "bravo-0", "bravo-1", "bravo-2"));
    markReady("bravo", 3);

    AionCluster c = awaitStatus("bravo", x -> x.getStatus().getPhase() == Phase.Running);
    assertThat(c.getStatus().getLeader()).isEqualTo("bravo-1");
    assertThat(c.getStatus().getReplicas()).isEqualTo(3);
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

  /**
   * kubectl scale aioncluster/charlie --replicas=5 on a running cluster: the StatefulSet grows one pod at a time;
   * each new pod starts as a joiner (not in cluster.initial-members), is added as a learner and promoted before the
   * next; cluster.peers grows without restarting anyone.
   */
  @Test
  void scalingUpAddsOneLearnerAtATimeAndPromotesIt() {
    FakeEngine.Group group = runningCluster("charlie", 3);
    StatefulSet before = statefulSet("charlie");
    String templateBefore = Serialization.asJson(before.getSpec().getTemplate());

    client.resources(AionCluster.class).inNamespace(NS).withName("charlie").scale(5);

    for (int ordinal = 3; ordinal < 5; ordinal++) {
      int pods = ordinal + 1;
      await().atMost(WAIT).until(() -> statefulSet("charlie").getSpec().getReplicas() == pods);
      String config = client.configMaps().inNamespace(NS).withName("charlie-config").get().getData()
          .get("aion.properties");
      assertThat(config).contains("charlie-4=charlie-4.charlie-peers.db.svc:7072",
          "cluster.initial-members=charlie-0,charlie-1,charlie-2\n");
      assertThat(Serialization.asJson(statefulSet("charlie").getSpec().getTemplate()))
          .as("scaling changes no pod template: nobody restarts").isEqualTo(templateBefore);
      String added = "charlie-" + ordinal;
      AionCluster during = awaitStatus("charlie", x -> x.getStatus().getRollout() != null
          && added.equals(x.getStatus().getRollout().getCurrentMember()) && x.getStatus().getPhase() == Phase.Scaling);
      assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("charlie").get().getSpec()
          .getMaxUnavailable().getIntVal()).as("a budget for the members that run, not for spec.replicas").isEqualTo(1);
      assertThat(during.getStatus().getPhase()).isEqualTo(Phase.Scaling);
      assertThat(during.getStatus().getRollout().getTargetReplicas()).isEqualTo(5);
      playController("charlie", "r1");
      String member = "charlie-" + ordinal;
      group.dataState.put(member, "empty-awaiting-join");
      runPod("charlie", ordinal, "r1", false, null);
      await().atMost(WAIT).until(() -> FakeEngine.CALLS.contains("add " + member));
      setReady("charlie", ordinal, true, null);
      await().atMost(WAIT).until(() -> FakeEngine.CALLS.contains("promote " + member));
    }
    AionCluster c = awaitStatus("charlie", x -> is(x, Conditions.PROGRESSING, "False", "UpToDate"));
    assertThat(c.getStatus().getRollout()).isNull();
    assertThat(c.getStatus().getMembers()).extracting(m -> m.getName() + " " + m.getMembership())
        .containsExactly("charlie-0 Voter", "charlie-1 Voter", "charlie-2 Voter", "charlie-3 Voter", "charlie-4 Voter");
    assertThat(FakeEngine.CALLS.stream().filter(x -> x.endsWith("charlie-3") || x.endsWith("charlie-4")).toList())
        .containsExactly("add charlie-3", "promote charlie-3", "add charlie-4", "promote charlie-4");
    assertThat(events("charlie")).extracting(Event::getReason).contains("ScaleStatefulSet", "AddLearner", "Promote");
  }

  /**
   * A spec.config change: the StatefulSet's update revision changes, and the operator deletes the pods one at a
   * time (this test plays the StatefulSet controller, recreating each on the new revision), followers first, the
   * leader last after its leadership was moved. Status says Upgrading with status.rollout until the end, then
   * UpToDate.
   */
  @Test
  void aConfigChangeRestartsOneMemberAtATimeTheLeaderLast() {
    FakeEngine.Group group = runningCluster("quebec", 3);
    String templateHash = statefulSet("quebec").getSpec().getTemplate().getMetadata().getAnnotations()
        .get("aiondb.io/config-hash");

    editSpec("quebec", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "64MiB"))));
    await().atMost(WAIT).until(() -> statefulSet("quebec").getMetadata().getGeneration() == 2);
    assertThat(statefulSet("quebec").getSpec().getTemplate().getMetadata().getAnnotations()
        .get("aiondb.io/config-hash")).isNotEqualTo(templateHash);
    playController("quebec", "r2");
    List<String> restarted = new java.util.ArrayList<>();
    List<String> leaderWhenRestarted = new java.util.ArrayList<>();
    for (int n = 0; n < 3; n++) {
      await().atMost(WAIT).until(() -> !missingPods("quebec", 3).isEmpty());
      List<String> missing = missingPods("quebec", 3);
      assertThat(missing).as("one member at a time").hasSize(1);
      String gone = missing.get(0);
      restarted.add(gone);
      leaderWhenRestarted.add(group.leader);
      AionCluster during = get("quebec");
      assertThat(during.getStatus().getRollout().getTargetRevision()).isEqualTo("r2");
      assertThat(during.getStatus().getRollout().getCurrentMember()).as("recorded before the pod was deleted")
          .isEqualTo(gone);
      assertThat(condition(during, Conditions.PROGRESSING).getReason()).isNotEqualTo("UpToDate");
      runPod("quebec", Integer.parseInt(gone.substring("quebec-".length())), "r2", true, null);
    }
    assertThat(restarted).containsExactly("quebec-2", "quebec-1", "quebec-0");
    assertThat(leaderWhenRestarted.get(2)).as("leadership moved off quebec-0 before its restart").isNotEqualTo("quebec-0");
    assertThat(FakeEngine.CALLS).contains("drain-leadership quebec-0");
    assertThat(leaderWhenRestarted.get(2)).as("the operator asked for the lowest updated voter (the fake engine alone"
        + " would choose quebec-2)").isEqualTo("quebec-1");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("quebec"))
        .filteredOn(e -> e.getReason().equals("DrainLeadership")).extracting(Event::getMessage)
        .containsExactly("Moved leadership off quebec-0 to quebec-1 before quebec-0 is restarted or removed."));
    AionCluster c = awaitStatus("quebec", x -> is(x, Conditions.PROGRESSING, "False", "UpToDate"));
    assertThat(c.getStatus().getPhase()).isEqualTo(Phase.Running);
    assertThat(c.getStatus().getRollout()).isNull();
    assertThat(c.getStatus().getUpdatedReplicas()).isEqualTo(3);
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("quebec"))
        .filteredOn(e -> e.getReason().equals("RestartPod")).extracting(Event::getMessage)
        .anySatisfy(m -> assertThat(m).contains("quebec-2", "r1 -> r2")).hasSize(3));
  }

  /**
   * A restarted member that does not become Ready within spec.updateStrategy.podReadyTimeout halts the rollout:
   * Degraded RolloutStalled with what the pod said; no other member is touched. Setting the spec back recovers.
   */
  @Test
  void aMemberThatStaysNotReadyHaltsTheRolloutAndSettingTheSpecBackRecovers() {
    Map<String, String> uids = new java.util.HashMap<>();
    AionCluster c = haltOnTheFirstRestart("november", "no.such-setting", "CrashLoopBackOff", uids);
    String uid0 = uids.get("november-0");
    String uid1 = uids.get("november-1");
    assertThat(condition(c, Conditions.DEGRADED).getMessage()).contains("november-2", "CrashLoopBackOff");
    assertThat(is(c, Conditions.PROGRESSING, "False", "RolloutStalled")).isTrue();
    assertThat(c.getStatus().getRollout().getHaltedMember()).isEqualTo("november-2");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("november"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RolloutStalled")));
    assertThat(pod("november-0").getMetadata().getUid()).as("nothing else touched").isEqualTo(uid0);
    assertThat(pod("november-1").getMetadata().getUid()).isEqualTo(uid1);

    editSpec("november", spec -> spec.setConfig(List.of()));
    await().atMost(WAIT).until(() -> statefulSet("november").getMetadata().getGeneration() == 3);
    playController("november", "r1");
    await().atMost(WAIT).until(() -> missingPods("november", 3).equals(List.of("november-2")));
    runPod("november", 2, "r1", true, null);
    c = awaitStatus("november", x -> is(x, Conditions.PROGRESSING, "False", "UpToDate"));
    assertThat(condition(c, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(c.getStatus().getRollout()).isNull();
    assertThat(pod("november-0").getMetadata().getUid()).isEqualTo(uid0);
  }

  /**
   * A halt whose cause is fixed outside the spec (here the stalled pod becomes Ready) stays halted — nothing else is
   * touched — until the user sets the aiondb.io/retry-rollout annotation to a new value; then the rollout goes on and
   * an Event says so. The operator needs no permission to edit the cluster: the halt records the value it saw.
   */
  @Test
  void aHaltFixedOutsideTheSpecIsLiftedByTheRetryAnnotation() {
    Map<String, String> uids = new java.util.HashMap<>();
    haltOnTheFirstRestart("papa", "cache.size", "ImagePullBackOff", uids);
    String uid1 = uids.get("papa-1");

    // fixed outside the spec: the pod becomes Ready, and the rollout stays halted
    setReady("papa", 2, true, null);
    // halted until asked, and nothing else touched meanwhile
    await("papa stays halted").during(Duration.ofSeconds(4)).atMost(WAIT).until(() ->
        is(get("papa"), Conditions.DEGRADED, "True", "RolloutStalled") && pod("papa-1") != null
            && uid1.equals(pod("papa-1").getMetadata().getUid()));

    AionCluster halted = get("papa");
    assertThat(halted.getStatus().getRollout().getHaltRetry()).isNull();
    client.resources(AionCluster.class).inNamespace(NS).withName("papa").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"annotations\":{\"aiondb.io/retry-rollout\":\"1\"}}}");
    await().atMost(WAIT).until(() -> !missingPods("papa", 3).isEmpty());
    assertThat(missingPods("papa", 3)).as("the rollout goes on with the next follower").containsExactly("papa-1");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("papa")).filteredOn(e -> e.getReason().equals("RolloutRetried"))
        .singleElement().satisfies(e -> assertThat(e.getMessage()).contains("papa-2", "aiondb.io/retry-rollout")));
    runPod("papa", 1, "r2", true, null);
    await().atMost(WAIT).until(() -> missingPods("papa", 3).equals(List.of("papa-0")));
    runPod("papa", 0, "r2", true, null);
    AionCluster c = awaitStatus("papa", x -> is(x, Conditions.PROGRESSING, "False", "UpToDate"));
    assertThat(condition(c, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(c.getStatus().getRollout()).isNull();
  }

  /**
   * A running 3-member cluster with podReadyTimeout 2s whose spec.config change ({@code setting}) restarts member 2,
   * which then stays not Ready ({@code waiting}) until the rollout halts. {@code uids} gets members 0 and 1's pod uids
   * from before the change.
   */
  private AionCluster haltOnTheFirstRestart(String name, String setting, String waiting, Map<String, String> uids) {
    AionCluster cluster = Clusters.cluster(name, 3, "0.1.0");
    cluster.getSpec().getUpdateStrategy().setPodReadyTimeout("2s");
    runningCluster(cluster);
    for (int i = 0; i < 2; i++) uids.put(name + "-" + i, pod(name + "-" + i).getMetadata().getUid());
    editSpec(name, spec -> spec.setConfig(List.of(new ConfigEntry(setting, "32MiB"))));
    await().atMost(WAIT).until(() -> statefulSet(name).getMetadata().getGeneration() == 2);
    playController(name, "r2");
    await().atMost(WAIT).until(() -> missingPods(name, 3).equals(List.of(name + "-2")));
    runPod(name, 2, "r2", false, waiting);
    return awaitStatus(name, x -> is(x, Conditions.DEGRADED, "True", "RolloutStalled"));
  }

  // ---------------------------------------------------------------- playing the StatefulSet controller and kubelet

  private FakeEngine.Group runningCluster(String name, int replicas) {
    return runningCluster(Clusters.cluster(name, replicas, "0.1.0"));
  }

  /** Creates the cluster, its pods on revision r1 (Ready) and a group of voters led by member 0; waits for UpToDate. */
  private FakeEngine.Group runningCluster(AionCluster cluster) {
    String name = cluster.getMetadata().getName();
    int replicas = cluster.getSpec().getReplicas();
    create(cluster);
    awaitStatefulSet(name);
    String[] ids = new String[replicas];
    for (int i = 0; i < replicas; i++) {
      ids[i] = name + "-" + i;
      runPod(name, i, "r1", true, null);
    }
    FakeEngine.Group group = FakeEngine.Group.of(name + "-0", ids);
    FakeEngine.GROUPS.put(NS + "/" + name, group);
    playController(name, "r1");
    awaitStatus(name, x -> x.getStatus().getPhase() == Phase.Running && is(x, Conditions.PROGRESSING, "False", "UpToDate"));
    return group;
  }

  private io.fabric8.kubernetes.api.model.Pod pod(String name) {
    return client.pods().inNamespace(NS).withName(name).get();
  }

  /** Pods 0..n-1 that do not exist (deleted and not yet recreated). */
  private List<String> missingPods(String name, int n) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (pod(name + "-" + i) == null) out.add(name + "-" + i);
    }
    return out;
  }

  /** What the StatefulSet controller reports after observing the current template: its update revision. */
  private void playController(String name, String updateRevision) {
    client.apps().statefulSets().inNamespace(NS).withName(name).editStatus(sts -> {
      sts.setStatus(new StatefulSetStatusBuilder().withReplicas(sts.getSpec().getReplicas())
          .withReadyReplicas(sts.getSpec().getReplicas()).withCurrentReplicas(sts.getSpec().getReplicas())
          .withUpdateRevision(updateRevision).withCurrentRevision("r1")
          .withObservedGeneration(sts.getMetadata().getGeneration()).build());
      return sts;
    });
  }

  /** A member's pod as the StatefulSet controller creates it on {@code revision}, and its status as a kubelet says. */
  private void runPod(String name, int ordinal, String revision, boolean ready, String waiting) {
    StatefulSet sts = statefulSet(name);
    var labels = new java.util.LinkedHashMap<>(sts.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("controller-revision-hash", revision);
    var container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    client.pods().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
        .withNewMetadata().withName(name + "-" + ordinal).withNamespace(NS).withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName(container.getName()).withImage(container.getImage()).endContainer()
        .endSpec().build()).create();
    setReady(name, ordinal, ready, waiting);
  }

  private void setReady(String name, int ordinal, boolean ready, String waiting) {
    client.pods().inNamespace(NS).withName(name + "-" + ordinal).editStatus(p -> {
      var status = new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
          .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
          .withLastTransitionTime(Instant.now().toString()).endCondition();
      if (waiting != null) {
        status.addNewContainerStatus().withName("aion").withImage("x").withImageID("").withReady(false)
            .withRestartCount(3).withNewState().withNewWaiting().withReason(waiting)
            .withMessage("back-off 10s restarting failed container").endWaiting().endState().endContainerStatus();
      }
      p.setStatus(status.build());
      return p;
    });
  }

  @Test
  void pausedChangesNothing() {
    AionCluster paused = Clusters.cluster("delta", 3, "0.1.0");
    paused.getSpec().setPaused(true);
    create(paused);
    AionCluster c = awaitStatus("delta", x -> x.getStatus().getPhase() == Phase.Paused);
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Paused");
    assertThat(statefulSet("delta")).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("delta-config").get()).isNull();

    editSpec("delta", spec -> spec.setPaused(false));
    awaitStatefulSet("delta");
  }

  @Test
  void aSpecThatCannotBeHonouredCreatesNothingAndFails() {
    AionCluster tls = Clusters.cluster("echo", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Secret);
    tls.getSpec().getTls().setSecretName("echo-certs");
    create(tls);
    AionCluster c = awaitStatus("echo", x -> x.getStatus().getPhase() == Phase.Failed);
    assertThat(condition(c, Conditions.DEGRADED).getReason()).isEqualTo("TLSSecretNotFound");
    assertThat(condition(c, Conditions.DEGRADED).getMessage()).contains("echo-certs", "tls.crt, tls.key and ca.crt");
    assertThat(statefulSet("echo")).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("echo-config").get()).isNull();

    // a certificate that does not name the members is refused with the names it lacks
    Instant now = Instant.now();
    var ca = Certificates.newCa("user CA", now);
    var wrong = Certificates.issue(ca, List.of("echo.db.svc"), now);
    client.resource(userSecret("echo-certs", wrong, ca)).create();
    c = awaitStatus("echo", x -> is(x, Conditions.DEGRADED, "True", "TLSSecretInvalid"));
    assertThat(condition(c, Conditions.DEGRADED).getMessage()).contains("echo-0.echo-peers.db.svc", "echo-2.echo-peers.db.svc")
        .doesNotContain("echo.db.svc,");
    assertThat(statefulSet("echo")).isNull();

    // fixed: the cluster is created, mounting the user's Secret
    var right = Certificates.issue(ca, List.of("echo.db.svc", "*.echo-peers.db.svc"), now);
    client.resource(userSecret("echo-certs", right, ca)).update();
    StatefulSet sts = awaitStatefulSet("echo");
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName()).isEqualTo("echo-certs"));
    assertThat(client.secrets().inNamespace(NS).withName("echo-ca").get()).as("nothing generated in Secret mode").isNull();
  }

  /**
   * spec.tls.mode Secret on a running cluster: scaling up while the user's certificate names only today's members is
   * refused with the names it lacks, and nothing changes (a new member could not be dialled over TLS); once the
   * certificate covers them, the scale-up proceeds.
   */
  @Test
  void scalingUpWithAUserCertificateThatDoesNotNameTheNewMembersIsRefused() {
    Instant now = Instant.now();
    var ca = Certificates.newCa("user CA", now);
    var three = Certificates.issue(ca, List.of("sierra.db.svc", "sierra-0.sierra-peers.db.svc", "sierra-1.sierra-peers.db.svc",
        "sierra-2.sierra-peers.db.svc"), now);
    client.resource(userSecret("sierra-certs", three, ca)).create();
    AionCluster tls = Clusters.cluster("sierra", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Secret);
    tls.getSpec().getTls().setSecretName("sierra-certs");
    create(tls); // no engine answers over TLS here: what is checked is that nothing moves
    awaitStatefulSet("sierra");
    assertThat(statefulSet("sierra").getSpec().getReplicas()).isEqualTo(3);

    client.resources(AionCluster.class).inNamespace(NS).withName("sierra").scale(5);
    AionCluster c = awaitStatus("sierra", x -> is(x, Conditions.PROGRESSING, "False", "TLSSecretInvalid"));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage())
        .contains("sierra-3.sierra-peers.db.svc", "sierra-4.sierra-peers.db.svc", "nothing was changed")
        .doesNotContain("sierra-2.sierra-peers");
    await("sierra is not scaled").during(Duration.ofSeconds(3)).atMost(WAIT)
        .until(() -> statefulSet("sierra").getSpec().getReplicas() == 3);
    assertThat(client.configMaps().inNamespace(NS).withName("sierra-config").get().getData().get("aion.properties"))
        .as("the peers list is not extended either").doesNotContain("sierra-3");

    var wildcard = Certificates.issue(ca, List.of("sierra.db.svc", "*.sierra-peers.db.svc"), now);
    client.resource(userSecret("sierra-certs", wildcard, ca)).update();
    await().atMost(WAIT).until(() -> !is(get("sierra"), Conditions.PROGRESSING, "False", "TLSSecretInvalid")
        && client.configMaps().inNamespace(NS).withName("sierra-config").get().getData().get("aion.properties")
            .contains("sierra-4=sierra-4.sierra-peers.db.svc:7072"));
  }

  private static io.fabric8.kubernetes.api.model.Secret userSecret(String name, Certificates.Pair leaf, Certificates.Pair ca) {
    return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withType("kubernetes.io/tls")
        .addToStringData("tls.crt", leaf.certPem()).addToStringData("tls.key", leaf.keyPem())
        .addToStringData("ca.crt", ca.certPem()).build();
  }

  @Test
  void generatedTlsCreatesACaAndTheMembersCertificateAndRenewsIt() throws Exception {
    AionCluster tls = Clusters.cluster("kilo", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Generated);
    create(tls);
    StatefulSet sts = awaitStatefulSet("kilo");
    var caSecret = client.secrets().inNamespace(NS).withName("kilo-ca").get();
    var members = client.secrets().inNamespace(NS).withName("kilo-tls").get();
    assertThat(caSecret).isNotNull();
    assertThat(members.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(members.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("kilo"));
    String caPem = decode(caSecret, "ca.crt");
    var cert = Certificates.parse(decode(members, "tls.crt"));
    assertThat(Certificates.signedBy(cert, Certificates.parse(caPem))).isTrue();
    assertThat(decode(members, "ca.crt")).isEqualTo(caPem);
    for (String host : io.aiondb.operator.model.TlsBuilders.requiredNames(get("kilo"))) {
      assertThat(Certificates.covers(Certificates.dnsNames(cert), host)).as(host).isTrue();
    }
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getScheme())
        .isEqualTo("HTTPS");
    assertThat(client.configMaps().inNamespace(NS).withName("kilo-config").get().getData().get("aion.properties"))
        .contains("tls.cert-file=/etc/aion/tls/tls.crt\n", "tls.ca-file=/etc/aion/tls/ca.crt\n",
            "tls.peer-identity=uri\n");
    // the Raft port accepts only the members: their certificate names aion://peer
    assertThat(Certificates.uris(cert)).containsExactly("aion://peer");
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("aiondb.io/peer-identity", "uri");

    // a certificate without the peer name (made by an operator before it) is reissued with it
    var caSecretNow = client.secrets().inNamespace(NS).withName("kilo-ca").get();
    var noPeer = Certificates.issue(new Certificates.Pair(decode(caSecretNow, "ca.crt"), decode(caSecretNow, "ca.key")),
        io.aiondb.operator.model.TlsBuilders.generatedNames(get("kilo")), Instant.now());
    client.secrets().inNamespace(NS).withName("kilo-tls").edit(x -> {
      x.getData().put("tls.crt", java.util.Base64.getEncoder().encodeToString(noPeer.certPem().getBytes()));
      x.getData().put("tls.key", java.util.Base64.getEncoder().encodeToString(noPeer.keyPem().getBytes()));
      return x;
    });
    editSpec("kilo", spec -> spec.setConfig(List.of(new io.aiondb.operator.api.ConfigEntry("cache.size", "9MiB"))));
    await().atMost(WAIT).until(() -> Certificates.uris(Certificates.parse(
        decode(client.secrets().inNamespace(NS).withName("kilo-tls").get(), "tls.crt"))).contains("aion://peer"));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(events("kilo")).anySatisfy(e -> assertThat(e.getMessage()).contains("it gets the peer name aion://peer")));

    // a certificate near its end is reissued from the same CA (members reload the Secret's files)
    expireSoon("kilo");
    editSpec("kilo", spec -> spec.setConfig(List.of(new io.aiondb.operator.api.ConfigEntry("cache.size", "8MiB"))));
    awaitRenewed("kilo");
    assertThat(decode(client.secrets().inNamespace(NS).withName("kilo-ca").get(), "ca.crt")).isEqualTo(caPem);
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(events("kilo")).anySatisfy(e -> assertThat(e.getMessage()).contains("renewal")));
  }

  /** Replaces the members' certificate by one from the same CA that expires in 20 days (renewal is due at 30). */
  private void expireSoon(String name) {
    var caSecret = client.secrets().inNamespace(NS).withName(name + "-ca").get();
    var nearEnd = Certificates.issue(new Certificates.Pair(decode(caSecret, "ca.crt"), decode(caSecret, "ca.key")),
        io.aiondb.operator.model.TlsBuilders.generatedNames(get(name)), List.of(io.aiondb.operator.model.TlsBuilders.PEER_URI),
        Instant.now().minus(Duration.ofDays(70)));
    client.secrets().inNamespace(NS).withName(name + "-tls").edit(s -> {
      s.getData().put("tls.crt", java.util.Base64.getEncoder().encodeToString(nearEnd.certPem().getBytes()));
      s.getData().put("tls.key", java.util.Base64.getEncoder().encodeToString(nearEnd.keyPem().getBytes()));
      return s;
    });
  }

  private void awaitRenewed(String name) {
    await().atMost(WAIT).until(() -> {
      var now = Certificates.parse(decode(client.secrets().inNamespace(NS).withName(name + "-tls").get(), "tls.crt"));
      return now.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(80)));
    });
  }

  /**
   * A paused cluster, or one whose change is refused, is left as it is, but its certificate is still renewed: a
   * refusal nobody fixes must not become an outage when the certificate expires.
   */
  @Test
  void theMembersCertificateIsRenewedWhilePausedOrWhileAChangeIsRefused() throws Exception {
    AionCluster tls = Clusters.cluster("lima", 3, "0.1.0");
    tls.getSpec().getTls().setMode(TlsSpec.Mode.Generated);
    create(tls);
    awaitStatefulSet("lima");
    await().atMost(WAIT).until(() -> client.secrets().inNamespace(NS).withName("lima-tls").get() != null);
    String caPem = decode(client.secrets().inNamespace(NS).withName("lima-ca").get(), "ca.crt");

    editSpec("lima", spec -> spec.setPaused(true));
    awaitStatus("lima", x -> x.getStatus().getPhase() == Phase.Paused);
    expireSoon("lima");
    awaitRenewed("lima");
    var renewed = Certificates.parse(decode(client.secrets().inNamespace(NS).withName("lima-tls").get(), "tls.crt"));
    assertThat(Certificates.signedBy(renewed, Certificates.parse(caPem))).isTrue();
    assertThat(Certificates.dnsNames(renewed)).containsExactlyInAnyOrderElementsOf(
        io.aiondb.operator.model.TlsBuilders.generatedNames(get("lima")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("lima")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("Certificates");
      assertThat(e.getMessage()).contains("renewal", "the cluster is paused");
    }));
    assertThat(get("lima").getStatus().getPhase()).isEqualTo(Phase.Paused);

    editSpec("lima", spec -> {
      spec.setPaused(false);
      spec.getStorage().setSize("512Mi"); // volumes only grow: refused
    });
    awaitStatus("lima", x -> is(x, Conditions.PROGRESSING, "False", ChangeGate.STORAGE_DECREASE_NOT_SUPPORTED));
    expireSoon("lima");
    awaitRenewed("lima");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("lima")).anySatisfy(e ->
        assertThat(e.getMessage()).contains("renewal", "a change is refused")));
    assertThat(statefulSet("lima").getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
        .get("storage")).as("the refused change itself is not made").hasToString("10Gi");
  }

  /**
   * The API server stores a StatefulSet's quantities canonically (1024Mi reads back as 1Gi): the same size in
   * another notation is not a change, so later edits go through.
   */
  @Test
  void aStorageSizeTheApiServerRewritesIsNotAChange() {
    AionCluster mebibytes = Clusters.cluster("mike", 3, "0.1.0");
    mebibytes.getSpec().getStorage().setSize("1024Mi");
    create(mebibytes);
    StatefulSet sts = awaitStatefulSet("mike");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
        .as("stored canonically").hasToString("1Gi");
    assertThat(get("mike").getSpec().getStorage().getSize()).isEqualTo("1024Mi");

    editSpec("mike", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "64MiB"))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace(NS).withName("mike-config").get().getData().get("aion.properties"))
        .contains("cache.size=64MiB"));
    AionCluster c = awaitStatus("mike", x -> Long.valueOf(2).equals(x.getStatus().getObservedGeneration()));
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
    assertThat(events("mike")).extracting(Event::getReason).doesNotContain(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED);
  }

  // --- volume growth: this test plays the StatefulSet controller (claims), the resize controller (claim status)
  // and the garbage collector (the orphan finalizer); none runs here.

  private void storageClass(String name, Boolean expandable) {
    if (client.storage().v1().storageClasses().withName(name).get() != null) return;
    client.resource(new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder().withNewMetadata().withName(name)
        .endMetadata().withProvisioner("example.org/" + name).withAllowVolumeExpansion(expandable).build()).create();
  }

  /** The claims the StatefulSet controller would create from the template, bound as the volume binder would. */
  private List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claimsAndPods(String name, StatefulSet sts) {
    var template = sts.getSpec().getVolumeClaimTemplates().get(0);
    if (client.serviceAccounts().inNamespace(NS).withName("default").get() == null) { // no controller-manager here
      client.resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata().withName("default")
          .withNamespace(NS).endMetadata().build()).create();
    }
    for (int i = 0; i < sts.getSpec().getReplicas(); i++) {
      String claim = "data-" + name + "-" + i;
      client.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata()
          .withName(claim).withNamespace(NS).withLabels(sts.getSpec().getSelector().getMatchLabels()).endMetadata()
          .withSpec(template.getSpec()).editSpec().withVolumeName("pv-" + claim).endSpec().build()).create();
      client.persistentVolumeClaims().inNamespace(NS).withName(claim).editStatus(c -> {
        c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
            .withAccessModes("ReadWriteOnce").addToCapacity("storage", template.getSpec().getResources()
                .getRequests().get("storage")).build());
        return c;
      });
      client.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(name + "-" + i)
          .withNamespace(NS).withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
          .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName(name)
          .withUid(sts.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
          .withNewSpec().addNewContainer().withName("aion").withImage("x").endContainer().endSpec().build()).create();
    }
    return claims(name);
  }

  private List<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claims(String name) {
    return client.persistentVolumeClaims().inNamespace(NS).list().getItems().stream()
        .filter(c -> c.getMetadata().getName().startsWith("data-" + name + "-"))
        .sorted(java.util.Comparator.comparing(c -> c.getMetadata().getName())).toList();
  }

  private static String requested(io.fabric8.kubernetes.api.model.PersistentVolumeClaim c) {
    return c.getSpec().getResources().getRequests().get("storage").toString();
  }

  private static String templateSize(StatefulSet sts) {
    return sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage").toString();
  }

  /** The resize controller's (and kubelet's) answer for one claim: its capacity and resize condition. */
  private void resized(String claim, String capacity, String condition) {
    client.persistentVolumeClaims().inNamespace(NS).withName(claim).editStatus(c -> {
      c.getStatus().setCapacity(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity(capacity)));
      c.getStatus().setConditions(condition == null ? List.of() : List.of(
          new io.fabric8.kubernetes.api.model.PersistentVolumeClaimConditionBuilder().withType(condition)
              .withStatus("True").build()));
      return c;
    });
  }

  /**
   * A larger spec.storage.size: the claims' requests are raised, the StatefulSet waits for the resize controller, then
   * is deleted with propagation Orphan (its pods are not touched) and created again with the new claim template.
   * Smaller again afterwards: refused.
   */
  @Test
  void aLargerStorageSizeGrowsTheClaimsAndRecreatesTheStatefulSetWithOrphanedPods() {
    storageClass("grow", true);
    AionCluster grow = Clusters.cluster("romeo", 3, "0.1.0");
    grow.getSpec().getStorage().setStorageClassName("grow");
    grow.getSpec().getStorage().setSize("1Gi");
    create(grow);
    StatefulSet before = awaitStatefulSet("romeo");
    claimsAndPods("romeo", before);
    Map<String, String> podUids = client.pods().inNamespace(NS).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith("romeo-"))
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    assertThat(podUids).hasSize(3);

    editSpec("romeo", spec -> spec.getStorage().setSize("2Gi"));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(claims("romeo")).extracting(AionClusterReconcilerTest::requested).containsExactly("2Gi", "2Gi", "2Gi"));
    AionCluster c = awaitStatus("romeo", x -> is(x, Conditions.PROGRESSING, "True", VolumeGrowth.EXPANDING)
        && condition(x, Conditions.PROGRESSING).getMessage().contains("waiting for the resize controller"));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("data-romeo-0 1Gi of 2Gi",
        "data-romeo-2 1Gi of 2Gi", "0 of 3 done");
    assertThat(statefulSet("romeo").getMetadata().getUid()).as("held while the claims resize")
        .isEqualTo(before.getMetadata().getUid());
    assertThat(statefulSet("romeo").getMetadata().getDeletionTimestamp()).isNull();

    resized("data-romeo-0", "2Gi", null);
    resized("data-romeo-1", "1Gi", "Resizing");
    resized("data-romeo-2", "1Gi", "FileSystemResizePending");
    awaitStatus("romeo", x -> condition(x, Conditions.PROGRESSING).getMessage()
        .contains("data-romeo-1 1Gi of 2Gi (Resizing)"));
    assertThat(statefulSet("romeo").getMetadata().getDeletionTimestamp()).as("not while one still resizes").isNull();

    resized("data-romeo-1", "2Gi", null);
    await().atMost(WAIT).until(() -> statefulSet("romeo").getMetadata().getDeletionTimestamp() != null);
    StatefulSet deleting = statefulSet("romeo");
    assertThat(deleting.getMetadata().getFinalizers()).as("propagationPolicy Orphan").containsExactly("orphan");
    assertThat(templateSize(deleting)).isEqualTo("1Gi");
    // the garbage collector's part: it orphans the pods, then removes the finalizer
    client.apps().statefulSets().inNamespace(NS).withName("romeo").edit(s -> {
      s.getMetadata().setFinalizers(List.of());
      return s;
    });

    await().atMost(WAIT).until(() -> {
      StatefulSet now = statefulSet("romeo");
      return now != null && !now.getMetadata().getUid().equals(before.getMetadata().getUid());
    });
    StatefulSet after = statefulSet("romeo");
    assertThat(templateSize(after)).isEqualTo("2Gi");
    assertThat(after.getSpec().getSelector()).isEqualTo(before.getSpec().getSelector());
    assertThat(client.pods().inNamespace(NS).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith("romeo-"))
        .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid())))
        .as("the pods were not touched").isEqualTo(podUids);
    c = awaitStatus("romeo", x -> condition(x, Conditions.PROGRESSING).getMessage()
        .contains("waiting for the file systems to grow"));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("data-romeo-2 1Gi of 2Gi (FileSystemResizePending)",
        "2 of 3 done");
    resized("data-romeo-2", "2Gi", null);
    c = awaitStatus("romeo", x -> !VolumeGrowth.EXPANDING.equals(condition(x, Conditions.PROGRESSING).getReason()));
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("romeo")).extracting(Event::getMessage).contains(
        "Raised the storage request of PersistentVolumeClaim data-romeo-1 to 2Gi.", "Created StatefulSet romeo.")
        .anySatisfy(m -> assertThat(m).startsWith("Deleted StatefulSet romeo with propagationPolicy Orphan")));

    // smaller: refused, nothing changes
    editSpec("romeo", spec -> spec.getStorage().setSize("1Gi"));
    c = awaitStatus("romeo", x -> is(x, Conditions.PROGRESSING, "False", ChangeGate.STORAGE_DECREASE_NOT_SUPPORTED));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("from 2Gi to 1Gi", "cannot shrink");
    assertThat(templateSize(statefulSet("romeo"))).isEqualTo("2Gi");
    assertThat(claims("romeo")).extracting(AionClusterReconcilerTest::requested).containsExactly("2Gi", "2Gi", "2Gi");
  }

  /** A class without allowVolumeExpansion: refused, naming the class; no claim and not the StatefulSet changes. */
  @Test
  void aLargerStorageSizeOnAClassWithoutExpansionIsRefusedNamingTheClass() {
    storageClass("fixed", null);
    AionCluster fixed = Clusters.cluster("oscar", 3, "0.1.0");
    fixed.getSpec().getStorage().setStorageClassName("fixed");
    fixed.getSpec().getStorage().setSize("1Gi");
    create(fixed);
    StatefulSet before = awaitStatefulSet("oscar");
    claimsAndPods("oscar", before);
    awaitStatus("oscar", x -> Long.valueOf(1).equals(x.getStatus().getObservedGeneration()));

    editSpec("oscar", spec -> spec.getStorage().setSize("2Gi"));
    AionCluster c = awaitStatus("oscar", x -> is(x, Conditions.PROGRESSING, "False", VolumeGrowth.NOT_EXPANDABLE));
    assertThat(condition(c, Conditions.PROGRESSING).getMessage()).contains("StorageClass fixed does not allow volume expansion",
        "Nothing was changed");
    assertThat(claims("oscar")).extracting(AionClusterReconcilerTest::requested).containsExactly("1Gi", "1Gi", "1Gi");
    StatefulSet after = statefulSet("oscar");
    assertThat(after.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(after.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(templateSize(after)).isEqualTo("1Gi");
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(events("oscar")).extracting(Event::getReason).contains(VolumeGrowth.NOT_EXPANDABLE));
  }

  /**
   * A reconcile that fails (here: a Service of the same name, not the operator's, whose clusterIP cannot become None)
   * leaves conditions that say so and a Warning Event, which repeats as one Event with a count; once the obstacle is
   * gone the cluster is reconciled again without anyone touching it.
   */
  @Test
  void aFailingReconcileBecomesAConditionAndOneCountedEvent() {
    client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("india-peers")
        .withNamespace(NS).endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
    create(Clusters.cluster("india", 3, "0.1.0"));

    AionCluster c = awaitStatus("india", x -> is(x, Conditions.DEGRADED, "True", StatusBuilder.RECONCILE_ERROR));
    assertThat(condition(c, Conditions.DEGRADED).getMessage())
        .contains("The last reconcile failed", "422", "india-peers", "may not change once set", "retries with backoff");
    assertThat(condition(c, Conditions.PROGRESSING)).satisfies(p -> {
      assertThat(p.getStatus()).isEqualTo("False");
      assertThat(p.getReason()).isEqualTo(StatusBuilder.RECONCILE_ERROR);
    });
    assertThat(c.getStatus().getPhase()).isEqualTo(Phase.Creating);
    assertThat(statefulSet("india")).as("the steps after the failing one did not run").isNull();

    // the operator keeps trying (with backoff): the same Warning is one Event whose count grows
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("india"))
        .filteredOn(e -> StatusBuilder.RECONCILE_ERROR.equals(e.getReason())).singleElement().satisfies(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getCount()).isGreaterThanOrEqualTo(3);
          assertThat(e.getMessage()).contains("india-peers");
          assertThat(Instant.parse(e.getLastTimestamp())).isAfter(Instant.parse(e.getFirstTimestamp()));
        }));

    client.services().inNamespace(NS).withName("india-peers").delete();
    awaitStatefulSet("india");
    c = awaitStatus("india", x -> is(x, Conditions.DEGRADED, "True", "EngineUnreachable"));
    assertThat(condition(c, Conditions.PROGRESSING).getReason()).isEqualTo("Creating");
    assertThat(client.services().inNamespace(NS).withName("india-peers").get().getSpec().getClusterIP()).isEqualTo("None");
  }

  private static String decode(io.fabric8.kubernetes.api.model.Secret s, String key) {
    return new String(java.util.Base64.getDecoder().decode(s.getData().get(key)));
  }

  @Test
  void singleMemberHasNoDisruptionBudget() {
    create(Clusters.cluster("foxtrot", 1, "0.1.0"));
    awaitStatus("foxtrot", x -> is(x, Conditions.READY, "False", "PodsNotReady"));
    assertThat(statefulSet("foxtrot").getSpec().getReplicas()).isEqualTo(1);
    assertThat(client.resources(PodDisruptionBudget.class).inNamespace(NS).withName("foxtrot").get()).isNull();
  }

  private String secretValue(String name, String key) {
    var secret = client.secrets().inNamespace(NS).withName(name).get();
    return secret == null || secret.getData() == null || secret.getData().get(key) == null ? null
        : new String(java.util.Base64.getDecoder().decode(secret.getData().get(key)), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aNewClusterRunsWithAuthItsSecretsMadeOnceAndTheOperatorSendsItsKey() {
    FakeEngine.GROUPS.put(NS + "/authnew", FakeEngine.Group.of("authnew-0", "authnew-0", "authnew-1", "authnew-2"));
    create(Clusters.cluster("authnew", 3, "0.1.0"));
    StatefulSet sts = awaitStatefulSet("authnew");
    await().atMost(WAIT).until(() -> secretValue("authnew-operator-key", "api-key") != null);
    String password = secretValue("authnew-root", "password");
    String key = secretValue("authnew-operator-key", "api-key");
    assertThat(secretValue("authnew-root", "username")).isEqualTo("root");
    assertThat(password).hasSize(32);
    assertThat(key).matches("aion_[0-9a-v]{12}_[A-Za-z0-9_-]{43}");
    assertThat(client.configMaps().inNamespace(NS).withName("authnew-config").get().getData().get("aion.properties"))
        .contains("auth.enabled=true\n", "auth.root-password-file=/etc/aion-auth/root/password\n",
            "auth.operator-key-file=/etc/aion-auth/operator/api-key\n");
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
        .contains("auth-root", "auth-operator");
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.network().v1().networkPolicies().inNamespace(NS)
        .withName("authnew").get()).as("the members' NetworkPolicy").isNotNull()
        .satisfies(np -> assertThat(np.getSpec().getIngress()).hasSize(2)));
    // every call the operator makes to this cluster's engine carries its key
    await().atMost(WAIT).untilAsserted(() -> assertThat(FakeEngine.AUTHORIZATION).hasEntrySatisfying(
        "/" + NS + "/authnew/v1/cluster/members", v -> assertThat(v).isEqualTo("Bearer " + key)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("authnew")).extracting(Event::getMessage).contains(
        "Created Secret authnew-root with the password of the user root.",
        "Created Secret authnew-operator-key with the operator's API key (service account aion-operator)."));

    // later reconciles never change them: the members registered both at their first start
    editSpec("authnew", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "64MiB"))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace(NS).withName("authnew-config").get().getData().get("aion.properties"))
        .contains("cache.size=64MiB"));
    assertThat(secretValue("authnew-root", "password")).isEqualTo(password);
    assertThat(secretValue("authnew-operator-key", "api-key")).isEqualTo(key);

    // a Secret of ours that lost its value stops the reconcile (the members could not start) and says why
    client.secrets().inNamespace(NS).withName("authnew-operator-key").edit(x -> {
      x.setData(Map.of("api-key", java.util.Base64.getEncoder().encodeToString("not-a-key".getBytes())));
      return x;
    });
    editSpec("authnew", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "128MiB"))));
    AionCluster c = awaitStatus("authnew", x -> is(x, Conditions.PROGRESSING, "False", AuthStep.AUTH_SECRET_INVALID)
        || is(x, Conditions.DEGRADED, "True", AuthStep.AUTH_SECRET_INVALID));
    Condition refused = is(c, Conditions.PROGRESSING, "False", AuthStep.AUTH_SECRET_INVALID)
        ? condition(c, Conditions.PROGRESSING) : condition(c, Conditions.DEGRADED);
    assertThat(refused.getMessage()).contains("authnew-operator-key", "is not an API key").doesNotContain("not-a-key");
    assertThat(client.configMaps().inNamespace(NS).withName("authnew-config").get().getData().get("aion.properties"))
        .as("nothing was changed").contains("cache.size=64MiB");
  }

  private String properties(String name) {
    return client.configMaps().inNamespace(NS).withName(name + "-config").get().getData().get("aion.properties");
  }

  private String encryptionAnnotation(String name) {
    var a = statefulSet(name).getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get("aiondb.io/encryption");
  }

  /** What the StatefulSet controller reports once every pod runs the current template and is ready. */
  private void markRolledOut(String name) {
    // the operator may update the StatefulSet between the read and the write (409 Conflict): read again and retry
    await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(() -> {
          client.apps().statefulSets().inNamespace(NS).withName(name).editStatus(sts -> {
            int n = sts.getSpec().getReplicas();
            sts.setStatus(new StatefulSetStatusBuilder().withReplicas(n).withReadyReplicas(n).withAvailableReplicas(n)
                .withUpdatedReplicas(n).withCurrentReplicas(n).withUpdateRevision("r2").withCurrentRevision("r1")
                .withObservedGeneration(sts.getMetadata().getGeneration()).build());
            return sts;
          });
          return true;
        });
  }

  @Test
  void encryptionSealsANewClusterAndARunningOneAfterARolloutThatOpensItsKeyMadeOnce() {
    AionCluster fresh = Clusters.cluster("encnew", 3, "0.1.0");
    fresh.getSpec().setEncryption(new io.aiondb.operator.api.EncryptionSpec(true));
    create(fresh);
    awaitStatefulSet("encnew");
    await().atMost(WAIT).until(() -> secretValue("encnew-encryption-key", "key") != null);
    String key = secretValue("encnew-encryption-key", "key");
    assertThat(key).matches("[0-9a-f]{64}");
    await().atMost(WAIT).untilAsserted(() -> assertThat(encryptionAnnotation("encnew")).isEqualTo("sealing"));
    assertThat(properties("encnew")).contains("encryption.key-file=/etc/aion-encryption/current/key\n")
        .doesNotContain("encryption.old-key-files");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("encnew")).extracting(Event::getMessage)
        .anyMatch(m -> m.startsWith("Created Secret encnew-encryption-key")));

    // a running cluster: first members that open, then, after that rollout, members that seal
    create(Clusters.cluster("encrun", 3, "0.1.0"));
    awaitStatefulSet("encrun");
    markRolledOut("encrun");
    assertThat(encryptionAnnotation("encrun")).isNull();
    editSpec("encrun", spec -> spec.setEncryption(new io.aiondb.operator.api.EncryptionSpec(true)));
    await().atMost(WAIT).untilAsserted(() -> assertThat(encryptionAnnotation("encrun")).isEqualTo("opening"));
    assertThat(properties("encrun")).contains("encryption.old-key-files=/etc/aion-encryption/current/key\n")
        .doesNotContain("encryption.key-file");
    editSpec("encrun", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "64MiB")))); // another reconcile
    await().atMost(WAIT).untilAsserted(() -> assertThat(properties("encrun")).contains("cache.size=64MiB"));
    assertThat(encryptionAnnotation("encrun")).as("the opening rollout has not completed").isEqualTo("opening");
    markRolledOut("encrun");
    editSpec("encrun", spec -> spec.setConfig(List.of(new ConfigEntry("cache.size", "65MiB"))));
    await().atMost(WAIT).untilAsserted(() -> assertThat(encryptionAnnotation("encrun")).isEqualTo("sealing"));
    assertThat(properties("encrun")).contains("encryption.key-file=/etc/aion-encryption/current/key\n");
    String runKey = secretValue("encrun-encryption-key", "key");
    // turning it off is not possible once sealing: the members keep their key, and a Warning says so
    client.resources(AionCluster.class).inNamespace(NS).withName("encrun")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"encryption\":null}}");
    assertThat(get("encrun").getSpec().getEncryption()).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("encrun")).extracting(Event::getReason)
        .contains("EncryptionStaysOn"));
    assertThat(encryptionAnnotation("encrun")).isEqualTo("sealing");
    assertThat(secretValue("encrun-encryption-key", "key")).as("made once, never changed").isEqualTo(runKey);

    // a key Secret of the user's that does not exist stops the reconcile and says why
    editSpec("encnew", spec -> {
      spec.getEncryption().setSecretName("no-such-kek");
      spec.setConfig(List.of(new ConfigEntry("cache.size", "48MiB")));
    });
    AionCluster c = awaitStatus("encnew", x -> is(x, Conditions.PROGRESSING, "False", EncryptionStep.ENCRYPTION_KEY_INVALID)
        || is(x, Conditions.DEGRADED, "True", EncryptionStep.ENCRYPTION_KEY_INVALID));
    Condition refused = is(c, Conditions.PROGRESSING, "False", EncryptionStep.ENCRYPTION_KEY_INVALID)
        ? condition(c, Conditions.PROGRESSING) : condition(c, Conditions.DEGRADED);
    assertThat(refused.getMessage()).contains("no-such-kek", "does not exist");
    assertThat(properties("encnew")).as("nothing was changed").doesNotContain("cache.size=48MiB");
  }

  @Test
  void aClusterMadeWithoutAuthAndTlsKeepsRunningWithoutThemWhenTheFieldsAreLeftOut() {
    AionCluster old = Clusters.cluster("authold", 3, "0.1.0");
    old.getSpec().setAuth(new io.aiondb.operator.api.AuthSpec(false));
    create(old);
    awaitStatefulSet("authold");
    awaitStatus("authold", x -> Long.valueOf(1).equals(x.getStatus().getObservedGeneration()));
    await().atMost(WAIT).until(() -> client.network().v1().networkPolicies().inNamespace(NS).withName("authold").get() != null);
    // what an object made by an operator without spec.auth looks like: the field absent
    client.resources(AionCluster.class).inNamespace(NS).withName("authold")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"auth\":null,\"tls\":{\"mode\":null},\"networkPolicy\":{\"enabled\":false},\"config\":[{\"name\":\"cache.size\",\"value\":\"32MiB\"}]}}");
    assertThat(get("authold").getSpec().getAuth()).isNull();
    assertThat(get("authold").getSpec().getTls().getMode()).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace(NS).withName("authold-config").get().getData().get("aion.properties"))
        .contains("cache.size=32MiB").doesNotContain("auth.enabled", "tls.cert-file"));
    assertThat(client.secrets().inNamespace(NS).withName("authold-ca").get()).as("TLS stays off too").isNull();
    assertThat(statefulSet("authold").getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
        .doesNotContain("auth-root", "auth-operator");
    assertThat(client.secrets().inNamespace(NS).withName("authold-root").get()).isNull();
    assertThat(client.secrets().inNamespace(NS).withName("authold-operator-key").get()).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.network().v1().networkPolicies().inNamespace(NS)
        .withName("authold").get()).as("spec.networkPolicy.enabled: false deletes it").isNull());
  }

  @Test
  void aSpecChangeUpdatesTheConfigMapAndTheStatefulSet() {
    create(Clusters.cluster("golf", 3, "0.1.0"));
    StatefulSet before = awaitStatefulSet("golf");
    awaitStatus("golf", x -> Long.valueOf(1).equals(x.getStatus().getObservedGeneration()));
    String hashBefore = before.getSpec().getTemplate().getMetadata().getAnnotations().get("aiondb.io/config-hash");
    String peersVersion = client.services().inNamespace(NS).withName("golf-peers").get().getMetadata().getResourceVersion();

    editSpec("golf", spec -> {
      spec.setConfig(List.of(new ConfigEntry("cache.size", "256MiB")));
      PodOverrides pod = new PodOverrides();
      pod.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal").withValue("db")
          .withEffect("NoSchedule").build()));
      pod.setNodeSelector(Map.of("disk", "ssd"));
      spec.setPod(pod);
    });

    await().atMost(WAIT).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace(NS).withName("golf-config").get().getData().get("aion.properties"))
        .contains("cache.size=256MiB"));
    await().atMost(WAIT).untilAsserted(() -> {
      StatefulSet sts = statefulSet("golf");
      assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations().get("aiondb.io/config-hash"))
          .isNotEqualTo(hashBefore);
      assertThat(sts.getSpec().getTemplate().getSpec().getTolerations()).singleElement()
          .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
      assertThat(sts.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("disk", "ssd");
      assertThat(sts.getMetadata().getGeneration()).isEqualTo(2L);
    });
    AionCluster c = awaitStatus("golf", x -> Long.valueOf(2).equals(x.getStatus().getObservedGeneration()));
    assertThat(condition(c, Conditions.PROGRESSING).getObservedGeneration()).isEqualTo(2L);
    assertThat(client.services().inNamespace(NS).withName("golf-peers").get().getMetadata().getResourceVersion())
        .as("unchanged objects are not written").isEqualTo(peersVersion);
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
    StatefulSet sts = awaitStatefulSet("example");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("memory"))
        .hasToString("1Gi");
    assertThat(client.configMaps().inNamespace(NS).withName("example-config").get().getData().get("aion.properties"))
        .contains("cache.size=128MiB", "history.keep-duration=7d", "example-2=example-2.example-peers.db.svc:7072");
    // secure by default: the example says nothing about TLS or auth, and gets both
    assertThat(example.getSpec().getTls() == null || example.getSpec().getTls().getMode() == null).isTrue();
    assertThat(example.getSpec().getAuth()).isNull();
    assertThat(client.configMaps().inNamespace(NS).withName("example-config").get().getData().get("aion.properties"))
        .contains("tls.cert-file=/etc/aion/tls/tls.crt", "auth.enabled=true");
    await().atMost(WAIT).untilAsserted(() -> {
      for (String secret : List.of("example-ca", "example-tls", "example-root", "example-operator-key")) {
        assertThat(client.secrets().inNamespace(NS).withName(secret).get()).as(secret).isNotNull();
      }
    });
    assertThat(sts.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getScheme())
        .isEqualTo("HTTPS");
    assertThat(get("example").getSpec().getTls() == null || get("example").getSpec().getTls().getMode() == null)
        .as("the default is decided, never written to the spec").isTrue();
    // no controller-manager: the StatefulSet reports no pods until a test plays its controller
    AionCluster c = awaitStatus("example", x -> x.getStatus().getPhase() == Phase.Creating);
    assertThat(c.getStatus().getReplicas()).isZero();
    assertThat(c.getStatus().getReadyReplicas()).isZero();
    markReady("example", 2);
    c = awaitStatus("example", x -> x.getStatus().getReadyReplicas() == 2);
    assertThat(c.getStatus().getReplicas()).as("the StatefulSet's pods").isEqualTo(3);
  }

  /**
   * The operator adds no finalizer and deletes nothing itself: every object it creates carries a controller owner
   * reference, so Kubernetes' garbage collector (kube-controller-manager, absent here) deletes them with the cluster,
   * and the StatefulSet's PVC retention policy, set from spec.storage.reclaimPolicy, decides about the volumes. Here
   * only the operator's part can be checked; e2e/ checks the collection itself.
   */
  @Test
  void deletionIsLeftToOwnerReferencesAndTheVolumeRetentionPolicy() {
    AionCluster doomed = Clusters.cluster("hotel", 3, "0.1.0");
    StorageSpec storage = new StorageSpec();
    storage.setReclaimPolicy(StorageSpec.ReclaimPolicy.Delete);
    doomed.getSpec().setStorage(storage);
    String uid = create(doomed).getMetadata().getUid();
    StatefulSet sts = awaitStatefulSet("hotel");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Delete");
    AionCluster c = awaitStatus("hotel", x -> is(x, Conditions.READY, "False", "PodsNotReady"));
    assertThat(c.getMetadata().getFinalizers()).as("no finalizer delays the deletion").isNullOrEmpty();

    client.resources(AionCluster.class).inNamespace(NS).withName("hotel").delete();
    await().atMost(WAIT).until(() -> get("hotel") == null);

    // What the garbage collector goes by: each object names the deleted cluster as its controller.
    for (HasMetadata o : List.<HasMetadata>of(statefulSet("hotel"),
        client.configMaps().inNamespace(NS).withName("hotel-config").get(),
        client.services().inNamespace(NS).withName("hotel").get(),
        client.services().inNamespace(NS).withName("hotel-peers").get(),
        client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("hotel").get())) {
      assertThat(o.getMetadata().getOwnerReferences()).as("%s owner", o.getKind()).singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid));
    }
  }

  /**
   * Runs last. The API server authorized every request of the operator with the chart's RBAC (the audit log records
   * them): none was refused, and the calls seen are the ones the chart grants.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void theChartsRbacAllowsEveryCallTheOperatorMade() {
    List<AuditEvent> calls = controlPlane.audit(controlPlane.operatorUser());
    assertThat(calls.stream().filter(c -> c.code() == 403).map(c -> c.permission() + " " + c.uri()).toList())
        .as("requests the API server refused (403) to %s", controlPlane.operatorUser()).isEmpty();
    Set<String> used = calls.stream().map(AuditEvent::permission).collect(Collectors.toCollection(TreeSet::new));
    // The operator's calls seen in these tests; a new kind of call must show up here (and in the chart).
    assertThat(used).contains("list aiondb.io/aionclusters", "watch aiondb.io/aionclusters",
        "patch aiondb.io/aionclusters/status", "list apps/statefulsets", "watch apps/statefulsets",
        "get apps/statefulsets", "create apps/statefulsets", "update apps/statefulsets", "list core/pods",
        "delete core/pods", "create core/configmaps",
        "update core/configmaps", "create core/services", "get policy/poddisruptionbudgets",
        "create policy/poddisruptionbudgets", "get core/events", "create core/events", "patch core/events",
        "list core/persistentvolumeclaims", "patch core/persistentvolumeclaims", "get storage.k8s.io/storageclasses",
        "delete apps/statefulsets");
    Set<Rule> granted = Chart.clusterRules();
    assertThat(used).allMatch(p -> granted.stream().anyMatch(r -> r.toString().equals(p)),
        "granted by the chart: " + Rule.sorted(granted));
    // Expected failures: 404 for lookups of objects not created yet (and writes racing a deletion); 409 when JOSDK's
    // status apply carries the resourceVersion the reconcile read and the object changed meanwhile (optimistic
    // locking: StatusBuilder derives the phase from the previous status, so JOSDK reconciles again with the new one;
    // the same for the backup kinds, whose steps are idempotent). The API server and its audit log are shared with
    // the backup controllers' tests.
    // 422: aFailingReconcileBecomesAConditionAndOneCountedEvent's Service in the way, on purpose.
    assertThat(calls.stream().filter(c -> c.code() >= 400 && c.code() != 404
            && !(c.code() == 409 && c.permission().startsWith("patch aiondb.io/") && c.permission().endsWith("/status"))
            && !(c.code() == 422 && c.uri().contains("/services/india-peers")))
        .map(c -> c.code() + " " + c.permission() + " " + c.uri()).toList())
        .as("requests of the operator that failed unexpectedly").isEmpty();
  }
}
