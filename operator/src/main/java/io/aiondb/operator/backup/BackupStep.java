package io.aiondb.operator.backup;

import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus;
import io.aiondb.operator.engine.BackupView;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the next step of one AionBackup (docs/design/010-operator-backups.md): a pure function of a {@link Snapshot}
 * — no clock, no client; the reconciler carries out the decision and asks again, so the operator may be killed at any
 * moment. Starting is idempotent: the engine answers a backup id it already knows instead of starting another.
 *
 * <p>First match wins:
 * <ol>
 *   <li>Failed: nothing more. Completed: nothing more, unless {@code spec.verify} asks for a verification that has
 *       not finished: start it on the member that took the backup (else any member; the engine verifies from the
 *       store), follow it, start it again if its member forgot it, and record Passed or Failed (also past the
 *       deadline).</li>
 *   <li>The cluster is gone, has no {@code spec.backup}, or not the named store {@code spec.store} asks for: Failed
 *       (ClusterNotFound, BackupNotConfigured, StoreNotFound).</li>
 *   <li>Started longer than {@code spec.deadline} ago: Failed (DeadlineExceeded). Nothing stays Running forever.</li>
 *   <li>Not started: start on the member {@code spec.target} asks for (a caught-up voting follower, the lowest
 *       ordinal first, else the leader; {@code Leader}: the leader only), or wait for one (also while the cluster's
 *       engine does not answer: its members are unknown).</li>
 *   <li>Running, its member answered: running → follow; succeeded → Completed; failed → Failed (Engine, with the
 *       engine's message).</li>
 *   <li>Running, its member does not know the operation (it restarted): start again with the same id on a member
 *       chosen as above (the engine answers the finished backup if its manifest was written).</li>
 *   <li>Running, its member does not answer: Failed (MemberGone) if the engine no longer lists it as a member, else
 *       wait (until the deadline).</li>
 * </ol>
 */
public final class BackupStep {
  private BackupStep() {}

  /** One member as the engine's {@code /v1/cluster/members} shows it. */
  public record Member(String pod, int ordinal, boolean leader, boolean caughtUp, boolean voter) {}

  /** What the running backup's member said about its operation. */
  public enum Answer { KNOWN, FORGOTTEN, UNREACHABLE, NOT_ASKED }

  /**
   * {@code members} is null when the cluster's engine did not answer (unknown, not empty); {@code storeConfigured}:
   * the cluster has the named store {@code spec.store} asks for (true without one).
   */
  public record Snapshot(Instant now, AionBackupSpec spec, AionBackupStatus status, boolean clusterExists,
      boolean clusterHasBackup, boolean storeConfigured, List<Member> members, Answer answer, BackupView operation) {
    public Snapshot(Instant now, AionBackupSpec spec, AionBackupStatus status, boolean clusterExists,
        boolean clusterHasBackup, List<Member> members, Answer answer, BackupView operation) {
      this(now, spec, status, clusterExists, clusterHasBackup, true, members, answer, operation);
    }
  }

  public sealed interface Decision permits Done, Wait, Start, Complete, Fail, StartVerify, Verified {}

  /** Terminal: nothing to do. */
  public record Done() implements Decision {}

  /** Look again after {@code after}; {@code progress} (may be null) goes into status. */
  public record Wait(Duration after, String why, BackupView progress) implements Decision {}

  /** Ask {@code member} to back up (again) with the backup's id. */
  public record Start(String member) implements Decision {}

  public record Complete(BackupView result) implements Decision {}

  public record Fail(String reason, String message) implements Decision {}

  /** Ask {@code member} to verify the completed backup at the spec's level. */
  public record StartVerify(String member) implements Decision {}

  /** The verification ended: passed, or failed with {@code message}. */
  public record Verified(boolean passed, String message) implements Decision {}

  public static final Duration FOLLOW = Duration.ofSeconds(3);
  public static final Duration RETRY = Duration.ofSeconds(5);

  public static Decision decide(Snapshot s) {
    AionBackupStatus.Phase phase = s.status() == null ? null : s.status().getPhase();
    if (phase == AionBackupStatus.Phase.Completed) return verification(s);
    if (phase == AionBackupStatus.Phase.Failed) return new Done();
    if (!s.clusterExists()) {
      return new Fail("ClusterNotFound", "AionCluster " + s.spec().getCluster() + " does not exist in this namespace");
    }
    if (!s.clusterHasBackup()) {
      return new Fail("BackupNotConfigured", "AionCluster " + s.spec().getCluster() + " has no spec.backup: its members"
          + " have no object store to back up to");
    }
    if (!s.storeConfigured()) {
      return new Fail("StoreNotFound", "AionCluster " + s.spec().getCluster() + " has no store '" + s.spec().getStore()
          + "' in spec.backup.stores");
    }
    String started = s.status() == null ? null : s.status().getStartedAt();
    Duration deadline = deadline(s.spec().getDeadline());
    if (started != null && Instant.parse(started).plus(deadline).isBefore(s.now())) {
      return new Fail("DeadlineExceeded", "the backup did not complete within " + s.spec().getDeadline() + " of "
          + started + (s.status().getMember() == null ? "" : " (member " + s.status().getMember() + ")"));
    }
    if (phase != AionBackupStatus.Phase.Running) return start(s);
    return switch (s.answer()) {
      case KNOWN -> {
        BackupView op = s.operation();
        if (op.running()) yield new Wait(FOLLOW, "member " + s.status().getMember() + " is backing up", op);
        if (op.succeeded()) yield new Complete(op);
        yield new Fail("Engine", "member " + s.status().getMember() + ": " + (op.error() == null ? op.state() : op.error()));
      }
      case FORGOTTEN -> start(s);
      case UNREACHABLE, NOT_ASKED -> s.members() == null
          || s.members().stream().anyMatch(m -> m.pod().equals(s.status().getMember()))
          ? new Wait(RETRY, "member " + s.status().getMember() + " does not answer", null)
          : new Fail("MemberGone", "member " + s.status().getMember() + " left the cluster while it was backing up");
    };
  }

  private static Decision verification(Snapshot s) {
    AionBackupSpec.Verify level = s.spec().getVerify();
    if (level == null || level == AionBackupSpec.Verify.None) return new Done();
    AionBackupStatus.Verification v = s.status().getVerification();
    if (v != null && v.getState() != AionBackupStatus.Verification.State.Running) return new Done();
    if (!s.clusterExists()) {
      return new Verified(false, "AionCluster " + s.spec().getCluster() + " does not exist: no member to verify from");
    }
    if (v != null && v.getStartedAt() != null
        && Instant.parse(v.getStartedAt()).plus(deadline(s.spec().getDeadline())).isBefore(s.now())) {
      return new Verified(false, "the verification did not complete within " + s.spec().getDeadline() + " of "
          + v.getStartedAt());
    }
    if (v == null) return verifyOn(s, s.status().getMember());
    return switch (s.answer()) {
      case KNOWN -> {
        BackupView op = s.operation();
        if (op.running()) yield new Wait(FOLLOW, "member " + v.getMember() + " is verifying the backup", null);
        yield new Verified(op.succeeded(), op.succeeded() ? null : "member " + v.getMember() + ": "
            + (op.error() == null ? op.state() : op.error()));
      }
      case FORGOTTEN -> verifyOn(s, v.getMember());
      case UNREACHABLE, NOT_ASKED -> s.members() == null || s.members().stream().anyMatch(m -> m.pod().equals(v.getMember()))
          ? new Wait(RETRY, "member " + v.getMember() + " does not answer", null)
          : verifyOn(s, null);
    };
  }

  /** {@code preferred} when the engine lists it, else the lowest-ordinal member it lists. */
  private static Decision verifyOn(Snapshot s, String preferred) {
    if (s.members() == null || s.members().isEmpty()) {
      return new Wait(RETRY, "the cluster's engine does not answer: no member to verify the backup", null);
    }
    if (preferred != null && s.members().stream().anyMatch(m -> m.pod().equals(preferred))) return new StartVerify(preferred);
    return new StartVerify(s.members().stream().min(Comparator.comparingInt(Member::ordinal)).orElseThrow().pod());
  }

  private static Decision start(Snapshot s) {
    if (s.members() == null) return new Wait(RETRY, "the cluster's engine does not answer: no member to back up from", null);
    Optional<Member> follower = s.members().stream().filter(m -> !m.leader() && m.voter() && m.caughtUp())
        .min(Comparator.comparingInt(Member::ordinal));
    Optional<Member> leader = s.members().stream().filter(Member::leader).findFirst();
    Optional<Member> pick = s.spec().getTarget() == AionBackupSpec.Target.Leader ? leader : follower.or(() -> leader);
    return pick.<Decision>map(m -> new Start(m.pod()))
        .orElseGet(() -> new Wait(RETRY, s.spec().getTarget() == AionBackupSpec.Target.Leader
            ? "the cluster has no leader to back up from" : "the cluster has no leader or caught-up follower to back up from", null));
  }

  /** {@code spec.deadline} (the CRD allows 1-99999 s, m or h). */
  static Duration deadline(String text) {
    String t = text == null ? "6h" : text;
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
