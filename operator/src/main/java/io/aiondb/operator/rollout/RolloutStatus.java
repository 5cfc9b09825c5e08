package io.aiondb.operator.rollout;

import java.time.Instant;
import java.util.Objects;

/**
 * The roller's only memory, kept in {@code status.rollout} so a new operator resumes where the old one stopped.
 * A rollout is identified by its targets (update revision and replicas): when the spec changes either, the old
 * rollout (halted or not) is over and a new one starts.
 *
 * @param targetRevision the StatefulSet update revision being rolled out
 * @param targetReplicas the {@code spec.replicas} being scaled to
 * @param targetVersion {@code spec.version} being rolled out, or null
 * @param startedAt when this rollout was first seen
 * @param updatedMembers members on the target revision (for {@code UPDATED n/m})
 * @param currentMember the member last restarted, replaced or created, or null
 * @param currentSince when that action was taken: the Ready timeout counts from here
 * @param haltedMember the member that stalled the rollout, or null when not halted
 * @param haltMessage the last thing the halted member said, or null
 * @param haltRetry the {@code aiondb.io/retry-rollout} annotation's value when the rollout halted (null: none); the
 *     halt holds while the annotation keeps that value, and a different value lifts it ({@link #retried})
 */
public record RolloutStatus(String targetRevision, int targetReplicas, String targetVersion, Instant startedAt,
    int updatedMembers, String currentMember, Instant currentSince, String haltedMember, String haltMessage,
    String haltRetry) {

  /** Not halted, or halted with no retry annotation. */
  public RolloutStatus(String targetRevision, int targetReplicas, String targetVersion, Instant startedAt,
      int updatedMembers, String currentMember, Instant currentSince, String haltedMember, String haltMessage) {
    this(targetRevision, targetReplicas, targetVersion, startedAt, updatedMembers, currentMember, currentSince,
        haltedMember, haltMessage, null);
  }

  public RolloutStatus {
    Objects.requireNonNull(targetRevision, "targetRevision");
    Objects.requireNonNull(startedAt, "startedAt");
    if (currentMember != null && currentSince == null) {
      throw new IllegalArgumentException("currentSince is required with currentMember " + currentMember);
    }
  }

  public boolean halted() {
    return haltedMember != null;
  }

  /** This status describes the rollout the snapshot asks for (same revision and replicas). */
  public boolean isFor(Snapshot s) {
    return targetRevision.equals(s.statefulSet().updateRevision()) && targetReplicas == s.desiredReplicas();
  }

  /**
   * The status to record after deciding {@code action} on {@code s}; null when there is no rollout to show (the
   * cluster matches the spec). Record it before carrying out the action, so a crash in between repeats the action
   * rather than losing the Ready timer.
   */
  public static RolloutStatus after(Snapshot s, Action action) {
    if (action instanceof Action.Done) {
      return null;
    }
    RolloutStatus prev = s.rollout();
    RolloutStatus r;
    if (prev != null && prev.isFor(s)) {
      r = prev;
    } else if (s.pendingWork()) {
      r = new RolloutStatus(s.statefulSet().updateRevision(), s.desiredReplicas(), s.targetVersion(), s.now(),
          0, null, null, null, null);
    } else {
      return null;
    }
    r = new RolloutStatus(r.targetRevision, r.targetReplicas, r.targetVersion, r.startedAt, s.updatedMembers(),
        r.currentMember, r.currentSince, r.haltedMember, r.haltMessage, r.haltRetry);
    return switch (action) {
      case Action.RestartPod a -> r.current(a.member(), s.now());
      case Action.ReplaceMember a -> r.current(a.member(), s.now());
      case Action.ScaleStatefulSet a when a.replicas() > a.from() ->
          r.current(s.members().get(a.replicas() - 1).name(), s.now());
      case Action.Halt a -> new RolloutStatus(r.targetRevision, r.targetReplicas, r.targetVersion, r.startedAt,
          r.updatedMembers, r.currentMember, r.currentSince, a.member(), a.lastMessage(),
          r.halted() ? r.haltRetry : s.retry());
      default -> r;
    };
  }

  /**
   * This rollout as seen with the retry annotation's value {@code retry} (null: absent) at {@code now}: when it is
   * halted and the value differs from the one it halted with, the halt is lifted — not halted, and the Ready timeout
   * of the member it waits for counts again from {@code now}. Otherwise unchanged.
   */
  public RolloutStatus retried(String retry, Instant now) {
    if (!halted() || Objects.equals(retry, haltRetry)) {
      return this;
    }
    return new RolloutStatus(targetRevision, targetReplicas, targetVersion, startedAt, updatedMembers, currentMember,
        currentMember == null ? null : now, null, null, null);
  }

  private RolloutStatus current(String member, Instant since) {
    return new RolloutStatus(targetRevision, targetReplicas, targetVersion, startedAt, updatedMembers, member, since,
        haltedMember, haltMessage, haltRetry);
  }
}
