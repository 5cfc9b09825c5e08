package io.aiondb.operator.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the {@link Roller} may look at, observed in one reconciliation: the pods, the engine's view of each
 * node, the StatefulSet, the spec's targets, the clock and the rollout recorded in the resource's status. Built by
 * the reconciler; nothing here is remembered between reconciliations except {@link #rollout()}, which comes from the
 * status.
 *
 * @param members one entry per ordinal from 0 to {@code max(desiredReplicas, statefulSet.specReplicas, highest
 *     ordinal the engine lists + 1) - 1}, in ordinal order, including members that have no pod yet
 * @param statefulSet the StatefulSet's revisions and replica counts
 * @param desiredReplicas {@code spec.replicas}
 * @param targetVersion {@code spec.version}; null when the spec names no version (then no version is checked)
 * @param engineError why the engine's node list could not be read, or null when it answered
 * @param now the reconciliation's clock reading
 * @param podReadyTimeout {@code spec.updateStrategy.podReadyTimeout}
 * @param rollout {@code status.rollout}, or null when there is none; a halted one whose {@code haltRetry} differs
 *     from {@code retry} is taken as lifted ({@link RolloutStatus#retried})
 * @param retry the value of the cluster's {@code aiondb.io/retry-rollout} annotation, or null when it has none
 */
public record Snapshot(List<Member> members, StatefulSetView statefulSet, int desiredReplicas, String targetVersion,
    String engineError, Instant now, Duration podReadyTimeout, RolloutStatus rollout, String retry) {

  /** A cluster without the retry annotation. */
  public Snapshot(List<Member> members, StatefulSetView statefulSet, int desiredReplicas, String targetVersion,
      String engineError, Instant now, Duration podReadyTimeout, RolloutStatus rollout) {
    this(members, statefulSet, desiredReplicas, targetVersion, engineError, now, podReadyTimeout, rollout, null);
  }

  public Snapshot {
    if (rollout != null && now != null) {
      rollout = rollout.retried(retry, now);
    }
    Objects.requireNonNull(statefulSet, "statefulSet");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(podReadyTimeout, "podReadyTimeout");
    if (podReadyTimeout.isNegative() || podReadyTimeout.isZero()) {
      throw new IllegalArgumentException("podReadyTimeout must be positive, got " + podReadyTimeout);
    }
    if (desiredReplicas < 1) {
      throw new IllegalArgumentException("desiredReplicas must be at least 1, got " + desiredReplicas);
    }
    members = List.copyOf(members);
    var names = new HashSet<String>();
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      if (m.ordinal() != i) {
        throw new IllegalArgumentException("members must be listed by ordinal from 0 without gaps: found ordinal "
            + m.ordinal() + " at position " + i);
      }
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("member name " + m.name() + " appears twice");
      }
    }
    int needed = Math.max(desiredReplicas, statefulSet.specReplicas());
    if (members.size() < needed) {
      throw new IllegalArgumentException("members must cover ordinals 0.." + (needed - 1) + " (spec.replicas "
          + desiredReplicas + ", StatefulSet replicas " + statefulSet.specReplicas() + "), got " + members.size());
    }
  }

  /** The member with this name, if listed. */
  public Optional<Member> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** Members that stay after scaling: ordinals below {@code desiredReplicas}. */
  public List<Member> wanted() {
    return members.subList(0, desiredReplicas);
  }

  /** The member the engine reports as leader, if any. */
  public Optional<Member> leader() {
    return members.stream().filter(m -> m.node() != null && m.node().leader()).findFirst();
  }

  /** Wanted members whose pod runs the StatefulSet's update revision (the {@code UPDATED n/m} column). */
  public int updatedMembers() {
    return (int) wanted().stream()
        .filter(m -> m.pod() != null && !m.needsRestart(statefulSet.updateRevision()))
        .count();
  }

  /** True when anything differs from the spec: a pod to restart, a membership to change, a replica count to move. */
  public boolean pendingWork() {
    if (statefulSet.specReplicas() != desiredReplicas) {
      return true;
    }
    for (Member m : members) {
      boolean wanted = m.ordinal() < desiredReplicas;
      if (wanted && (m.membership() != Membership.VOTER || m.awaitingJoin()
          || m.needsRestart(statefulSet.updateRevision()))) {
        return true;
      }
      if (!wanted && (m.membership() != Membership.ABSENT || m.pod() != null)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A member's place in a scaling or replacement, for {@code status.members[].membership}: {@code Voter},
   * {@code Learner}, {@code Joining} (pod meant to join, not in the group yet), {@code Leaving} (in the group above
   * spec.replicas), {@code Replacing} (came back without its data), {@code Absent}.
   */
  public String membershipState(Member m) {
    boolean wanted = m.ordinal() < desiredReplicas;
    if (m.awaitingJoin() && m.membership() == Membership.VOTER) {
      return "Replacing";
    }
    if (!wanted && m.membership() != Membership.ABSENT) {
      return "Leaving";
    }
    return switch (m.membership()) {
      case VOTER -> "Voter";
      case LEARNER -> "Learner";
      case ABSENT -> wanted && m.pod() != null ? "Joining" : "Absent";
    };
  }

  /** The names of the given members, for messages. */
  static String names(List<Member> ms) {
    var out = new ArrayList<String>();
    ms.forEach(m -> out.add(m.name()));
    return String.join(", ", out);
  }

  /** A member's place in the Raft group as the engine reports it. */
  public enum Membership { VOTER, LEARNER, ABSENT }

  /**
   * One StatefulSet ordinal.
   *
   * @param pod the pod, or null when there is none
   * @param node the engine's view of the node, or null when the engine does not know it (not in the group and not
   *     answering)
   */
  public record Member(int ordinal, String name, Pod pod, Node node) {
    public Member {
      if (ordinal < 0) {
        throw new IllegalArgumentException("ordinal must not be negative, got " + ordinal);
      }
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("member " + ordinal + " has no name");
      }
    }

    public Membership membership() {
      return node == null ? Membership.ABSENT : node.membership();
    }

    public boolean ready() {
      return pod != null && pod.ready() && !pod.deleting();
    }

    /** In the group, reachable and within the caught-up lag. */
    public boolean caughtUp() {
      return node != null && node.membership() != Membership.ABSENT && node.reachable() && node.caughtUp();
    }

    public boolean awaitingJoin() {
      return node != null && node.awaitingJoin();
    }

    /** The pod runs another revision than {@code updateRevision}. False when there is no pod. */
    public boolean needsRestart(String updateRevision) {
      return pod != null && !Objects.equals(pod.revision(), updateRevision);
    }
  }

  /**
   * A member's pod.
   *
   * @param ready the pod's Ready condition
   * @param readySince when the Ready condition last changed (the pod's creation time if it never had one)
   * @param revision the pod's {@code controller-revision-hash} label
   * @param deleting the pod has a deletion timestamp
   * @param message the last thing the pod said: a container's waiting/termination reason and message, or null
   */
  public record Pod(boolean ready, Instant readySince, String revision, boolean deleting, String message) {
    public Pod {
      Objects.requireNonNull(readySince, "readySince");
    }
  }

  /**
   * The engine's view of one node ({@code GET /v1/cluster/nodes/{id}}).
   *
   * @param lag entries behind the leader's commit index
   * @param version the version the node reports in its {@code /v1/status}, or null when it did not answer
   * @param safeToRestart the engine's answer: would restarting this node keep a healthy quorum
   * @param safeToRemove the engine's answer: would removing this node keep a healthy quorum
   * @param reason why it is not safe, in the engine's words, or null
   * @param awaitingJoin the node came up with an empty data directory and refuses to vote ({@code dataState:
   *     "empty-awaiting-join"})
   */
  public record Node(Membership membership, boolean reachable, boolean caughtUp, long lag, boolean leader,
      String version, boolean safeToRestart, boolean safeToRemove, String reason, boolean awaitingJoin) {
    public Node {
      Objects.requireNonNull(membership, "membership");
    }
  }

  /**
   * The StatefulSet as its controller reports it.
   *
   * @param updateRevision the revision the current template hashes to: pods on another revision need a restart
   * @param currentRevision reported for status only: with {@code OnDelete} the controller does not advance it
   * @param specReplicas {@code spec.replicas} as the operator last set it (the roller alone moves it)
   * @param observed {@code status.observedGeneration == metadata.generation}: until then updateRevision may be stale
   */
  public record StatefulSetView(String updateRevision, String currentRevision, int specReplicas, int statusReplicas,
      boolean observed) {
    public StatefulSetView {
      if (updateRevision == null || updateRevision.isBlank()) {
        throw new IllegalArgumentException("the StatefulSet reports no updateRevision");
      }
      if (specReplicas < 0 || statusReplicas < 0) {
        throw new IllegalArgumentException("replica counts must not be negative");
      }
    }
  }
}
