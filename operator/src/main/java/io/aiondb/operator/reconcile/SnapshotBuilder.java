package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.RolloutState;
import io.aiondb.operator.engine.EngineClient.MemberState;
import io.aiondb.operator.engine.NodeView;
import io.aiondb.operator.model.ClusterNames;
import io.aiondb.operator.rollout.RolloutStatus;
import io.aiondb.operator.rollout.Snapshot;
import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.Membership;
import io.aiondb.operator.rollout.Snapshot.Node;
import io.aiondb.operator.rollout.Snapshot.StatefulSetView;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The roller's {@link Snapshot} from what one reconciliation read: a pure function of the StatefulSet, the cluster's
 * pods, the engine's node list (or why it could not be read), the members' own {@code /v1/status} and the clock.
 *
 * <ul>
 *   <li>members: ordinals {@code 0..max(spec.replicas, StatefulSet replicas, highest pod or engine ordinal + 1) - 1};
 *   <li>a pod: Ready condition, its last transition ({@code readySince}; the pod's creation when it has none), its
 *       {@code controller-revision-hash}, whether it is terminating, and the last thing a container said (waiting or
 *       termination reason and message);
 *   <li>a node: the engine's {@code membership} ({@code Voter} and {@code Leaving} vote, {@code Joining} and
 *       {@code Learner} do not; {@code Unknown} means the answering node's view is stale, so the engine counts as
 *       not answering), {@code leads > 0} is the leader; a node the engine does not list is absent, unless its own
 *       {@code /v1/status} answers with Raft running, so that it waits to be added ({@code awaitingJoin}:
 *       {@code empty-awaiting-join}, {@code empty-refused-voter}, or {@code present}/{@code joined} for a member
 *       removed earlier that came back on its kept volume); a listed node is {@code awaitingJoin} only when it refuses to vote because it
 *       lost its data ({@code empty-refused-voter});
 *   <li>the StatefulSet is observed when {@code status.observedGeneration == metadata.generation};
 *   <li>the target version: {@code spec.version} while a pod runs another image than the template (a version
 *       change rolls); otherwise none, since only then must a restarted member report it (a spec.image build may
 *       report any version).
 * </ul>
 */
public final class SnapshotBuilder {
  public static final String REVISION_LABEL = "controller-revision-hash";

  private SnapshotBuilder() {}

  /**
   * @param nodes the engine's {@code GET /v1/cluster/nodes}, or null when it did not answer ({@code engineError})
   * @param states each member's own {@code /v1/status} by pod name, for the members asked
   * @return the snapshot, or null while the StatefulSet reports no update revision (just created)
   */
  public static Snapshot build(AionCluster cluster, StatefulSet sts, List<Pod> pods, NodeView.NodeList nodes,
      String engineError, Map<String, MemberState> states, Instant now) {
    Objects.requireNonNull(sts, "sts");
    if (sts.getStatus() == null || sts.getStatus().getUpdateRevision() == null) {
      return null;
    }
    ClusterNames names = ClusterNames.of(cluster);
    String name = cluster.getMetadata().getName();
    Map<Integer, Pod> byOrdinal = new HashMap<>();
    for (Pod p : pods) {
      int o = ordinal(name, p.getMetadata().getName());
      if (o >= 0) byOrdinal.put(o, p);
    }
    Map<Integer, NodeView> nodeByOrdinal = new HashMap<>();
    String error = engineError;
    if (nodes != null) {
      for (NodeView n : nodes.nodes()) {
        int o = ordinal(name, n.id());
        if (o >= 0) nodeByOrdinal.put(o, n);
        if ("Unknown".equals(n.membership()) && error == null) {
          error = "the engine's view of " + n.id() + " is stale (a group has no known leader)";
        }
      }
    } else if (error == null) {
      error = "the engine's node list was not read";
    }
    int desired = cluster.getSpec().replicasOrDefault();
    int stsReplicas = sts.getSpec().getReplicas() == null ? 0 : sts.getSpec().getReplicas();
    int count = Math.max(desired, stsReplicas);
    for (int o : byOrdinal.keySet()) count = Math.max(count, o + 1);
    for (int o : nodeByOrdinal.keySet()) count = Math.max(count, o + 1);

    List<Member> members = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String member = names.member(i);
      Snapshot.Pod pod = pod(byOrdinal.get(i), now);
      members.add(new Member(i, member, pod, node(nodeByOrdinal.get(i), states.get(member))));
    }
    String template = image(sts.getSpec().getTemplate().getSpec().getContainers());
    boolean imageRolling = cluster.getSpec().getImage() == null && pods.stream()
        .anyMatch(p -> template != null && !template.equals(image(p.getSpec().getContainers())));
    String targetVersion = imageRolling ? cluster.getSpec().getVersion() : null;
    Long generation = sts.getMetadata().getGeneration();
    boolean observed = generation != null && generation.equals(sts.getStatus().getObservedGeneration());
    var view = new StatefulSetView(sts.getStatus().getUpdateRevision(), sts.getStatus().getCurrentRevision(),
        stsReplicas, sts.getStatus().getReplicas() == null ? 0 : sts.getStatus().getReplicas(), observed);
    RolloutState recorded = cluster.getStatus() == null ? null : cluster.getStatus().getRollout();
    return new Snapshot(members, view, desired, targetVersion, error, now, cluster.getSpec().podReadyTimeout(),
        rollout(recorded), retry(cluster));
  }

  /**
   * Set by the user to lift a halt whose cause was fixed outside the spec: {@code kubectl annotate aioncluster NAME
   * aiondb.io/retry-rollout="$(date +%s)" --overwrite}. A halt records the value it saw; a new value lifts it.
   */
  public static final String RETRY_ANNOTATION = "aiondb.io/retry-rollout";

  /** The retry annotation's value, or null when absent. */
  static String retry(AionCluster cluster) {
    var a = cluster.getMetadata().getAnnotations();
    return a == null ? null : a.get(RETRY_ANNOTATION);
  }

  /** {@code name-N} → N; -1 for anything else. */
  static int ordinal(String cluster, String member) {
    if (member == null || !member.startsWith(cluster + "-")) return -1;
    String n = member.substring(cluster.length() + 1);
    if (n.isEmpty() || n.length() > 3 || !n.chars().allMatch(Character::isDigit)) return -1;
    return Integer.parseInt(n);
  }

  static Snapshot.Pod pod(Pod p, Instant now) {
    if (p == null) return null;
    PodCondition ready = p.getStatus() == null || p.getStatus().getConditions() == null ? null
        : p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    Instant since = ready != null && ready.getLastTransitionTime() != null ? Instant.parse(ready.getLastTransitionTime())
        : p.getMetadata().getCreationTimestamp() != null ? Instant.parse(p.getMetadata().getCreationTimestamp()) : now;
    String revision = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(REVISION_LABEL);
    return new Snapshot.Pod(ready != null && "True".equals(ready.getStatus()), since, revision,
        p.getMetadata().getDeletionTimestamp() != null, message(p));
  }

  /** The first container's waiting or termination reason and message (the current state, else the last one). */
  static String message(Pod p) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return null;
    for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
      var state = c.getState();
      if (state != null && state.getWaiting() != null && state.getWaiting().getReason() != null) {
        String said = said(state.getWaiting().getReason(), state.getWaiting().getMessage());
        var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
        return last == null ? said : said + "; last exit: " + said(last.getReason(), last.getMessage())
            + " (exit code " + last.getExitCode() + ")";
      }
      if (state != null && state.getTerminated() != null) {
        var t = state.getTerminated();
        return said(t.getReason(), t.getMessage()) + " (exit code " + t.getExitCode() + ")";
      }
    }
    return null;
  }

  private static String said(String reason, String message) {
    String r = reason == null ? "Terminated" : reason;
    return message == null || message.isBlank() ? r : r + ": " + message.strip();
  }

  static Node node(NodeView n, MemberState own) {
    if (n == null) {
      // Not in the group, and its process runs Raft: it waits to be added. Besides a joiner (empty-awaiting-join) that
      // is a member removed earlier and back on its kept volume (present, or joined): it knows no leader, so it is
      // never Ready before it is added, and its stale log is replaced as it catches up.
      boolean awaiting = own != null && own.dataState() != null && !"empty-awaiting-peers".equals(own.dataState());
      return awaiting ? new Node(Membership.ABSENT, true, false, -1, false, own.version(), true, true, null, true)
          : null;
    }
    Membership m = switch (n.membership() == null ? "" : n.membership()) {
      case "Joining", "Learner" -> Membership.LEARNER;
      default -> Membership.VOTER; // Voter, Leaving; Unknown makes the whole engine count as not answering
    };
    // Listed by the group: only a refusal to vote means lost data. A member being promoted is in no configuration
    // for a moment and says empty-awaiting-join then; that is not a reason to replace it.
    boolean awaiting = own != null && "empty-refused-voter".equals(own.dataState());
    long lag = n.lag() == null ? -1 : n.lag();
    return new Node(m, Boolean.TRUE.equals(n.reachable()), Boolean.TRUE.equals(n.caughtUp()), lag,
        n.leads() != null && n.leads() > 0, n.version(), Boolean.TRUE.equals(n.safeToRestart()),
        Boolean.TRUE.equals(n.safeToRemove()), n.reason(), awaiting);
  }

  private static String image(List<io.fabric8.kubernetes.api.model.Container> containers) {
    return containers == null || containers.isEmpty() ? null : containers.get(0).getImage();
  }

  /** {@code status.rollout} as the roller reads it; null when absent or unreadable (a new rollout then starts). */
  static RolloutStatus rollout(RolloutState r) {
    if (r == null || r.getTargetRevision() == null || r.getStartedAt() == null || r.getTargetReplicas() == null) {
      return null;
    }
    try {
      Instant since = r.getCurrentSince() == null ? null : Instant.parse(r.getCurrentSince());
      return new RolloutStatus(r.getTargetRevision(), r.getTargetReplicas(), r.getTargetVersion(),
          Instant.parse(r.getStartedAt()), r.getUpdatedMembers() == null ? 0 : r.getUpdatedMembers(),
          since == null ? null : r.getCurrentMember(), since, r.getHaltedMember(), r.getHaltMessage(),
          r.getHaltedMember() == null ? null : r.getHaltRetry());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The roller's record as {@code status.rollout}; null for none. */
  public static RolloutState state(RolloutStatus r) {
    if (r == null) return null;
    RolloutState s = new RolloutState();
    s.setTargetRevision(r.targetRevision());
    s.setTargetReplicas(r.targetReplicas());
    s.setTargetVersion(r.targetVersion());
    s.setStartedAt(r.startedAt().toString());
    s.setUpdatedMembers(r.updatedMembers());
    s.setCurrentMember(r.currentMember());
    s.setCurrentSince(r.currentSince() == null ? null : r.currentSince().toString());
    s.setHaltedMember(r.haltedMember());
    s.setHaltMessage(r.haltMessage());
    s.setHaltRetry(r.haltRetry());
    return s;
  }
}
