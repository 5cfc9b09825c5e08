package io.aiondb.operator.rollout;

import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.Membership;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Named conditions that must hold before the roller disturbs a member (restarts it, moves leadership off it,
 * removes it, promotes it or grows the group). Each answers, for a snapshot and the member about to be disturbed
 * ({@code null} when asking whether the whole cluster has settled), either {@code null} or a sentence saying why not
 * yet. They are checked in declaration order, so the first failing one is the most basic.
 */
enum Check {
  /** Every other pod the StatefulSet should run exists and is Ready. */
  OTHERS_READY("MemberNotReady") {
    @Override
    String blocker(Snapshot s, Member m) {
      for (Member o : others(s.members().subList(0, Math.min(s.members().size(), s.statefulSet().specReplicas())), m)) {
        if (o.pod() == null) {
          return "waiting for " + o.name() + "'s pod to be created";
        }
        if (!o.ready()) {
          String said = o.pod().message() == null ? "" : " (" + o.pod().message() + ")";
          return "waiting for " + o.name() + " to become Ready" + said;
        }
      }
      return null;
    }
  },
  /** Every other member that should be a voter by now is one and the leader hears from it (it has rejoined). */
  OTHERS_IN_GROUP("MemberNotInGroup") {
    @Override
    String blocker(Snapshot s, Member m) {
      int voters = Math.min(s.desiredReplicas(), s.statefulSet().specReplicas());
      for (Member o : others(s.members().subList(0, voters), m)) {
        if (o.membership() != Membership.VOTER) {
          return "waiting for " + o.name() + " to join the group as a voter (it is "
              + (o.membership() == Membership.LEARNER ? "a learner" : "not in the group") + ")";
        }
        if (!o.node().reachable()) {
          return "waiting for " + o.name() + " to rejoin the group (the leader does not hear from it)";
        }
      }
      return null;
    }
  },
  /** Every other member of the group is within the caught-up lag. */
  OTHERS_CAUGHT_UP("MemberNotCaughtUp") {
    @Override
    String blocker(Snapshot s, Member m) {
      for (Member o : others(s.members(), m)) {
        if (o.membership() != Membership.ABSENT && !o.node().reachable()) {
          return "waiting for " + o.name() + " to answer (the leader does not hear from it)";
        }
        if (o.membership() != Membership.ABSENT && !o.node().caughtUp()) {
          return String.format(Locale.ROOT, "waiting for %s to catch up: %,d entries behind", o.name(), o.node().lag());
        }
      }
      return null;
    }
  },
  /** Every other member already on the update revision reports the target version (the new build really runs). */
  OTHERS_ON_TARGET_VERSION("MemberVersionPending") {
    @Override
    String blocker(Snapshot s, Member m) {
      if (s.targetVersion() == null) {
        return null;
      }
      for (Member o : others(s.members(), m)) {
        boolean updated = o.pod() != null && !o.needsRestart(s.statefulSet().updateRevision());
        if (updated && o.node() != null && !s.targetVersion().equals(o.node().version())) {
          return "waiting for " + o.name() + " to report version " + s.targetVersion() + " (it reports "
              + (o.node().version() == null ? "nothing" : o.node().version()) + ")";
        }
      }
      return null;
    }
  },
  /**
   * The engine says restarting the member keeps a healthy quorum. Waived for a cluster of one voter, which cannot
   * stay available through any restart: its user chose no redundancy.
   */
  ENGINE_SAYS_SAFE("EngineSaysUnsafe") {
    @Override
    String blocker(Snapshot s, Member m) {
      Objects.requireNonNull(m, "ENGINE_SAYS_SAFE is about one member");
      if (m.node() != null && m.node().safeToRestart() || onlyVoter(s, m)) {
        return null;
      }
      String why = m.node() == null || m.node().reason() == null ? "it gave no reason" : m.node().reason();
      return "the engine says restarting " + m.name() + " is not safe: " + why;
    }
  };

  /** Before restarting a member. */
  static final List<Check> BEFORE_RESTART = List.of(values());
  /** Before any other membership step (drain, remove, promote, grow) and before calling the cluster settled. */
  static final List<Check> HEALTHY = List.of(OTHERS_READY, OTHERS_IN_GROUP, OTHERS_CAUGHT_UP, OTHERS_ON_TARGET_VERSION);

  /** The condition reason used when this check makes the roller wait. */
  final String reason;

  Check(String reason) {
    this.reason = reason;
  }

  /** Why {@code m} may not be disturbed yet, or null when this check passes. */
  abstract String blocker(Snapshot s, Member m);

  static boolean onlyVoter(Snapshot s, Member m) {
    return m.membership() == Membership.VOTER
        && s.members().stream().filter(o -> o.membership() == Membership.VOTER).count() == 1;
  }

  private static List<Member> others(List<Member> members, Member m) {
    return members.stream().filter(o -> m == null || o.ordinal() != m.ordinal()).toList();
  }
}
