package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How far behind a member counts: the leader's figure and the member's own, whichever is further behind. */
class ClusterAdminLagTest {

  @Test
  void aMemberWhoseOwnAppliedIndexIsBehindIsBehindWhateverTheLeaderLastHeard() {
    // the leader heard commit 28,255 before the member restarted; the member now applies nothing past 26,000
    assertThat(ClusterAdmin.lag(28_300, 28_255, 26_000L)).isEqualTo(2_300);
  }

  @Test
  void theLeadersFigureCountsWhenItIsTheLowerOne() {
    assertThat(ClusterAdmin.lag(1_000, 900, 990L)).isEqualTo(100);
  }

  @Test
  void eitherFigureAloneIsUsedAndNeitherMeansUnknown() {
    assertThat(ClusterAdmin.lag(1_000, -1, 995L)).isEqualTo(5);
    assertThat(ClusterAdmin.lag(1_000, 998, null)).isEqualTo(2);
    assertThat(ClusterAdmin.lag(1_000, -1, null)).isEqualTo(-1);
  }

  @Test
  void aMemberAheadOfTheLeadersCommitIsNotBehind() {
    assertThat(ClusterAdmin.lag(1_000, 1_002, 1_001L)).isZero();
  }
}
