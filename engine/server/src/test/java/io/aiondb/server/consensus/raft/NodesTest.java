package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.consensus.raft.ClusterAdmin.Member;
import io.aiondb.server.consensus.raft.ClusterAdmin.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node-terms rules of docs/cluster-api.md "Nodes", on hand-made group views (no cluster). */
class NodesTest {
  private static final long CAUGHT_UP_LAG = 1000;

  private static Member voter(String id, long lag) {
    return new Member(id, id + ":7072", id + ":7070", "FOLLOWER", true, 100 - lag, lag, lag <= CAUGHT_UP_LAG, true, 100 - lag, "0.1.0");
  }

  private static Member unreachable(String id) {
    return new Member(id, id + ":7072", id + ":7070", "UNKNOWN", true, 90, 10, false, false, null, null);
  }

  private static Member learner(String id, long lag) {
    return new Member(id, id + ":7072", id + ":7070", "LEARNER", false, 100 - lag, lag, lag <= CAUGHT_UP_LAG, true, 100 - lag, "0.1.0");
  }

  private static View group(String leader, Member... members) {
    List<Member> ms = new ArrayList<>();
    for (Member m : members) {
      ms.add(m.id().equals(leader) ? new Member(m.id(), m.raftAddress(), m.httpAddress(), "LEADER", true, m.commitIndex(),
          m.lag(), m.caughtUp(), m.reachable(), m.appliedIndex(), m.version()) : m);
    }
    return new View("g1", leader, 3, 100, ms);
  }

  @Test
  void everyVoterIsSafeWhenAllAreCaughtUp() {
    View v = group("aion-0", voter("aion-0", 0), voter("aion-1", 2), voter("aion-2", 0));
    for (String id : List.of("aion-0", "aion-1", "aion-2")) {
      assertThat(Nodes.safety(v, id)).isEqualTo(new Nodes.Safety(true, true, null));
    }
  }

  @Test
  void restartingWhileAnotherVoterIsFarBehindIsRefusedWithTheLagAndTheArithmetic() {
    View v = group("aion-0", voter("aion-0", 0), voter("aion-1", 0), voter("aion-2", 12_400));
    Nodes.Safety s = Nodes.safety(v, "aion-1");
    assertThat(s.restart()).isFalse();
    assertThat(s.remove()).isFalse(); // {aion-0, aion-2} needs both, and aion-2 is behind
    assertThat(s.reason()).isEqualTo("aion-2 is 12,400 entries behind: restarting aion-1 now would leave 1 of 3 voters"
        + " caught up, below the quorum of 2; removing aion-1 would leave 1 of 2 voters caught up, below the quorum of 2");
    // the lagging voter itself may restart: the other two still form a quorum
    assertThat(Nodes.safety(v, "aion-2")).isEqualTo(new Nodes.Safety(true, true, null));
  }

  @Test
  void removalNeedsAQuorumOfTheSmallerConfiguration() {
    // four voters, two unhealthy: removing aion-1 leaves {aion-0, aion-2, aion-3} with only aion-0 healthy (< 2)
    View v = group("aion-0", voter("aion-0", 0), voter("aion-1", 0), unreachable("aion-2"), voter("aion-3", 5000));
    Nodes.Safety s = Nodes.safety(v, "aion-1");
    assertThat(s.restart()).isFalse();
    assertThat(s.remove()).isFalse();
    assertThat(s.reason()).isEqualTo("aion-2 is unreachable, aion-3 is 5,000 entries behind: restarting aion-1 now would"
        + " leave 1 of 4 voters caught up, below the quorum of 3; removing aion-1 would leave 1 of 3 voters caught up,"
        + " below the quorum of 2");
  }

  @Test
  void theOnlyVoterCanRestartNeitherSafelyNorBeRemoved() {
    View v = group("aion-0", voter("aion-0", 0), learner("aion-1", 0));
    Nodes.Safety s = Nodes.safety(v, "aion-0");
    assertThat(s).isEqualTo(new Nodes.Safety(false, false, "restarting aion-0 now would leave 0 of 1 voters caught up,"
        + " below the quorum of 1; removing aion-0 is impossible: it is the only voter"));
    assertThat(Nodes.safety(v, "aion-1")).as("a learner").isEqualTo(new Nodes.Safety(true, true, null));
  }

  @Test
  void nothingIsSafeWithoutAKnownLeader() {
    View v = group(null, voter("aion-0", 0), voter("aion-1", 0), voter("aion-2", 0));
    Nodes.Safety s = Nodes.safety(v, "aion-1");
    assertThat(s.restart()).isFalse();
    assertThat(s.remove()).isFalse();
    assertThat(s.reason()).startsWith("no leader is known");
    assertThat(Nodes.node("aion-1", List.of(v), null).membership()).isEqualTo(Nodes.Membership.Unknown);
  }

  @Test
  void transferGoesToTheMostCaughtUpReachableVoterNeverToALearnerOrTheLeaderItself() {
    View v = group("aion-0", voter("aion-0", 0), voter("aion-1", 40), voter("aion-2", 3), unreachable("aion-3"),
        learner("aion-4", 0));
    assertThat(Nodes.transferTarget(v, "aion-0").id()).isEqualTo("aion-2");
    // ties: the smallest id, so every retry picks the same node
    View tie = group("aion-0", voter("aion-0", 0), voter("aion-2", 0), voter("aion-1", 0));
    assertThat(Nodes.transferTarget(tie, "aion-0").id()).isEqualTo("aion-1");
    // a voter beyond cluster.caught-up-lag is not a target even when it is the only other voter
    View behind = group("aion-0", voter("aion-0", 0), voter("aion-1", 5000), learner("aion-2", 0));
    assertThat(Nodes.transferTarget(behind, "aion-0")).isNull();
  }

  @Test
  void aPreferredTargetIsTakenOnlyWhenItIsAReachableCaughtUpVoter() {
    View v = group("aion-0", voter("aion-0", 0), voter("aion-1", 0), voter("aion-2", 7), unreachable("aion-3"),
        learner("aion-4", 0), voter("aion-5", 5000));
    assertThat(Nodes.transferTarget(v, "aion-0", "aion-2").id()).isEqualTo("aion-2");
    assertThat(Nodes.transferTarget(v, "aion-0", null).id()).isEqualTo("aion-1");
    // not usable: the usual choice instead
    for (String p : List.of("aion-3", "aion-4", "aion-5", "aion-0", "aion-9")) {
      assertThat(Nodes.transferTarget(v, "aion-0", p).id()).as(p).isEqualTo("aion-1");
    }
  }

  @Test
  void aNodeAggregatesItsGroups() {
    View g1 = group("aion-0", voter("aion-0", 0), voter("aion-1", 7), voter("aion-2", 0));
    View g2 = new View("g2", "aion-1", 5, 100, Arrays.asList(voter("aion-0", 0),
        new Member("aion-1", "aion-1:7072", "aion-1:7070", "LEADER", true, 100, 0, true, true, 100L, "0.1.0"),
        voter("aion-2", 12)));
    Nodes.NodeState n = Nodes.node("aion-1", List.of(g1, g2), null);
    assertThat(n.membership()).isEqualTo(Nodes.Membership.Voter);
    assertThat(n.leads()).isEqualTo(1);
    assertThat(n.lag()).isEqualTo(7);
    assertThat(n.caughtUp()).isTrue();
    assertThat(n.groups()).extracting(Nodes.Group::groupId, Nodes.Group::role)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("g1", "FOLLOWER"), org.assertj.core.groups.Tuple.tuple("g2", "LEADER"));
    assertThat(n.safeToRestart()).isTrue();
    assertThat(Nodes.node("aion-9", List.of(g1, g2), null)).as("a member of no group").isNull();
    assertThat(Nodes.ids(List.of(g1, g2))).containsExactly("aion-0", "aion-1", "aion-2");
  }

  @Test
  void aNodeIsUnsafeWhenAnyGroupIsAndSaysWhichGroup() {
    View g1 = group("aion-0", voter("aion-0", 0), voter("aion-1", 0), voter("aion-2", 0));
    View g2 = new View("g2", "aion-0", 5, 100, List.of(voter("aion-0", 0), voter("aion-1", 0), unreachable("aion-2")));
    Nodes.NodeState n = Nodes.node("aion-1", List.of(g1, g2), null);
    assertThat(n.safeToRestart()).isFalse();
    assertThat(n.reason()).isEqualTo("group g2: aion-2 is unreachable: restarting aion-1 now would leave 1 of 3 voters"
        + " caught up, below the quorum of 2; removing aion-1 would leave 1 of 2 voters caught up, below the quorum of 2");
    assertThat(n.groups()).extracting(Nodes.Group::safeToRestart).containsExactly(true, false);
  }

  @Test
  void membershipStates() {
    View joining = group("aion-0", voter("aion-0", 0), learner("aion-3", 40_000));
    assertThat(Nodes.node("aion-3", List.of(joining), null).membership()).isEqualTo(Nodes.Membership.Joining);
    View caughtUp = group("aion-0", voter("aion-0", 0), learner("aion-3", 10));
    assertThat(Nodes.node("aion-3", List.of(caughtUp), null).membership()).isEqualTo(Nodes.Membership.Learner);
    assertThat(Nodes.node("aion-0", List.of(caughtUp), null).membership()).isEqualTo(Nodes.Membership.Voter);
    var leaving = new Nodes.Decommission("InProgress", 1);
    Nodes.NodeState n = Nodes.node("aion-3", List.of(caughtUp), leaving);
    assertThat(n.membership()).isEqualTo(Nodes.Membership.Leaving);
    assertThat(n.decommission()).isEqualTo(leaving);
  }
}
