package io.aiondb.operator.rollout;

import io.aiondb.operator.rollout.Action.AddLearner;
import io.aiondb.operator.rollout.Action.Decommission;
import io.aiondb.operator.rollout.Action.DrainLeadership;
import io.aiondb.operator.rollout.Action.Halt;
import io.aiondb.operator.rollout.Action.Promote;
import io.aiondb.operator.rollout.Action.ReplaceMember;
import io.aiondb.operator.rollout.Action.RestartPod;
import io.aiondb.operator.rollout.Action.ScaleStatefulSet;
import io.aiondb.operator.rollout.Action.Wait;
import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.Membership;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Decides the one next step that moves a cluster towards its spec — restart a pod, move leadership, add, promote or
 * remove a member, resize the StatefulSet — or why it must wait. A pure function of a {@link Snapshot}: no clock, no
 * client, no memory but {@code status.rollout}; the reconciler carries out the {@link Action} and asks again. The
 * operator can therefore be killed at any moment: every action is idempotent and the next decision starts from what
 * the cluster shows. At most one member is disturbed at a time.
 *
 * <p>The algorithm, first match wins:
 * <ol>
 *   <li><b>Halted stays halted.</b> If {@code status.rollout} is halted for the same target (update revision and
 *       replicas), halt again and touch nothing. Any spec change that moves the target — a fix, or setting the spec
 *       back (a rollback) — starts a new rollout, which un-halts. So does a new value of the
 *       {@code aiondb.io/retry-rollout} annotation (the {@link Snapshot} then carries the halt lifted, with the Ready
 *       timeout counting anew), for a cause fixed outside the spec.</li>
 *   <li><b>Ready timeout.</b> If the member this rollout last restarted, replaced or created is not Ready
 *       {@code podReadyTimeout} after that (or after it last lost Ready), halt with {@code RolloutStalled}, naming
 *       it and the last thing its pod said.</li>
 *   <li><b>Stale or moving objects.</b> Wait while the StatefulSet controller has not observed the latest template
 *       (its update revision may be stale) and while any pod is terminating.</li>
 *   <li><b>Stuck pods first.</b> A member that needs a restart and is not Ready itself (e.g. the stalled member after
 *       a rollback) is restarted when every other pod is Ready: restarting it takes nothing away, and the engine may
 *       not even answer (a one-member cluster).</li>
 *   <li><b>Engine.</b> Wait while the engine does not answer or has no leader.</li>
 *   <li><b>Lost data.</b> A voter whose pod came back empty ({@code awaitingJoin}) is replaced — removed, added back
 *       as a learner — when the engine says removing it is safe.</li>
 *   <li><b>Finish membership changes.</b> An unwanted learner (ordinal &ge; {@code spec.replicas}, e.g. a scale-up
 *       reversed mid-way) is removed. Lowest ordinal first among wanted members: a pod the group does not list is
 *       added as a learner once it is Ready or says it waits to be added ({@code awaitingJoin}: a joiner knows no
 *       leader, so it is not Ready before that); a learner is promoted once caught up and the others are healthy.</li>
 *   <li><b>Scale down</b> (before rolling: leaving members need no restart). Shrink the StatefulSet to just above
 *       the highest member the engine still lists; otherwise take the highest unwanted voter: when the others are
 *       healthy, move leadership off it if it leads, else remove it from the group if the engine says that is safe.
 *       Never delete the pod of a member still in the group.</li>
 *   <li><b>Roll.</b> Members needing a restart are those whose pod is not on the StatefulSet's update revision.
 *       Followers first, highest ordinal first; the leader last, after leadership has been moved to a caught-up
 *       follower. Restart only when every {@link Check} passes: all other pods Ready, every member rejoined and
 *       caught up, every updated member reports the target version, and the engine says it is safe.</li>
 *   <li><b>Settle.</b> Wait until every member is Ready, a caught-up voter, and on the target version.</li>
 *   <li><b>Scale up</b> (after rolling: new pods start on the update revision and join a uniform cluster). Grow the
 *       StatefulSet by one pod; step 7 adds and promotes it before the next.</li>
 *   <li>Otherwise {@link Action.Done}.</li>
 * </ol>
 */
public final class Roller {
  /** Looking again soon costs one engine read; each wait on a member or the group costs up to this (was 5 s). */
  static final Duration SHORT = Duration.ofSeconds(2);
  static final Duration LONG = Duration.ofSeconds(15);

  private Roller() {}

  /** The next action for the cluster this snapshot shows. */
  public static Action next(Snapshot s) {
    String update = s.statefulSet().updateRevision();
    RolloutStatus r = s.rollout();
    boolean ours = r != null && r.isFor(s);
    if (ours && r.halted()) {
      return new Halt(Halt.ROLLOUT_STALLED, r.haltedMember(), r.haltMessage());
    }
    if (ours && r.currentMember() != null) {
      Halt stalled = stalled(s, r);
      if (stalled != null) {
        return stalled;
      }
    }
    if (!s.statefulSet().observed()) {
      return new Wait("StatefulSetNotObserved",
          "waiting for the StatefulSet controller to observe the new template", SHORT);
    }
    for (Member m : s.members()) {
      if (m.pod() != null && m.pod().deleting()) {
        return new Wait("PodTerminating", "waiting for " + m.name() + "'s pod to terminate", SHORT);
      }
    }
    for (Member m : s.wanted().reversed()) {
      if (m.needsRestart(update) && !m.ready() && Check.OTHERS_READY.blocker(s, m) == null) {
        return new RestartPod(m.name(), m.pod().revision(), update);
      }
    }
    if (s.engineError() != null) {
      return new Wait("EngineUnavailable", "waiting for the engine to answer: " + s.engineError(), LONG);
    }
    if (s.leader().isEmpty()) {
      return new Wait("NoLeader", "waiting for the group to elect a leader", SHORT);
    }
    Action a = replaceLostData(s);
    if (a == null) {
      a = finishMembership(s);
    }
    if (a == null) {
      a = scaleDown(s);
    }
    if (a == null) {
      a = roll(s, update);
    }
    if (a == null) {
      a = waitFor(s, null, Check.HEALTHY);
    }
    if (a == null && s.statefulSet().specReplicas() < s.desiredReplicas()) {
      a = new ScaleStatefulSet(s.statefulSet().specReplicas() + 1, s.statefulSet().specReplicas());
    }
    return a == null ? new Action.Done() : a;
  }

  private static Halt stalled(Snapshot s, RolloutStatus r) {
    Member m = s.member(r.currentMember()).orElse(null);
    if (m == null || m.ready() || m.needsRestart(s.statefulSet().updateRevision())) {
      return null; // gone, fine, or the old pod is still there (killed before deleting it): not our restart yet
    }
    Instant since = r.currentSince();
    if (m.pod() != null && m.pod().readySince().isAfter(since)) {
      since = m.pod().readySince();
    }
    if (Duration.between(since, s.now()).compareTo(s.podReadyTimeout()) < 0) {
      return null;
    }
    String said = m.pod() == null ? "no pod was created" : m.pod().message();
    return new Halt(Halt.ROLLOUT_STALLED, m.name(), said);
  }

  private static Action replaceLostData(Snapshot s) {
    for (Member m : s.members()) {
      if (m.membership() == Membership.VOTER && m.awaitingJoin()) {
        if (m.node().safeToRemove()) {
          return new ReplaceMember(m.name());
        }
        return new Wait("EngineSaysUnsafe", "waiting to replace " + m.name() + ", which lost its data: the engine "
            + "says removing it is not safe: " + m.node().reason(), SHORT);
      }
    }
    return null;
  }

  private static Action finishMembership(Snapshot s) {
    for (Member m : s.members().reversed()) {
      if (m.ordinal() >= s.desiredReplicas() && m.membership() == Membership.LEARNER) {
        return new Decommission(m.name());
      }
    }
    for (Member m : s.wanted()) {
      if (m.membership() == Membership.LEARNER) {
        if (!m.caughtUp()) {
          long lag = m.node().reachable() ? m.node().lag() : -1;
          return new Wait("MemberNotCaughtUp", lag < 0 ? "waiting for learner " + m.name() + " to answer"
              : String.format(Locale.ROOT, "waiting for learner %s to catch up: %,d entries behind", m.name(), lag),
              SHORT);
        }
        Wait blocked = waitFor(s, m, Check.HEALTHY);
        return blocked != null ? blocked : new Promote(m.name());
      }
      if (m.membership() == Membership.ABSENT && m.ordinal() < s.statefulSet().specReplicas()) {
        // A joiner is not Ready until it is added (it knows no leader): its own word that it waits is enough.
        if (!m.ready() && !(m.awaitingJoin() && m.pod() != null && !m.pod().deleting())) {
          return new Wait("MemberNotReady", "waiting for " + m.name() + "'s pod to "
              + (m.pod() == null ? "be created" : "become Ready") + " before it joins", SHORT);
        }
        return new AddLearner(m.name());
      }
    }
    return null;
  }

  private static Action scaleDown(Snapshot s) {
    int keep = s.desiredReplicas();
    for (Member m : s.members()) {
      if (m.membership() != Membership.ABSENT) {
        keep = Math.max(keep, m.ordinal() + 1);
      }
    }
    int replicas = s.statefulSet().specReplicas();
    if (replicas > keep) {
      return new ScaleStatefulSet(keep, replicas);
    }
    if (keep == s.desiredReplicas()) {
      return null;
    }
    Member h = s.members().get(keep - 1); // the highest unwanted voter (learners were removed above)
    Wait blocked = waitFor(s, h, Check.HEALTHY);
    if (blocked != null) {
      return blocked;
    }
    if (h.node().leader()) {
      return drain(s, h);
    }
    if (!h.node().safeToRemove()) {
      return new Wait("EngineSaysUnsafe",
          "the engine says removing " + h.name() + " is not safe: " + h.node().reason(), SHORT);
    }
    return new Decommission(h.name());
  }

  private static Action roll(Snapshot s, String update) {
    List<Member> due = s.wanted().stream().filter(m -> m.needsRestart(update)).toList();
    if (due.isEmpty()) {
      return null;
    }
    Member next = due.reversed().stream().filter(m -> !leads(m)).findFirst().orElse(due.getFirst());
    if (leads(next) && !Check.onlyVoter(s, next)) {
      Wait blocked = waitFor(s, next, Check.HEALTHY);
      return blocked != null ? blocked : drain(s, next);
    }
    Wait blocked = waitFor(s, next, Check.BEFORE_RESTART);
    return blocked != null ? blocked : new RestartPod(next.name(), next.pod().revision(), update);
  }

  /**
   * Moves leadership off {@code m} to the lowest wanted voter that is Ready and caught up, preferring one already on
   * the update revision (it will not be restarted in this rollout), so leadership moves once.
   */
  private static Action drain(Snapshot s, Member m) {
    String update = s.statefulSet().updateRevision();
    return s.wanted().stream()
        .filter(o -> o.ordinal() != m.ordinal() && o.membership() == Membership.VOTER && o.caughtUp() && o.ready())
        .min(Comparator.comparing((Member o) -> o.needsRestart(update)).thenComparing(Member::ordinal))
        .<Action>map(to -> new DrainLeadership(m.name(), to.name()))
        .orElse(new Wait("NoLeaderCandidate", "waiting for a caught-up voter that stays to take leadership from "
            + m.name(), SHORT));
  }

  private static boolean leads(Member m) {
    return m.node() != null && m.node().leader();
  }

  /** A wait for the first check that blocks disturbing {@code m}, or null when all pass. */
  static Wait waitFor(Snapshot s, Member m, List<Check> checks) {
    for (Check c : checks) {
      String why = c.blocker(s, m);
      if (why != null) {
        return new Wait(c.reason, why, SHORT);
      }
    }
    return null;
  }
}
