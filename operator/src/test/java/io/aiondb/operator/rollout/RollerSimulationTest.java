package io.aiondb.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.Membership;
import io.aiondb.operator.rollout.Snapshot.Node;
import io.aiondb.operator.rollout.Snapshot.Pod;
import io.aiondb.operator.rollout.Snapshot.StatefulSetView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drives the roller against a small model of a cluster until it says Done, carrying out each action the way the
 * reconciler and the engine would (a restarted pod is first not Ready, then Ready but behind, then caught up), and
 * checks the safety invariants after every step: a quorum of voters stays healthy, the leader is never restarted or
 * removed while it leads, a pod is never deleted while its member is in the group, at most one voter is unhealthy.
 * The status is kept only in {@link RolloutStatus} between steps, as the operator keeps it.
 */
class RollerSimulationTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  /** One ordinal of the model. {@code recovering} counts the steps until a disturbed member is healthy again. */
  private static final class M {
    boolean pod;
    String revision;
    Membership membership = Membership.ABSENT;
    int recovering;
    boolean empty;
  }

  private static final class World {
    final List<M> ms = new ArrayList<>();
    String update = "r1";
    int sts;
    int desired;
    int leader = 0;
    RolloutStatus rollout;
    Instant now = T0;
    final List<String> log = new ArrayList<>();

    World(int n) {
      sts = desired = n;
      for (int i = 0; i < n; i++) {
        M m = at(i);
        m.pod = true;
        m.revision = "r1";
        m.membership = Membership.VOTER;
      }
    }

    M at(int i) {
      while (ms.size() <= i) {
        ms.add(new M());
      }
      return ms.get(i);
    }

    static String version(String revision) {
      return revision.equals("r1") ? "1.0" : "2.0";
    }

    boolean healthy(int i) {
      M m = ms.get(i);
      return m.pod && m.membership != Membership.ABSENT && m.recovering == 0 && !m.empty;
    }

    List<Integer> voters() {
      List<Integer> v = new ArrayList<>();
      for (int i = 0; i < ms.size(); i++) {
        if (ms.get(i).membership == Membership.VOTER) {
          v.add(i);
        }
      }
      return v;
    }

    boolean quorumWithout(int skip, int voterCount) {
      long ok = voters().stream().filter(v -> v != skip && healthy(v)).count();
      return ok >= voterCount / 2 + 1;
    }

    Snapshot snapshot() {
      List<Member> members = new ArrayList<>();
      int n = Math.max(Math.max(desired, sts), ms.size());
      for (int i = 0; i < n; i++) {
        M m = at(i);
        boolean starting = m.recovering >= 2;
        Pod pod = m.pod ? new Pod(!starting, T0, m.revision, false, starting ? "starting" : null) : null;
        Node node = null;
        if (m.membership != Membership.ABSENT || m.empty) {
          boolean reachable = m.pod && m.recovering < 2 && !m.empty;
          int voters = voters().size();
          boolean safeRestart = quorumWithout(i, voters);
          boolean safeRemove = quorumWithout(i, m.membership == Membership.VOTER ? voters - 1 : voters);
          node = new Node(m.membership, reachable, m.recovering == 0, m.recovering == 0 ? 0 : 50_000, i == leader,
              reachable ? version(m.revision) : null, safeRestart, safeRemove, safeRestart ? null : "quorum at risk",
              m.empty);
        }
        members.add(new Member(i, "aion-" + i, pod, node));
      }
      String version = version(update);
      return new Snapshot(members, new StatefulSetView(update, "r1", sts, sts, true), desired, version,
          leader < 0 ? "no leader" : null, now, Duration.ofMinutes(10), rollout);
    }

    /** One reconciliation: decide, record the status, act; then the world moves on by one step. */
    Action step() {
      Snapshot s = snapshot();
      Action a = Roller.next(s);
      log.add(a.summary());
      rollout = RolloutStatus.after(s, a);
      apply(a);
      checkInvariants(a);
      for (M m : ms) {
        if (m.recovering > 0) {
          m.recovering--;
        }
      }
      now = now.plusSeconds(5);
      return a;
    }

    private int ordinal(String name) {
      return Integer.parseInt(name.substring("aion-".length()));
    }

    private void apply(Action a) {
      switch (a) {
        case Action.RestartPod r -> {
          int i = ordinal(r.member());
          if (i == leader && voters().size() > 1) {
            fail("restarted the leader " + r.member() + " while it leads: " + log);
          }
          M m = ms.get(i);
          m.revision = update;
          m.recovering = 3;
          m.empty = false;
        }
        case Action.DrainLeadership d -> {
          int to = ordinal(d.to());
          assertThat(healthy(to) && ms.get(to).membership == Membership.VOTER)
              .as("drained to %s, not a healthy voter: %s", d.to(), log).isTrue();
          leader = to;
        }
        case Action.AddLearner l -> {
          M m = ms.get(ordinal(l.member()));
          assertThat(m.pod).as("a learner needs a running pod").isTrue();
          m.membership = Membership.LEARNER;
          m.recovering = 2;
        }
        case Action.Promote p -> {
          M m = ms.get(ordinal(p.member()));
          assertThat(m.membership).isEqualTo(Membership.LEARNER);
          assertThat(m.recovering).as("promoted before caught up").isZero();
          m.membership = Membership.VOTER;
        }
        case Action.Decommission d -> {
          int i = ordinal(d.member());
          assertThat(i).as("removed the leader " + log).isNotEqualTo(leader);
          ms.get(i).membership = Membership.ABSENT;
        }
        case Action.ReplaceMember r -> {
          M m = ms.get(ordinal(r.member()));
          m.membership = Membership.LEARNER;
          m.empty = false;
          m.recovering = 2;
        }
        case Action.ScaleStatefulSet sc -> {
          for (int i = sc.replicas(); i < sts; i++) {
            assertThat(ms.get(i).membership).as("deleted the pod of aion-%d while in the group: %s", i, log)
                .isEqualTo(Membership.ABSENT);
            ms.get(i).pod = false;
          }
          for (int i = sts; i < sc.replicas(); i++) {
            M m = at(i);
            m.pod = true;
            m.revision = update;
            m.recovering = 3;
          }
          sts = sc.replicas();
        }
        case Action.Halt h -> fail("halted: " + h.message() + " " + log);
        case Action.Wait w -> { }
        case Action.Done d -> { }
      }
    }

    private void checkInvariants(Action a) {
      List<Integer> voters = voters();
      if (voters.size() > 1) {
        long healthy = voters.stream().filter(this::healthy).count();
        assertThat(healthy).as("healthy voters after %s: %s", a.summary(), log)
            .isGreaterThanOrEqualTo(voters.size() / 2 + 1);
        assertThat(voters.size() - healthy).as("unhealthy voters after %s: %s", a.summary(), log)
            .isLessThanOrEqualTo(1);
      }
    }

    /** Steps until Done; returns the actions taken (waits left out). */
    List<String> converge() {
      for (int i = 0; i < 200; i++) {
        if (step() instanceof Action.Done) {
          return log.stream().filter(s -> !s.startsWith("Wait")).toList();
        }
      }
      throw new AssertionError("no convergence in 200 steps: " + log);
    }

    void assertMatchesSpec() {
      assertThat(sts).isEqualTo(desired);
      for (int i = 0; i < ms.size(); i++) {
        M m = ms.get(i);
        if (i < desired) {
          assertThat(m.membership).as("aion-%d", i).isEqualTo(Membership.VOTER);
          assertThat(m.revision).as("aion-%d", i).isEqualTo(update);
        } else {
          assertThat(m.membership).as("aion-%d", i).isEqualTo(Membership.ABSENT);
          assertThat(m.pod).as("aion-%d", i).isFalse();
        }
      }
      assertThat(rollout).as("status.rollout is cleared when done").isNull();
    }
  }

  @Test
  void upgradeRestartsFollowersThenTheLeaderAfterADrain() {
    World w = new World(3);
    w.update = "r2";
    assertThat(w.converge()).containsExactly(
        "RestartPod aion-2", "RestartPod aion-1", "DrainLeadership aion-0", "RestartPod aion-0", "Done");
    w.assertMatchesSpec();
  }

  @Test
  void scaleThreeToFiveAndBack() {
    World w = new World(3);
    w.desired = 5;
    assertThat(w.converge()).containsExactly(
        "ScaleStatefulSet 4", "AddLearner aion-3", "Promote aion-3",
        "ScaleStatefulSet 5", "AddLearner aion-4", "Promote aion-4", "Done");
    w.assertMatchesSpec();
    w.log.clear();
    w.leader = 4;
    w.desired = 3;
    assertThat(w.converge()).containsExactly(
        "DrainLeadership aion-4", "Decommission aion-4", "ScaleStatefulSet 4", "Decommission aion-3",
        "ScaleStatefulSet 3", "Done");
    w.assertMatchesSpec();
  }

  @Test
  void scaleOneToThree() {
    World w = new World(1);
    w.desired = 3;
    assertThat(w.converge()).containsExactly(
        "ScaleStatefulSet 2", "AddLearner aion-1", "Promote aion-1",
        "ScaleStatefulSet 3", "AddLearner aion-2", "Promote aion-2", "Done");
    w.assertMatchesSpec();
  }

  @Test
  void scaleUpReversedWhileTheFourthIsALearner() {
    World w = new World(3);
    w.desired = 5;
    while (w.ms.size() < 4 || w.ms.get(3).membership != Membership.LEARNER) {
      w.step();
    }
    w.desired = 3;
    w.log.clear();
    assertThat(w.converge()).containsExactly("Decommission aion-3", "ScaleStatefulSet 3", "Done");
    w.assertMatchesSpec();
  }

  @Test
  void upgradeWithScaleUpAndAnOperatorRestartEveryStepConverges() {
    World w = new World(3);
    w.update = "r2";
    w.desired = 5;
    w.leader = 1;
    List<String> done = new ArrayList<>();
    for (int i = 0; i < 200 && !done.contains("Done"); i++) {
      w.rollout = null; // a new operator that lost nothing it needs: the cluster itself is the state
      done.add(w.step().summary());
    }
    assertThat(done).contains("Done");
    assertThat(done.stream().filter(s -> !s.startsWith("Wait")).toList()).containsExactly(
        "RestartPod aion-2", "RestartPod aion-0", "DrainLeadership aion-1", "RestartPod aion-1",
        "ScaleStatefulSet 4", "AddLearner aion-3", "Promote aion-3",
        "ScaleStatefulSet 5", "AddLearner aion-4", "Promote aion-4", "Done");
    w.assertMatchesSpec();
  }

  @Test
  void aMemberThatLostItsDataIsReplacedAndPromoted() {
    World w = new World(3);
    w.ms.get(2).empty = true;
    assertThat(w.converge()).containsExactly("ReplaceMember aion-2", "Promote aion-2", "Done");
    w.assertMatchesSpec();
  }
}
