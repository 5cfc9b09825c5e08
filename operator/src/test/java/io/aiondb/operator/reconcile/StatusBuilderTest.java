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

  /** A snapshot of three members, aion-2 on the update revision r2, aion-0 and aion-1 still on r1. */
  private static io.aiondb.operator.rollout.Snapshot rolling() {
    var members = new java.util.ArrayList<io.aiondb.operator.rollout.Snapshot.Member>();
    for (int i = 0; i < 3; i++) {
      var pod = new io.aiondb.operator.rollout.Snapshot.Pod(true, T0, i == 2 ? "r2" : "r1", false, null);
      var node = new io.aiondb.operator.rollout.Snapshot.Node(io.aiondb.operator.rollout.Snapshot.Membership.VOTER,
          true, true, 0, i == 0, "0.1.0", true, true, null, false);
      members.add(new io.aiondb.operator.rollout.Snapshot.Member(i, "aion-" + i, pod, node));
    }
    return new io.aiondb.operator.rollout.Snapshot(members,
        new io.aiondb.operator.rollout.Snapshot.StatefulSetView("r2", "r1", 3, 3, true), 3, null, null, T1,
        java.time.Duration.ofMinutes(10), null);
  }

  /** Found by RolloutIT: after the last restart, while the members settle, the phase flipped to Scaling. */
  @Test
  void thePhaseSaysWhatKindOfChangeRuns() {
    var snap = rolling();
    assertThat(StatusBuilder.kind(snap, Phase.Running)).isEqualTo(Phase.Upgrading);
    var settled = new io.aiondb.operator.rollout.Snapshot(snap.members(),
        new io.aiondb.operator.rollout.Snapshot.StatefulSetView("r1", "r1", 3, 3, true), 3, null, null, T1,
        java.time.Duration.ofMinutes(10), null);
    assertThat(StatusBuilder.kind(settled, Phase.Upgrading)).as("r1 everywhere but aion-2").isEqualTo(Phase.Upgrading);
    var allUpdated = new io.aiondb.operator.rollout.Snapshot(snap.members().stream()
        .map(m -> new io.aiondb.operator.rollout.Snapshot.Member(m.ordinal(), m.name(),
            new io.aiondb.operator.rollout.Snapshot.Pod(true, T0, "r2", false, null), m.node())).toList(),
        snap.statefulSet(), 3, null, null, T1, java.time.Duration.ofMinutes(10), null);
    assertThat(StatusBuilder.kind(allUpdated, Phase.Upgrading)).as("settling after the roll").isEqualTo(Phase.Upgrading);
    var five = new java.util.ArrayList<>(allUpdated.members());
    five.add(new io.aiondb.operator.rollout.Snapshot.Member(3, "aion-3", null, null));
    five.add(new io.aiondb.operator.rollout.Snapshot.Member(4, "aion-4", null, null));
    var growing = new io.aiondb.operator.rollout.Snapshot(five, allUpdated.statefulSet(), 5, null,
        null, T1, java.time.Duration.ofMinutes(10), null);
    assertThat(StatusBuilder.kind(growing, Phase.Running)).isEqualTo(Phase.Scaling);
    var unobserved = new io.aiondb.operator.rollout.Snapshot(five,
        new io.aiondb.operator.rollout.Snapshot.StatefulSetView("r2", "r1", 4, 3, false), 5, null, null, T1,
        java.time.Duration.ofMinutes(10), null);
    assertThat(StatusBuilder.kind(unobserved, Phase.Scaling)).isEqualTo(Phase.Scaling);
    assertThat(StatusBuilder.kind(unobserved, Phase.Running)).isEqualTo(Phase.Upgrading);
  }

  @Test
  void aRolloutIsUpgradingWithTheRollersReasonAndRecord() {
    cluster.setStatus(StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of()), T0));
    var snap = rolling();
    var wait = new io.aiondb.operator.rollout.Action.Wait("MemberNotCaughtUp",
        "waiting for aion-1 to catch up: 12,400 entries behind", java.time.Duration.ofSeconds(5));
    var record = new io.aiondb.operator.rollout.RolloutStatus("r2", 3, null, T0, 1, "aion-2", T0, null, null);
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(2), view("aion-0"), null, List.of(),
        new RolloutStep.Outcome(snap, wait, record, null)), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Upgrading);
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("MemberNotCaughtUp");
    assertThat(cond(s, "Progressing").getMessage()).isEqualTo("Waiting for aion-1 to catch up: 12,400 entries behind.");
    assertThat(cond(s, "Degraded").getStatus()).as("a pod down for its restart is expected").isEqualTo("False");
    assertThat(s.getUpdatedReplicas()).isEqualTo(1);
    assertThat(s.getRollout().getCurrentMember()).isEqualTo("aion-2");
    assertThat(s.getMembers()).extracting(m -> m.getMembership()).containsExactly("Voter", "Voter", "Voter");

    var halt = new io.aiondb.operator.rollout.Action.Halt("RolloutStalled", "aion-2", "CrashLoopBackOff: back-off");
    var halted = new io.aiondb.operator.rollout.RolloutStatus("r2", 3, null, T0, 1, "aion-2", T0, "aion-2", "x");
    // every pod Ready (the stalled member may be Ready-flapping): the halt alone makes the cluster Degraded
    s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of(),
        new RolloutStep.Outcome(snap, halt, halted, null)), T1);
    assertThat(cond(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(cond(s, "Degraded").getReason()).isEqualTo("RolloutStalled");
    assertThat(cond(s, "Degraded").getMessage()).contains("aion-2", "CrashLoopBackOff: back-off", "set the spec back");
    assertThat(cond(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(s.getRollout().getHaltedMember()).isEqualTo("aion-2");

    s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of(),
        new RolloutStep.Outcome(snap, new io.aiondb.operator.rollout.Action.Done(), null, null)), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(cond(s, "Progressing").getReason()).isEqualTo("UpToDate");
    assertThat(s.getRollout()).isNull();
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
    Blocker blocker = new Blocker(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED, "spec.storage.size changed from 3Gi to 5Gi ...");
    AionClusterStatus s = StatusBuilder.build(cluster, new Observation(sts(3), view("aion-0"), null, List.of(blocker)), T1);
    assertThat(s.getPhase()).isEqualTo(Phase.Running);
    assertThat(cond(s, "Progressing").getReason()).isEqualTo(ChangeGate.STORAGE_CHANGE_NOT_SUPPORTED);
    assertThat(cond(s, "Progressing").getMessage()).contains("from 3Gi to 5Gi");
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
