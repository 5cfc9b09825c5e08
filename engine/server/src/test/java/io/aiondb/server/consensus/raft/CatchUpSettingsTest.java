package io.aiondb.server.consensus.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/**
 * The Ratis settings that let a follower back from a restart catch up (RaftNode.catchUpSettings): followers write an
 * append before they acknowledge it, and the leader's pause between appends to a follower that keeps failing is short
 * enough that a returning follower, which has collected dozens of failures meanwhile, is resynced within a fraction
 * of a second per round, and is never exhausted (an exhausted policy would stop pausing and spin).
 */
class CatchUpSettingsTest {
  private static final RaftProperties SETTINGS = settings();
  private static final RetryPolicy POLICY = RetryPolicy.parse(
      RaftServerConfigKeys.Log.Appender.retryPolicy(SETTINGS), RaftServerConfigKeys.Log.Appender.RETRY_POLICY_KEY);

  private static RaftProperties settings() {
    RaftProperties p = new RaftProperties();
    RaftNode.catchUpSettings(p);
    return p;
  }

  @Test
  void followersWriteEachAppendBeforeAcknowledgingIt() {
    // Ratis 3.3.0's default (true) can acknowledge entries never written: see ComposedAppendAcknowledgesUnwrittenEntriesTest
    assertThat(RaftServerConfigKeys.Log.appendEntriesComposeEnabled(SETTINGS)).isFalse();
  }

  private static RetryPolicy.Action after(int failures) {
    return POLICY.handleAttemptFailure(() -> failures);
  }

  @Test
  void aFollowerBackFromARestartWaitsAtMostAboutHalfASecondPerFailedRound() {
    // A rolling restart keeps a member away 20-30 s: at 250 ms heartbeats and faster retries that is 30-100 failures.
    for (int failures : new int[] {31, 40, 100, 1_000}) {
      RetryPolicy.Action a = after(failures);
      assertThat(a.shouldRetry()).as("retry after %d failures", failures).isTrue();
      // the pause is drawn at random around the configured 500 ms; Ratis's default draws around 5 s here
      assertThat(a.getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS))
          .as("pause after %d failures", failures).isLessThanOrEqualTo(750);
    }
  }

  @Test
  void theFirstFailuresAreRetriedAtOnce() {
    assertThat(after(1).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(2);
    assertThat(after(10).getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS)).isLessThanOrEqualTo(2);
  }

  @Test
  void aFollowerDownForDaysIsStillRetriedWithAPause() {
    // 10 million failures at 500 ms: ~58 days
    RetryPolicy.Action a = after(10_000_000);
    assertThat(a.shouldRetry()).isTrue();
    assertThat(a.getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
  }
}
