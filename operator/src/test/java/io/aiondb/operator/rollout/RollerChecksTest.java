package io.aiondb.operator.rollout;

import static io.aiondb.operator.rollout.Cluster.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each named check alone: the cluster, the member about to be disturbed, and what the check says (null: passes). */
class RollerChecksTest {
  private static Arguments row(Check check, Cluster c, int member, String says) {
    return Arguments.of(check, c, member, says);
  }

  static Stream<Arguments> rows() {
    Duration s30 = Duration.ofSeconds(30);
    return Stream.of(
        row(Check.OTHERS_READY, of(3), 2, null),
        row(Check.OTHERS_READY, of(3).notReady(2, s30, null), 2, null),
        row(Check.OTHERS_READY, of(3).notReady(1, s30, "Readiness probe failed"), 2,
            "waiting for aion-1 to become Ready (Readiness probe failed)"),
        row(Check.OTHERS_READY, of(3).noPod(0), 2, "waiting for aion-0's pod to be created"),
        row(Check.OTHERS_READY, of(3).deleting(0), 2, "waiting for aion-0 to become Ready"),
        row(Check.OTHERS_READY, of(3).desired(5), 2, null), // aion-3 and aion-4 have no pod yet: not expected
        row(Check.OTHERS_IN_GROUP, of(3), 2, null),
        row(Check.OTHERS_IN_GROUP, of(3).unreachable(1), 2, "waiting for aion-1 to rejoin the group"),
        row(Check.OTHERS_IN_GROUP, of(3).learner(1), 2,
            "waiting for aion-1 to join the group as a voter (it is a learner)"),
        row(Check.OTHERS_IN_GROUP, of(3).absent(1), 2, "(it is not in the group)"),
        row(Check.OTHERS_IN_GROUP, of(3).absent(2), 2, null),
        row(Check.OTHERS_CAUGHT_UP, of(3).behind(1, 1_000), 2, null),
        row(Check.OTHERS_CAUGHT_UP, of(3).behind(1, 1_001), 2, "waiting for aion-1 to catch up: 1,001 entries behind"),
        row(Check.OTHERS_CAUGHT_UP, of(3).behind(2, 50_000), 2, null),
        row(Check.OTHERS_CAUGHT_UP, of(3).sts(4).newPod(3).learner(3).behind(3, 7), 2, null),
        row(Check.OTHERS_CAUGHT_UP, of(3).sts(4).newPod(3).learner(3).behind(3, 7_000), 2, "aion-3 to catch up: 7,000"),
        row(Check.OTHERS_ON_TARGET_VERSION, of(3).upgrade(), 2, null), // nobody updated yet: old versions are fine
        row(Check.OTHERS_ON_TARGET_VERSION, of(3).upgrade().updated(1), 2, null),
        row(Check.OTHERS_ON_TARGET_VERSION, of(3).upgrade().updated(1).reports(1, "1.0"), 2,
            "waiting for aion-1 to report version 2.0 (it reports 1.0)"),
        row(Check.OTHERS_ON_TARGET_VERSION, of(3).upgrade().updated(1).reports(1, null), 2, "(it reports nothing)"),
        row(Check.OTHERS_ON_TARGET_VERSION, of(3).configChange().updated(1), 2, null),
        row(Check.ENGINE_SAYS_SAFE, of(3), 2, null),
        row(Check.ENGINE_SAYS_SAFE, of(3).unsafe(2, "aion-1 is not caught up"), 2,
            "the engine says restarting aion-2 is not safe: aion-1 is not caught up"),
        row(Check.ENGINE_SAYS_SAFE, of(3).unsafe(2, null), 2, "not safe: it gave no reason"),
        row(Check.ENGINE_SAYS_SAFE, of(1).unsafe(0, "no quorum without it"), 0, null),
        // the only voter: no restart of it can keep a quorum, with or without a learner beside it
        row(Check.ENGINE_SAYS_SAFE, of(1).desired(3).sts(2).newPod(1).learner(1).unsafe(0, "x"), 0, null),
        row(Check.ENGINE_SAYS_SAFE, of(3).absent(2), 2, "not safe: it gave no reason"));
  }

  @ParameterizedTest(name = "{0} #{index}")
  @MethodSource("rows")
  void says(Check check, Cluster cluster, int member, String says) {
    Snapshot s = cluster.build();
    String why = check.blocker(s, s.members().get(member));
    if (says == null) {
      assertThat(why).isNull();
    } else {
      assertThat(why).contains(says);
    }
  }
}
