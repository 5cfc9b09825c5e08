package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.server.consensus.raft.ClusterAdmin.Progress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A member that stops applying while behind the leader is not caught up, whatever its lag (ClusterAdmin.stalled): the
 * roller must not restart the next member while a restarted one sits a few entries behind for good.
 */
class ClusterAdminStallTest {
  private static final long S = TimeUnit.SECONDS.toNanos(1);

  /** Feeds (applied, leaderCommit) observations one second apart; answers whether the last one counts as stalled. */
  private static boolean stalledAfter(long[][] observations) {
    Progress p = null;
    long now = 1_000 * S;
    boolean stalled = false;
    for (long[] o : observations) {
      p = ClusterAdmin.observe(p, o[0], o[1], now);
      stalled = ClusterAdmin.stalled(p, now);
      now += S;
    }
    return stalled;
  }

  @Test
  void aMemberStuckAFewEntriesBehindForFiveSecondsIsStalled() {
    // back from a restart at 7,215 while the leader committed 7,232 and went on: nothing applied for 5 s
    assertThat(stalledAfter(new long[][] {{7215, 7232}, {7215, 7400}, {7215, 7600}, {7215, 7800}, {7215, 8000},
        {7215, 8200}})).isTrue();
  }

  @Test
  void aStuckMemberIsStalledEvenWhenTheLeaderCommitsNothingMore() {
    assertThat(stalledAfter(new long[][] {{100, 117}, {100, 117}, {100, 117}, {100, 117}, {100, 117}, {100, 117}}))
        .isTrue();
  }

  @Test
  void fourSecondsWithoutProgressAreNotYetAStall() {
    assertThat(stalledAfter(new long[][] {{100, 117}, {100, 200}, {100, 300}, {100, 400}, {100, 500}})).isFalse();
  }

  @Test
  void aMemberThatAppliesSomethingEachTimeIsNeverStalled() {
    // far behind (catching up), but moving
    assertThat(stalledAfter(new long[][] {{100, 9000}, {900, 9100}, {1700, 9200}, {2500, 9300}, {3300, 9400},
        {4100, 9500}, {4900, 9600}})).isFalse();
  }

  @Test
  void anIdleClusterIsNeverStalled() {
    // every member at the commit index and no writes for minutes
    long[][] idle = new long[300][];
    for (int i = 0; i < idle.length; i++) idle[i] = new long[] {512, 512};
    assertThat(stalledAfter(idle)).isFalse();
  }

  @Test
  void aStalledMemberThatAppliesAgainIsNoLongerStalled() {
    assertThat(stalledAfter(new long[][] {{100, 117}, {100, 117}, {100, 117}, {100, 117}, {100, 117}, {100, 117},
        {118, 130}})).isFalse();
  }

  @Test
  void aMemberThatWasAtTheCommitIndexIsJudgedFromWhenItFellBehind() {
    // idle and caught up for a while, then the leader commits more and the member applies none of it
    long[][] before = {{117, 117}, {117, 117}, {117, 117}, {117, 117}, {117, 117}, {117, 117}};
    long[][] fourSeconds = {{117, 130}, {117, 140}, {117, 150}, {117, 160}, {117, 170}};
    long[][] fiveSeconds = {{117, 130}, {117, 140}, {117, 150}, {117, 160}, {117, 170}, {117, 180}};
    assertThat(stalledAfter(concat(before, fourSeconds))).isFalse();
    assertThat(stalledAfter(concat(before, fiveSeconds))).isTrue();
  }

  private static long[][] concat(long[][] a, long[][] b) {
    long[][] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
