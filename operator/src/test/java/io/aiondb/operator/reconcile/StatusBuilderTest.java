package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.aiondb.operator.api.AionClusterStatus.Phase;
import io.aiondb.operator.engine.ClusterView;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:01:00Z");
  private final AionCluster cluster = Clusters.cluster("aion", 3, "0.1.0");

  private StatefulSet sts(int ready) {
    StatefulSet sts = StatefulSetBuilders.statefulSet(cluster, "repo");
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(ready).build());
    return sts;
  }

  private static ClusterView view(String leader) {
    return new ClusterView("g", leader, 3L, List.of(
        new ClusterView.Member("aion-0", "LEADER", true, 0L, true, "0.1.0"),
        new ClusterView.Member("aion-1", "FOLLOWER", true, 1L, true, "0.1.0"),
        new ClusterView.Member("aion-2", "FOLLOWER", true, 0L, false, "0.1.0")));
  }

  private static Condition cond(AionClusterStatus s, String type) {
    return Conditions.find(s.getConditions(), type);
  }

  @Test
  void creatingWhileEngineUnreachableIsDegradedWithTheReason() {
    AionClusterStatus s = StatusBuilder.build(cluster,
        new Observation(sts(1), null, "GET http://x/v1/cluster/members: connection refused", List.of()), T0);
    assertThat(s.getPhase()).isEqualTo(Phase.Creating);
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
    assertThat(s.getReadyReplicas()).isEqualTo(1);
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Ready").getReason()).isEqualTo("PodsNotReady");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("EngineUnreachable");
    assertThat(cond(s, "Degraded").getMessage()).contains("connection refused", "retries with backoff");
  }

  @Test
  void runningFillsLeaderMembersAndVersion() {
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(s.getLeader()).isEqualTo("aion-0");
    assertThat(s.getCurrentVersion()).isEqualTo("0.1.0");
    assertThat(s.getMembers()).extracting(m -> m.getName() + "/" + m.getRole() + "/" + m.getCaughtUp())
        .containsExactly("aion-0/LEADER/true", "aion-1/FOLLOWER/true", "aion-2/FOLLOWER/false");
    assertThat(s.getSelector()).isEqualTo("app.kubernetes.io/name=aion-db,app.kubernetes.io/instance=aion");
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("False");
  }

  @Test
  void afterRunningALostEngineIsDegradedAndKeepsLastKnownMembers() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), null, "timed out", List.of()), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(s.getLeader()).isEqualTo("aion-0");
    assertThat(s.getMembers()).hasSize(3);
    assertThat(cond(s, "Degraded").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(cond(s, "Ready").getReason()).isEqualTo("EngineUnreachable");
  }

  @Test
  void noLeaderIsNotReady() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view(null), null, List.of()), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(cond(s, "Ready").getReason()).isEqualTo("NoLeader");
  }

  @Test
  void lastTransitionTimeIsKeptWhileStatusHolds() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T1);
    assertThat(cond(s, "Ready").getLastTransitionTime()).isEqualTo(T0.toString());
  }

  @Test
  void blockedChangeOnRunningClusterKeepsRunningAndSaysWhy() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    Blocker blocker = new Blocker(ChangeGate.SCALING_NOT_SUPPORTED, "spec.replicas changed from 3 to 5 ...");
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of(blocker)), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(cond(s, "Progressing").getReason()).isEqualTo(ChangeGate.SCALING_NOT_SUPPORTED);
    assertThat(cond(s, "Progressing").getMessage()).contains("from 3 to 5");
  }

  @Test
  void blockedNewClusterFails() {
    Blocker blocker = new Blocker(CertificateStep.TLS_SECRET_NOT_FOUND, "Secret certs (spec.tls.secretName) does not exist");
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(null, null, "no members exist yet", List.of(blocker)), T0);
    assertThat(s.getPhase()).isEqualTo(Phase.Failed);
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo(CertificateStep.TLS_SECRET_NOT_FOUND);
    assertThat(cond(s, "Degraded").getMessage()).contains("Nothing was created", "Secret certs");
    assertThat(cond(s, "Progressing").getReason()).isEqualTo(CertificateStep.TLS_SECRET_NOT_FOUND);
  }

  @Test
  void aFailedReconcileSaysSoAndKeepsWhatWasSeen() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    AionClusterStatus s = StatusBuilder.failed(cluster, "the API server answered 422 (Invalid): no.", T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(s.getLeader()).isEqualTo("aion-0");
    assertThat(s.getReadyReplicas()).isEqualTo(3);
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
    for (String type : List.of("Degraded", "Progressing")) {
      assertThat(cond(s, type).getReason()).as(type).isEqualTo(StatusBuilder.RECONCILE_ERROR);
      assertThat(cond(s, type).getMessage()).as(type).contains("The last reconcile failed", "422 (Invalid): no.", "retries");
    }
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(cond(s, "Ready")).as("not observed, kept").isEqualTo(cond(cluster.getStatus(), "Ready"));

    // the next reconcile that works replaces both
    cluster.setStatus(s);
    AionClusterStatus fixed = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T1);
    assertThat(cond(fixed, "Degraded").getReason()).isEqualTo("AsExpected");
    assertThat(cond(fixed, "Progressing").getReason()).isEqualTo("UpToDate");
  }

  @Test
  void aFirstReconcileThatFailsStartsCreating() {
    AionClusterStatus s = StatusBuilder.failed(cluster, "boom", T0);
    assertThat(s.getPhase()).isEqualTo(Phase.Creating);
    assertThat(cond(s, "Degraded").getReason()).isEqualTo(StatusBuilder.RECONCILE_ERROR);
  }

  @Test
  void pausedSaysSo() {
    cluster.getSpec().setPaused(true);
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0);
    assertThat(s.getPhase()).isEqualTo(Phase.Paused);
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("Paused");
  }

  @Test
  void mixedVersionsKeepThePreviousCurrentVersion() {
    ClusterView mixed = new ClusterView("g", "aion-0", 1L, List.of(
        new ClusterView.Member("aion-0", "LEADER", true, 0L, true, "0.2.0"),
        new ClusterView.Member("aion-1", "FOLLOWER", true, 0L, true, "0.1.0")));
    assertThat(StatusBuilder.commonVersion(mixed, "0.1.0")).isEqualTo("0.1.0");
    assertThat(StatusBuilder.commonVersion(view("aion-0"), null)).isEqualTo("0.1.0");
  }
}
