package io.aiondb.operator.reconcile;

import io.aiondb.operator.api.AionCluster;
import io.aiondb.operator.api.AionClusterStatus;
import io.aiondb.operator.api.AionClusterStatus.Phase;
import io.aiondb.operator.api.MemberStatus;
import io.aiondb.operator.engine.ClusterView;
import io.aiondb.operator.model.Labels;
import io.aiondb.operator.rollout.Action;
import io.aiondb.operator.rollout.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The status a cluster should have after an {@link Observation}: a pure function (the clock is an input).
 *
 * <p>Phase: Paused while spec.paused; Failed when nothing runs and the spec cannot be honoured; Running when every
 * member is ready and the engine names a leader; Creating until the cluster was first Running; Degraded otherwise.
 * Ready, Progressing and Degraded conditions carry reasons and messages a person can act on. A reconcile that failed
 * is reported by {@link #failed}.
 *
 * <p>While a rollout runs ({@link RolloutStep}: pods to restart, members to add or remove, replicas to move): phase
 * Upgrading (a member runs an old revision) or Scaling; Progressing True with the roller's reason and message (the
 * member and the check it waits for); Degraded False unless the engine cannot be read. A halted rollout: Progressing
 * False and Degraded True, both with reason {@code RolloutStalled} and the member's last words. {@code status.rollout}
 * is the roller's record ({@link SnapshotBuilder#state}); {@code updatedReplicas} the members on the update revision.
 */
public final class StatusBuilder {
  /** Degraded and Progressing reason when a reconcile threw: the message carries the error. */
  public static final String RECONCILE_ERROR = "ReconcileError";

  private StatusBuilder() {}

  public static AionClusterStatus build(AionCluster cluster, Observation seen, Instant now) {
    AionClusterStatus old = cluster.getStatus() != null ? cluster.getStatus() : new AionClusterStatus();
    Long generation = cluster.getMetadata().getGeneration();
    AionClusterStatus s = new AionClusterStatus();
    s.setObservedGeneration(generation);
    s.setReplicas(seen.replicas());
    s.setReadyReplicas(seen.readyReplicas());
    s.setSelector(Labels.selectorString(cluster));
    s.setConditions(old.getConditions());

    ClusterView engine = seen.engine();
    if (engine != null) {
      s.setLeader(engine.leader());
      s.setMembers(engine.members().stream()
          .map(m -> new MemberStatus(m.id(), m.role(), m.caughtUp(), m.version()))
          .toList());
      s.setCurrentVersion(commonVersion(engine, old.getCurrentVersion()));
    } else {
      // Unknown now: keep what was last seen rather than blanking it, the conditions say it is stale.
      s.setLeader(old.getLeader());
      s.setMembers(old.getMembers());
      s.setCurrentVersion(old.getCurrentVersion());
    }

    RolloutStep.Outcome rolled = seen.rollout();
    if (rolled != null) {
      s.setRollout(SnapshotBuilder.state(rolled.rollout()));
      s.setUpdatedReplicas(rolled.snapshot() != null ? Integer.valueOf(rolled.snapshot().updatedMembers())
          : old.getUpdatedReplicas());
      if (rolled.snapshot() != null) {
        s.setMembers(withMembership(s.getMembers(), rolled.snapshot()));
      }
    } else {
      s.setRollout(old.getRollout());
    s.setLastBackup(old.getLastBackup());
    s.setRestoreSource(old.getRestoreSource());
      s.setUpdatedReplicas(old.getUpdatedReplicas());
    }

    int target = seen.targetReplicas(cluster.getSpec().replicasOrDefault());
    int ready = seen.readyReplicas();
    boolean podsReady = seen.statefulSet() != null && ready >= target;
    boolean healthy = podsReady && engine != null && engine.leader() != null;

    String readyReason;
    String readyMessage;
    if (healthy) {
      readyReason = "ClusterReady";
      readyMessage = ready + " of " + target + " members ready; leader " + engine.leader() + ".";
    } else if (seen.statefulSet() == null) {
      readyReason = "NotCreated";
      readyMessage = "No StatefulSet exists for this cluster yet.";
    } else if (!podsReady) {
      readyReason = "PodsNotReady";
      readyMessage = ready + " of " + target + " members ready. See `kubectl get pods -l "
          + Labels.selectorString(cluster) + "` and the pods' events.";
    } else if (engine == null) {
      readyReason = "EngineUnreachable";
      readyMessage = "The pods are ready but the engine's cluster API cannot be read: " + seen.engineError();
    } else {
      readyReason = "NoLeader";
      readyMessage = "The engine reports no leader: fewer than a majority of members can reach each other.";
    }
    s.setConditions(Conditions.set(s.getConditions(), Conditions.READY, healthy, readyReason, readyMessage, generation, now));

    boolean engineDown = seen.engineError() != null;
    String degradedReason = healthy ? "AsExpected" : engineDown ? "EngineUnreachable" : readyReason;
    String degradedMessage = healthy ? "All members are ready."
        : engineDown ? "Cannot read the engine's cluster API: " + seen.engineError()
            + ". The operator keeps reconciling and retries with backoff."
            : readyMessage;
    boolean wasRunning = old.getPhase() != null && old.getPhase() != Phase.Creating && old.getPhase() != Phase.Failed;

    Phase phase;
    String progressingReason;
    String progressingMessage;
    boolean progressing;
    if (cluster.getSpec().isPaused()) {
      phase = Phase.Paused;
      progressing = false;
      progressingReason = "Paused";
      progressingMessage = "spec.paused is true: the operator changes nothing until it is set to false.";
    } else if (!seen.blockers().isEmpty()) {
      Blocker first = seen.blockers().get(0);
      phase = seen.statefulSet() == null ? Phase.Failed : healthy ? Phase.Running : wasRunning ? Phase.Degraded : Phase.Creating;
      progressing = false;
      progressingReason = first.reason();
      progressingMessage = String.join(" ", seen.blockers().stream().map(Blocker::message).toList());
    } else if (healthy) {
      phase = Phase.Running;
      progressing = false;
      progressingReason = "UpToDate";
      progressingMessage = "The cluster runs the desired spec (generation " + generation + ").";
    } else if (!wasRunning) {
      phase = Phase.Creating;
      progressing = true;
      progressingReason = "Creating";
      progressingMessage = "Waiting for " + target + " members to become ready and elect a leader (" + ready + " ready).";
    } else {
      phase = Phase.Degraded;
      progressing = false;
      progressingReason = "WaitingForMembers";
      progressingMessage = degradedMessage;
    }
    boolean degraded = !healthy && (engineDown || wasRunning || phase == Phase.Failed);
    if (phase == Phase.Failed) {
      degradedReason = seen.blockers().get(0).reason();
      degradedMessage = "Nothing was created: " + seen.blockers().get(0).message();
    }
    if (rolled != null && !cluster.getSpec().isPaused() && seen.blockers().isEmpty() && rolling(rolled, wasRunning)) {
      Phase kind = kind(rolled.snapshot(), old.getPhase());
      if (rolled.action() instanceof Action.Halt h) {
        phase = kind;
        progressing = false;
        progressingReason = Action.Halt.ROLLOUT_STALLED;
        progressingMessage = capitalize(h.message()) + ".";
        degraded = true;
        degradedReason = Action.Halt.ROLLOUT_STALLED;
        degradedMessage = progressingMessage;
      } else {
        phase = wasRunning ? kind : phase;
        progressing = true;
        progressingReason = rolled.action() instanceof Action.Wait w ? w.reason()
            : rolled.action().getClass().getSimpleName();
        progressingMessage = capitalize(rolled.action().message()) + "."
            + (rolled.failure() == null ? "" : " " + rolled.failure());
        degraded = engineDown;
      }
    }
    s.setPhase(phase);
    s.setConditions(Conditions.set(s.getConditions(), Conditions.PROGRESSING, progressing, progressingReason,
        progressingMessage, generation, now));
    s.setConditions(Conditions.set(s.getConditions(), Conditions.DEGRADED, degraded, degraded ? degradedReason : "AsExpected",
        degraded ? degradedMessage : "No problem seen.", generation, now));
    return s;
  }

  /**
   * The status after a reconcile failed with {@code error} (an API call refused, a bug): Degraded and Progressing
   * say {@link #RECONCILE_ERROR} with the error, everything else stays as last seen (nothing new was observed). The
   * next successful reconcile replaces both conditions.
   */
  public static AionClusterStatus failed(AionCluster cluster, String error, Instant now) {
    AionClusterStatus old = cluster.getStatus() != null ? cluster.getStatus() : new AionClusterStatus();
    Long generation = cluster.getMetadata().getGeneration();
    AionClusterStatus s = new AionClusterStatus();
    s.setObservedGeneration(old.getObservedGeneration());
    s.setPhase(old.getPhase() != null ? old.getPhase() : cluster.getSpec().isPaused() ? Phase.Paused : Phase.Creating);
    s.setReplicas(old.getReplicas());
    s.setReadyReplicas(old.getReadyReplicas());
    s.setSelector(Labels.selectorString(cluster));
    s.setLeader(old.getLeader());
    s.setMembers(old.getMembers());
    s.setCurrentVersion(old.getCurrentVersion());
    s.setRollout(old.getRollout());
    s.setUpdatedReplicas(old.getUpdatedReplicas());
    String message = "The last reconcile failed: " + error + " The operator retries with backoff.";
    s.setConditions(Conditions.set(old.getConditions(), Conditions.PROGRESSING, false, RECONCILE_ERROR, message,
        generation, now));
    s.setConditions(Conditions.set(s.getConditions(), Conditions.DEGRADED, true, RECONCILE_ERROR, message,
        generation, now));
    return s;
  }

  /**
   * A change is being carried out: a rollout is recorded, an action was taken, or (on a cluster that ran) the
   * StatefulSet's new template is not observed yet.
   */
  static boolean rolling(RolloutStep.Outcome r, boolean wasRunning) {
    return r.rollout() != null || RolloutStep.acts(r.action()) || r.action() instanceof Action.Halt
        || (wasRunning && r.action() instanceof Action.Wait w && "StatefulSetNotObserved".equals(w.reason()));
  }

  /**
   * Upgrading while a member runs an older revision than the template's; Scaling while members are to be added or
   * removed; otherwise (settling after the last restart) as before. While the StatefulSet controller has not
   * observed its latest change (a new template, or replicas the roller just set) the revisions are stale: the phase
   * stays Scaling if it was, else Upgrading.
   */
  static Phase kind(Snapshot snap, Phase old) {
    if (snap == null || !snap.statefulSet().observed()) {
      return old == Phase.Scaling ? Phase.Scaling : Phase.Upgrading;
    }
    if (snap.wanted().stream().anyMatch(m -> m.needsRestart(snap.statefulSet().updateRevision()))) {
      return Phase.Upgrading;
    }
    boolean scaling = snap.statefulSet().specReplicas() != snap.desiredReplicas()
        || snap.members().stream().anyMatch(m -> m.ordinal() < snap.desiredReplicas()
            ? m.membership() != Snapshot.Membership.VOTER
            : m.pod() != null || m.membership() != Snapshot.Membership.ABSENT);
    return scaling ? Phase.Scaling : old == Phase.Scaling ? Phase.Scaling : Phase.Upgrading;
  }

  /** The engine's members with their place in scaling, plus the pods the group does not list yet (Joining). */
  static List<MemberStatus> withMembership(List<MemberStatus> members, Snapshot snap) {
    List<MemberStatus> out = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (MemberStatus m : members == null ? List.<MemberStatus>of() : members) {
      MemberStatus copy = new MemberStatus(m.getName(), m.getRole(), m.getCaughtUp(), m.getVersion());
      snap.member(m.getName()).ifPresent(x -> copy.setMembership(snap.membershipState(x)));
      out.add(copy);
      seen.add(m.getName());
    }
    for (Snapshot.Member x : snap.members()) {
      String state = snap.membershipState(x);
      if (!seen.contains(x.name()) && !"Absent".equals(state)) {
        MemberStatus joining = new MemberStatus(x.name(), null, null, null);
        joining.setMembership(state);
        out.add(joining);
      }
    }
    return out;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** The version all members report, or the previous one while they differ (mid-upgrade) or do not say. */
  static String commonVersion(ClusterView engine, String previous) {
    List<String> versions = engine.members().stream().map(ClusterView.Member::version).filter(Objects::nonNull)
        .distinct().toList();
    return versions.size() == 1 && engine.members().stream().allMatch(m -> m.version() != null)
        ? versions.get(0) : previous;
  }
}
