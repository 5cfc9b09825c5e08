package io.aiondb.operator.rollout;

import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.Membership;
import io.aiondb.operator.rollout.Snapshot.Node;
import io.aiondb.operator.rollout.Snapshot.Pod;
import io.aiondb.operator.rollout.Snapshot.StatefulSetView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A compact builder of {@link Snapshot}s for the roller's tables. {@code Cluster.of(3)} is a settled cluster: three
 * Ready pods on revision {@code r1}, three caught-up voters reporting version {@code 1.0}, aion-0 leading,
 * everything safe, spec and StatefulSet at 3 replicas. Each method changes one fact.
 */
final class Cluster {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final Duration TIMEOUT = Duration.ofMinutes(10);

  private static final class M {
    boolean pod = true;
    boolean ready = true;
    Instant since = NOW.minus(Duration.ofHours(1));
    String revision = "r1";
    boolean deleting;
    String said;
    Membership membership = Membership.VOTER;
    boolean reachable = true;
    long lag;
    boolean leader;
    String version = "1.0";
    boolean safeToRestart = true;
    boolean safeToRemove = true;
    String reason;
    boolean empty;
  }

  private final List<M> ms = new ArrayList<>();
  private String update = "r1";
  private String targetVersion = "1.0";
  private int desired;
  private int sts;
  private boolean observed = true;
  private String engineError;
  private RolloutStatus rollout;

  static Cluster of(int n) {
    Cluster c = new Cluster();
    c.desired = n;
    c.sts = n;
    c.grow(n);
    for (M m : c.ms) {
      m.pod = true;
      m.membership = Membership.VOTER;
    }
    c.ms.getFirst().leader = true;
    return c;
  }

  /** Adds members without pods, unknown to the engine, up to {@code n}. */
  private void grow(int n) {
    while (ms.size() < n) {
      M m = new M();
      m.pod = false;
      m.membership = Membership.ABSENT;
      ms.add(m);
    }
  }

  /** spec.version changes to 2.0: the template moves to revision r2. */
  Cluster upgrade() {
    update = "r2";
    targetVersion = "2.0";
    return this;
  }

  /** spec.config changes: the template moves to revision r2, the version stays. */
  Cluster configChange() {
    update = "r2";
    return this;
  }

  /** The spec is set back: the update revision is r1 (version 1.0) again. */
  Cluster rolledBack() {
    update = "r1";
    targetVersion = "1.0";
    return this;
  }

  /** These members were restarted onto the update revision and report the target version. */
  Cluster updated(int... is) {
    for (int i : is) {
      ms.get(i).revision = update;
      ms.get(i).version = targetVersion;
    }
    return this;
  }

  /** These members run revision r2 reporting 2.0 (whatever the spec says now). */
  Cluster onR2(int... is) {
    for (int i : is) {
      ms.get(i).revision = "r2";
      ms.get(i).version = "2.0";
    }
    return this;
  }

  Cluster leader(int i) {
    ms.forEach(m -> m.leader = false);
    if (i >= 0) {
      ms.get(i).leader = true;
    }
    return this;
  }

  Cluster notReady(int i, Duration forHowLong, String said) {
    M m = ms.get(i);
    m.ready = false;
    m.since = NOW.minus(forHowLong);
    m.said = said;
    return this;
  }

  Cluster behind(int i, long lag) {
    ms.get(i).lag = lag;
    return this;
  }

  Cluster unreachable(int i) {
    ms.get(i).reachable = false;
    ms.get(i).version = null;
    return this;
  }

  Cluster reports(int i, String version) {
    ms.get(i).version = version;
    return this;
  }

  Cluster unsafe(int i, String reason) {
    ms.get(i).safeToRestart = false;
    ms.get(i).reason = reason;
    return this;
  }

  Cluster unsafeToRemove(int i, String reason) {
    ms.get(i).safeToRemove = false;
    ms.get(i).reason = reason;
    return this;
  }

  Cluster deleting(int i) {
    ms.get(i).deleting = true;
    return this;
  }

  Cluster noPod(int i) {
    ms.get(i).pod = false;
    return this;
  }

  /** A fresh Ready pod on the update revision (a new member's, or one recreated empty). */
  Cluster newPod(int i) {
    grow(i + 1);
    M m = ms.get(i);
    m.pod = true;
    m.ready = true;
    m.since = NOW.minus(Duration.ofMinutes(1));
    m.revision = update;
    m.version = targetVersion;
    return this;
  }

  Cluster learner(int i) {
    ms.get(i).membership = Membership.LEARNER;
    ms.get(i).leader = false;
    return this;
  }

  Cluster voter(int i) {
    ms.get(i).membership = Membership.VOTER;
    return this;
  }

  Cluster absent(int i) {
    ms.get(i).membership = Membership.ABSENT;
    ms.get(i).leader = false;
    return this;
  }

  /** The pod came back with an empty volume: the node refuses to vote and waits to be re-added. */
  Cluster emptyData(int i) {
    ms.get(i).empty = true;
    ms.get(i).reachable = false;
    return this;
  }

  /** spec.replicas. */
  Cluster desired(int n) {
    desired = n;
    grow(n);
    return this;
  }

  /** The StatefulSet's spec.replicas. */
  Cluster sts(int n) {
    sts = n;
    grow(n);
    return this;
  }

  Cluster unobserved() {
    observed = false;
    return this;
  }

  Cluster engineDown(String why) {
    engineError = why;
    return this;
  }

  /** status.rollout for the current target, which last disturbed {@code member} {@code ago}. */
  Cluster inFlight(String member, Duration ago) {
    rollout = new RolloutStatus(update, desired, targetVersion, NOW.minus(Duration.ofHours(1)), 0, member,
        NOW.minus(ago), null, null);
    return this;
  }

  /** status.rollout halted on {@code member} while rolling out {@code revision} to {@code replicas}. */
  Cluster halted(String revision, int replicas, String member, String said) {
    rollout = new RolloutStatus(revision, replicas, null, NOW.minus(Duration.ofHours(1)), 1, member,
        NOW.minus(Duration.ofMinutes(30)), member, said);
    return this;
  }

  Snapshot build() {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      M m = ms.get(i);
      Pod pod = m.pod ? new Pod(m.ready, m.since, m.revision, m.deleting, m.said) : null;
      Node node = m.membership == Membership.ABSENT && !m.empty ? null
          : new Node(m.membership, m.reachable, m.lag <= 1000, m.lag, m.leader, m.version, m.safeToRestart,
              m.safeToRemove, m.reason, m.empty);
      members.add(new Member(i, "aion-" + i, pod, node));
    }
    return new Snapshot(members, new StatefulSetView(update, "r1", sts, sts, observed), desired, targetVersion,
        engineError, NOW, TIMEOUT, rollout);
  }

  @Override
  public String toString() {
    return "";
  }
}
