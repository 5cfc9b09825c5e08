package io.aiondb.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.rollout.Action;
import io.aiondb.operator.rollout.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The record-then-act rule of {@link RolloutStep}: an action is carried out only once its record is in the status. */
class RolloutStepTest {
  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void anActionIsCarriedOutOnceItsRecordIsWritten() {
    var recorded = new RolloutStatus("r2", 3, null, T0, 1, "aion-2", T0, null, null);
    var decidedAgain = new RolloutStatus("r2", 3, null, T0, 1, "aion-2", T0.plusSeconds(1), null, null);
    assertThat(RolloutStep.sameExceptSince(recorded, decidedAgain)).as("the same restart decided a second later").isTrue();
    assertThat(RolloutStep.sameExceptSince(recorded,
        new RolloutStatus("r2", 3, null, T0, 1, "aion-1", T0.plusSeconds(1), null, null))).as("another member").isFalse();
    assertThat(RolloutStep.sameExceptSince(null, decidedAgain)).as("nothing recorded yet").isFalse();
    assertThat(RolloutStep.sameExceptSince(recorded,
        new RolloutStatus("r2", 3, null, T0, 2, "aion-2", T0, null, null))).as("another count").isFalse();
    assertThat(RolloutStep.sameExceptSince(null, null)).isTrue();
  }

  @Test
  void onlyChangesAreActionsAndADeferredOneIsLookedAtSoon() {
    assertThat(RolloutStep.acts(new Action.RestartPod("aion-2", "r1", "r2"))).isTrue();
    assertThat(RolloutStep.acts(new Action.ScaleStatefulSet(4, 3))).isTrue();
    assertThat(RolloutStep.acts(new Action.Wait("MemberNotReady", "x", Duration.ofSeconds(5)))).isFalse();
    assertThat(RolloutStep.acts(new Action.Halt("RolloutStalled", "aion-2", null))).isFalse();
    assertThat(RolloutStep.acts(new Action.Done())).isFalse();
    var restart = new Action.RestartPod("aion-2", "r1", "r2");
    assertThat(new RolloutStep.Outcome(null, restart, null, null, true).requeueAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(new RolloutStep.Outcome(null, restart, null, null, false).requeueAfter()).isEqualTo(Duration.ofSeconds(2));
    assertThat(new RolloutStep.Outcome(null, new Action.Wait("X", "x", Duration.ofSeconds(15)), null, null)
        .requeueAfter()).isEqualTo(Duration.ofSeconds(15));
  }
}
