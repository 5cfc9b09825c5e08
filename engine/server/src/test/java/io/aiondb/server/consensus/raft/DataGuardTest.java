package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.consensus.raft.DataGuard.Action;
import io.aiondb.server.consensus.raft.DataGuard.PeerView;
import io.aiondb.server.consensus.raft.DataGuard.Seen;
import io.aiondb.server.consensus.raft.DataGuard.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start decision of a node whose Raft storage is missing (docs/design/006-empty-data-dir.md), table by table. */
class DataGuardTest {
  private static PeerView peer(String id, Map<String, Seen> members) {
    return new PeerView(id, members);
  }

  private static final Seen VOTER_WITH_DATA = new Seen(true, 1200);
  private static final Seen VOTER_NEVER_HEARD = new Seen(true, -1);
  private static final Seen LEARNER_WITH_DATA = new Seen(false, 800);

  @Test
  void aWipedVoterIsRefusedWhateverItsBootstrapSetting() {
    for (boolean bootstrap : new boolean[] {true, false}) {
      var d = DataGuard.decide("aion-1", bootstrap, List.of(
          peer("aion-0", Map.of("aion-0", VOTER_WITH_DATA, "aion-1", VOTER_WITH_DATA, "aion-2", VOTER_WITH_DATA))));
      assertThat(d.action()).isEqualTo(Action.WAIT);
      assertThat(d.state()).isEqualTo(State.EMPTY_REFUSED_VOTER);
      assertThat(d.state().toString()).isEqualTo("empty-refused-voter");
      assertThat(d.reason()).startsWith("aion-0 lists aion-1 as a voter that acknowledged entries up to index 1200")
          .contains("POST /v1/cluster/nodes/aion-1/decommission");
    }
  }

  @Test
  void oneMemberThatRemembersItsDataIsEnough() {
    // aion-2 restarted and forgot aion-1's progress; aion-0 remembers it
    var d = DataGuard.decide("aion-1", true, List.of(
        peer("aion-2", Map.of("aion-1", VOTER_NEVER_HEARD, "aion-2", VOTER_WITH_DATA)),
        peer("aion-0", Map.of("aion-1", VOTER_WITH_DATA, "aion-0", VOTER_WITH_DATA))));
    assertThat(d.state()).isEqualTo(State.EMPTY_REFUSED_VOTER);
  }

  @Test
  void firstStartFormsTheClusterWhenNobodyAnswersOrNobodyHeardOfIt() {
    assertThat(DataGuard.decide("aion-1", true, List.of()).action()).isEqualTo(Action.BOOTSTRAP);
    // a member that started first already lists everybody from cluster.peers, but never heard from aion-1
    var forming = DataGuard.decide("aion-1", true, List.of(
        peer("aion-0", Map.of("aion-0", VOTER_WITH_DATA, "aion-1", VOTER_NEVER_HEARD, "aion-2", VOTER_NEVER_HEARD))));
    assertThat(forming.action()).isEqualTo(Action.BOOTSTRAP);
    assertThat(forming.state()).isEqualTo(State.EMPTY_BOOTSTRAPPED);
    // a member answering with no configuration (itself empty and waiting) knows nothing
    assertThat(DataGuard.decide("aion-1", true, List.of(peer("aion-2", Map.of()))).action()).isEqualTo(Action.BOOTSTRAP);
  }

  @Test
  void aJoinerWaitsForAMemberThenStartsWithoutAConfiguration() {
    var alone = DataGuard.decide("aion-3", false, List.of(peer("aion-2", Map.of())));
    assertThat(alone.action()).isEqualTo(Action.WAIT);
    assertThat(alone.state()).isEqualTo(State.EMPTY_AWAITING_PEERS);
    var join = DataGuard.decide("aion-3", false, List.of(peer("aion-0", Map.of("aion-0", VOTER_WITH_DATA))));
    assertThat(join.action()).isEqualTo(Action.JOIN);
    assertThat(join.state()).isEqualTo(State.EMPTY_AWAITING_JOIN);
    assertThat(join.state().toString()).isEqualTo("empty-awaiting-join");
  }

  @Test
  void aRemovedMemberWithBootstrapTrueJoinsInsteadOfDeclaringTheOldPeers() {
    var d = DataGuard.decide("aion-1", true, List.of(peer("aion-0", Map.of("aion-0", VOTER_WITH_DATA, "aion-2", VOTER_WITH_DATA))));
    assertThat(d.action()).isEqualTo(Action.JOIN);
  }

  @Test
  void aWipedLearnerJustCatchesUpAgain() {
    var d = DataGuard.decide("aion-3", false, List.of(peer("aion-0", Map.of("aion-0", VOTER_WITH_DATA, "aion-3", LEARNER_WITH_DATA))));
    assertThat(d.action()).isEqualTo(Action.JOIN);
  }
}
