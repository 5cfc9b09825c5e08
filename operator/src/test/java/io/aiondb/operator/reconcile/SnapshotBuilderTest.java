package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.Clusters;
import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.aiondb.operator.api.RolloutState;
import io.aiondb.operator.engine.EngineClient.MemberState;
import io.aiondb.operator.engine.NodeView;
import io.aiondb.operator.model.StatefulSetBuilders;
import io.aiondb.operator.rollout.RolloutStatus;
import io.aiondb.operator.rollout.Snapshot;
import io.aiondb.operator.rollout.Snapshot.Membership;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SnapshotBuilder}: fabricated pods, StatefulSet and engine answers in, the roller's snapshot out. */
class SnapshotBuilderTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final String REPO = "example.org/aion-server";
  private final AionCluster cluster = Clusters.cluster("aion", 3, "0.1.0");

  private StatefulSet sts(int replicas, String update, long generation, long observed) {
    StatefulSet sts = StatefulSetBuilders.statefulSet(cluster, REPO);
    sts.getSpec().setReplicas(replicas);
    sts.getMetadata().setGeneration(generation);
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(replicas).withUpdateRevision(update)
        .withCurrentRevision("r1").withObservedGeneration(observed).build());
    return sts;
  }

  private static Pod pod(String name, String revision, boolean ready, Instant since, String image) {
    return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp("2026-12-06T10:00:00Z")
        .addToLabels("controller-revision-hash", revision).endMetadata()
        .withNewSpec().addNewContainer().withName("aion").withImage(image).endContainer().endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
        .withLastTransitionTime(since.toString()).endCondition().endStatus().build();
  }

  private static NodeView node(String id, String membership, boolean leads, long lag) {
    return new NodeView(id, id + ":7072", id + ":7070", membership, true, "0.1.0", lag < 1000, lag, leads ? 1 : 0,
        true, false, leads ? null : "removing it would leave 1 of 2", null, List.of());
  }

  @Test
  void everyFieldComesFromItsSource() {
    String image = REPO + ":0.1.0";
    Instant since = NOW.minus(Duration.ofMinutes(3));
    Pod crashing = new PodBuilder(pod("aion-2", "r1", false, since, image)).editStatus()
        .addNewContainerStatus().withName("aion").withNewState().withNewWaiting().withReason("CrashLoopBackOff")
        .withMessage("back-off 40s").endWaiting().endState().withNewLastState().withNewTerminated().withReason("Error")
        .withExitCode(2).endTerminated().endLastState().endContainerStatus().endStatus().build();
    Pod deleting = new PodBuilder(pod("aion-1", "r2", true, since, image)).editMetadata()
        .withDeletionTimestamp(NOW.toString()).endMetadata().build();
    var nodes = new NodeView.NodeList(List.of(), List.of(node("aion-0", "Voter", true, 0),
        node("aion-1", "Leaving", false, 5), node("aion-3", "Joining", false, 40_000)));
    cluster.getSpec().getUpdateStrategy().setPodReadyTimeout("90s");

    Snapshot s = SnapshotBuilder.build(cluster, sts(3, "r2", 4, 4),
        List.of(pod("aion-0", "r1", true, since, image), deleting, crashing, pod("other-0", "r1", true, since, image)),
        nodes, null, Map.of("aion-2", new MemberState("0.1.0", "empty-refused-voter", "lost"),
            "aion-1", new MemberState("0.1.0", "present", null)), NOW);

    assertThat(s.members()).as("up to the highest ordinal the engine lists").hasSize(4);
    Snapshot.Member m0 = s.members().get(0);
    assertThat(m0.pod()).isEqualTo(new Snapshot.Pod(true, since, "r1", false, null));
    assertThat(m0.node().membership()).isEqualTo(Membership.VOTER);
    assertThat(m0.node().leader()).isTrue();
    assertThat(m0.node().awaitingJoin()).isFalse();
    Snapshot.Member m1 = s.members().get(1);
    assertThat(m1.pod().deleting()).isTrue();
    assertThat(m1.pod().revision()).isEqualTo("r2");
    assertThat(m1.membership()).as("Leaving still votes").isEqualTo(Membership.VOTER);
    assertThat(m1.node().reason()).isEqualTo("removing it would leave 1 of 2");
    assertThat(m1.node().safeToRemove()).isFalse();
    Snapshot.Member m2 = s.members().get(2);
    assertThat(m2.pod().ready()).isFalse();
    assertThat(m2.pod().message()).isEqualTo("CrashLoopBackOff: back-off 40s; last exit: Error (exit code 2)");
    assertThat(m2.node()).as("not listed but waiting to be added").isNotNull();
    assertThat(m2.membership()).isEqualTo(Membership.ABSENT);
    assertThat(m2.awaitingJoin()).isTrue();
    Snapshot.Member m3 = s.members().get(3);
    assertThat(m3.pod()).isNull();
    assertThat(m3.membership()).isEqualTo(Membership.LEARNER);
    assertThat(m3.node().lag()).isEqualTo(40_000);
    assertThat(m3.node().caughtUp()).isFalse();
    assertThat(s.statefulSet()).isEqualTo(new Snapshot.StatefulSetView("r2", "r1", 3, 3, true));
    assertThat(s.desiredReplicas()).isEqualTo(3);
    assertThat(s.targetVersion()).as("no image change rolls").isNull();
    assertThat(s.engineError()).isNull();
    assertThat(s.podReadyTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.now()).isEqualTo(NOW);
    assertThat(s.rollout()).isNull();
  }

  @Test
  void staleControllerUnknownEngineAndVersionChange() {
    cluster.getSpec().setVersion("0.2.0");
    var unknown = new NodeView.NodeList(List.of(), List.of(node("aion-0", "Unknown", false, -1)));
    Snapshot s = SnapshotBuilder.build(cluster, sts(3, "r2", 5, 4),
        List.of(pod("aion-0", "r1", true, NOW, REPO + ":0.1.0")), unknown, null, Map.of(), NOW);
    assertThat(s.statefulSet().observed()).isFalse();
    assertThat(s.engineError()).contains("stale");
    assertThat(s.targetVersion()).as("a pod runs another image than the template").isEqualTo("0.2.0");

    Snapshot down = SnapshotBuilder.build(cluster, sts(3, "r2", 5, 5), List.of(), null, "connection refused",
        Map.of(), NOW);
    assertThat(down.engineError()).isEqualTo("connection refused");
    assertThat(down.members()).extracting(Snapshot.Member::node).containsOnlyNulls();

    StatefulSet fresh = sts(3, "r1", 1, 1);
    fresh.getStatus().setUpdateRevision(null);
    assertThat(SnapshotBuilder.build(cluster, fresh, List.of(), null, "x", Map.of(), NOW)).isNull();
  }

  @Test
  void statusRolloutRoundTrips() {
    var r = new RolloutStatus("r2", 5, "0.2.0", NOW.minusSeconds(60), 2, "aion-3", NOW.minusSeconds(5), "aion-3",
        "ImagePullBackOff");
    RolloutState state = SnapshotBuilder.state(r);
    assertThat(state.getStartedAt()).isEqualTo("2026-12-06T11:59:00Z");
    assertThat(SnapshotBuilder.rollout(state)).isEqualTo(r);
    AionClusterStatus status = new AionClusterStatus();
    status.setRollout(state);
    cluster.setStatus(status);
    Snapshot s = SnapshotBuilder.build(cluster, sts(3, "r2", 1, 1), List.of(), null, "down", Map.of(), NOW);
    assertThat(s.rollout()).isEqualTo(r);
    assertThat(SnapshotBuilder.state(null)).isNull();
  }

  /**
   * Found by RolloutIT: between the two steps of a promotion the member is in no configuration and says
   * empty-awaiting-join while the group already lists it; replacing it then removed a healthy new voter.
   */
  @Test
  void aListedMemberIsReplacedOnlyWhenItRefusesToVote() {
    NodeView listed = node("aion-3", "Voter", false, 0);
    assertThat(SnapshotBuilder.node(listed, new MemberState("0.1.0", "empty-awaiting-join", null)).awaitingJoin())
        .isFalse();
    assertThat(SnapshotBuilder.node(listed, new MemberState("0.1.0", "empty-refused-voter", null)).awaitingJoin())
        .isTrue();
    assertThat(SnapshotBuilder.node(null, new MemberState("0.1.0", "empty-awaiting-join", null)).awaitingJoin())
        .as("not listed: it waits to be added").isTrue();
    // removed earlier (scale-down with reclaimPolicy Retain) and back on its kept volume: it knows no leader, so it is
    // not Ready, yet it waits to be added like a joiner (NodesApiIT.aRemovedMemberRestartedWithItsOldData...)
    for (String state : List.of("present", "joined", "empty-refused-voter")) {
      assertThat(SnapshotBuilder.node(null, new MemberState("0.1.0", state, null)).awaitingJoin()).as(state).isTrue();
    }
    assertThat(SnapshotBuilder.node(null, new MemberState("0.1.0", "empty-awaiting-peers", null)))
        .as("Raft not started yet: nothing to add").isNull();
    assertThat(SnapshotBuilder.node(null, null)).as("did not answer").isNull();
  }

  @Test
  void ordinalsOfThisClusterOnly() {
    assertThat(SnapshotBuilder.ordinal("aion", "aion-12")).isEqualTo(12);
    assertThat(SnapshotBuilder.ordinal("aion", "aion-x")).isEqualTo(-1);
    assertThat(SnapshotBuilder.ordinal("aion", "aion-peers-0")).isEqualTo(-1);
    assertThat(SnapshotBuilder.ordinal("aion", "other-1")).isEqualTo(-1);
  }
}
