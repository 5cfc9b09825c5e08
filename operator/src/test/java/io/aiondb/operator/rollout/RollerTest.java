package io.aiondb.operator.rollout;

import static io.aiondb.operator.rollout.Cluster.of;
import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.rollout.Action.Halt;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per situation: the observed cluster, the one action the roller must choose, and words its message needs. */
class RollerTest {
  private static final Duration S30 = Duration.ofSeconds(30);
  private static final Duration M9 = Duration.ofMinutes(9);
  private static final Duration M11 = Duration.ofMinutes(11);

  private static Arguments row(String situation, Cluster c, String action, String... says) {
    return Arguments.of(situation, c, action, says);
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        // steady state
        row("a settled cluster needs nothing", of(3), "Done"),
        row("a settled one-member cluster needs nothing", of(1), "Done"),
        // the roll: followers first, highest ordinal first, the leader last
        row("an upgrade starts with the highest follower", of(3).upgrade(), "RestartPod aion-2", "r1 -> r2"),
        row("a config change (same version) rolls the same way", of(3).configChange(), "RestartPod aion-2"),
        row("the leader is skipped while followers remain", of(3).upgrade().leader(2), "RestartPod aion-1"),
        row("after a restart: wait for Ready", of(3).upgrade().updated(2).notReady(2, S30, null),
            "Wait MemberNotReady", "waiting for aion-2 to become Ready"),
        row("after a restart: wait for the member to rejoin", of(3).upgrade().updated(2).unreachable(2),
            "Wait MemberNotInGroup", "waiting for aion-2 to rejoin the group"),
        row("after a restart: wait for it to catch up", of(3).upgrade().updated(2).behind(2, 12_400),
            "Wait MemberNotCaughtUp", "waiting for aion-2 to catch up: 12,400 entries behind"),
        row("after a restart: wait for the new version", of(3).upgrade().updated(2).reports(2, "1.0"),
            "Wait MemberVersionPending", "waiting for aion-2 to report version 2.0 (it reports 1.0)"),
        row("a settled restart lets the next follower go", of(3).upgrade().updated(2), "RestartPod aion-1"),
        row("only the leader left: move its leadership first, to an updated follower", of(3).upgrade().updated(1, 2),
            "DrainLeadership aion-0", "to aion-1"),
        row("leadership moved: the old leader is now a follower and restarts", of(3).upgrade().updated(1, 2).leader(1),
            "RestartPod aion-0"),
        row("no drain while the transfer target is behind", of(3).upgrade().updated(1, 2).behind(2, 5_000),
            "Wait MemberNotCaughtUp", "aion-2"),
        row("all updated but the last one still catching up", of(3).upgrade().updated(0, 1, 2).behind(0, 2_000),
            "Wait MemberNotCaughtUp", "waiting for aion-0 to catch up: 2,000 entries behind"),
        row("all updated, settled: done", of(3).upgrade().updated(0, 1, 2).leader(1), "Done"),
        // never restart while another member is unwell or the engine says no
        row("another member not Ready blocks the restart", of(3).upgrade().updated(1).notReady(1, S30, null),
            "Wait MemberNotReady", "aion-1"),
        row("another member behind blocks the restart", of(3).upgrade().behind(1, 2_000),
            "Wait MemberNotCaughtUp", "aion-1 to catch up: 2,000"),
        row("the engine says unsafe",
            of(3).upgrade().unsafe(2, "restarting aion-2 now would leave 1 of 3 voters healthy"),
            "Wait EngineSaysUnsafe", "not safe: restarting aion-2 now would leave 1 of 3 voters healthy"),
        row("a one-member cluster restarts its only voter though the engine cannot call it safe",
            of(1).upgrade().unsafe(0, "no quorum without it"), "RestartPod aion-0"),
        row("a terminating pod is waited for", of(3).upgrade().deleting(1), "Wait PodTerminating", "aion-1"),
        row("a StatefulSet not yet observed may have a stale update revision", of(3).upgrade().unobserved(),
            "Wait StatefulSetNotObserved"),
        row("an engine that does not answer stops everything", of(3).upgrade().engineDown("connection refused"),
            "Wait EngineUnavailable", "connection refused"),
        row("no leader: wait for the election", of(3).upgrade().leader(-1), "Wait NoLeader"),
        // the operator is killed: state comes only from the snapshot
        row("a new operator without status resumes from the pods", of(3).upgrade().updated(2), "RestartPod aion-1"),
        row("killed after recording a restart, before deleting the pod: restart it again",
            of(3).upgrade().inFlight("aion-2", Duration.ofMinutes(20)), "RestartPod aion-2"),
        row("killed after deleting the pod: the timer runs from the status",
            of(3).upgrade().updated(2).notReady(2, S30, "ContainerCreating").inFlight("aion-2", M9),
            "Wait MemberNotReady", "aion-2"),
        // the Ready timeout halts; halted stays halted until the spec moves
        row("a restarted member not Ready within podReadyTimeout halts the rollout",
            of(3).upgrade().updated(2).notReady(2, M11, "CrashLoopBackOff: exit 1").inFlight("aion-2", M11),
            "Halt aion-2", "CrashLoopBackOff: exit 1"),
        row("the timer restarts when the pod lost Ready after our restart",
            of(3).upgrade().updated(2).notReady(2, S30, null).inFlight("aion-2", M11), "Wait MemberNotReady"),
        row("halted stays halted though the next member would look restartable",
            of(3).upgrade().updated(2).halted("r2", 3, "aion-2", "CrashLoopBackOff"),
            "Halt aion-2", "CrashLoopBackOff"),
        row("a halt touches nothing else, not even a member that lost its data",
            of(3).upgrade().updated(2).notReady(2, M11, null).emptyData(1).halted("r2", 3, "aion-2", "exit 1"),
            "Halt aion-2"),
        row("rollback after a halt: the stuck member is restarted first",
            of(3).rolledBack().onR2(2).notReady(2, Duration.ofMinutes(30), "CrashLoopBackOff")
                .halted("r2", 3, "aion-2", "CrashLoopBackOff"), "RestartPod aion-2", "r2 -> r1"),
        row("rollback after a halt of a one-member cluster whose engine is down",
            of(1).rolledBack().onR2(0).notReady(0, Duration.ofMinutes(30), "CrashLoopBackOff")
                .engineDown("connection refused").halted("r2", 1, "aion-0", "CrashLoopBackOff"), "RestartPod aion-0"),
        row("a one-member cluster halts on the timeout though its engine cannot answer",
            of(1).upgrade().updated(0).notReady(0, M11, "CrashLoopBackOff").engineDown("connection refused")
                .inFlight("aion-0", M11), "Halt aion-0"),
        row("a scale-up halted on a new pod, spec.replicas set back: the pod goes",
            of(3).sts(4).newPod(3).notReady(3, Duration.ofMinutes(30), "ImagePullBackOff")
                .halted("r1", 5, "aion-3", "ImagePullBackOff"), "ScaleStatefulSet 3"),
        row("a rollback of a finished change rolls the same way, followers first", of(3).rolledBack().onR2(0, 1, 2),
            "RestartPod aion-2", "r2 -> r1"),
        row("a stuck pod is not restarted while another is not Ready either",
            of(3).upgrade().notReady(2, S30, null).updated(1).notReady(1, S30, null), "Wait MemberNotReady"),
        // scaling up, one member at a time, after the roll
        row("3->5: grow the StatefulSet by one", of(3).desired(5), "ScaleStatefulSet 4"),
        row("3->5: the new pod is not Ready yet", of(3).desired(5).sts(4).newPod(3).notReady(3, S30, null),
            "Wait MemberNotReady", "aion-3's pod to become Ready before it joins"),
        row("3->5: the new pod is not Ready but says it awaits a join: add it",
            of(3).desired(5).sts(4).newPod(3).notReady(3, S30, null).emptyData(3), "AddLearner aion-3"),
        row("3->5: the new pod is Ready: add it as a learner", of(3).desired(5).sts(4).newPod(3), "AddLearner aion-3"),
        row("3->5: the learner catches up", of(3).desired(5).sts(4).newPod(3).learner(3).behind(3, 40_000),
            "Wait MemberNotCaughtUp", "learner aion-3 to catch up: 40,000 entries behind"),
        row("3->5: a caught-up learner is promoted", of(3).desired(5).sts(4).newPod(3).learner(3), "Promote aion-3"),
        row("3->5: no promotion while a voter is behind", of(3).desired(5).sts(4).newPod(3).learner(3).behind(1, 3_000),
            "Wait MemberNotCaughtUp", "aion-1"),
        row("3->5: the fourth is a voter: grow to five", of(3).desired(5).sts(4).newPod(3).voter(3),
            "ScaleStatefulSet 5"),
        row("a new pod that never becomes Ready halts",
            of(3).desired(5).sts(4).newPod(3).notReady(3, M11, "ImagePullBackOff").inFlight("aion-3", M11),
            "Halt aion-3", "ImagePullBackOff"),
        row("an upgrade and a scale-up together: roll first", of(3).desired(5).upgrade(), "RestartPod aion-2"),
        row("1->3: grow to two", of(1).desired(3), "ScaleStatefulSet 2"),
        row("1->3: add the second as a learner", of(1).desired(3).sts(2).newPod(1), "AddLearner aion-1"),
        row("1->3: promote it", of(1).desired(3).sts(2).newPod(1).learner(1), "Promote aion-1"),
        // scaling down: highest ordinal first, leave the group before the pod goes, never lose quorum
        row("5->3: the highest voter leaves the group first", of(5).desired(3), "Decommission aion-4"),
        row("5->3: a leaving leader hands leadership to a member that stays", of(5).desired(3).leader(4),
            "DrainLeadership aion-4", "to aion-0"),
        row("5->3: out of the group: its pod goes", of(5).desired(3).absent(4), "ScaleStatefulSet 4"),
        row("5->3: then the next", of(5).desired(3).absent(4).sts(4).noPod(4), "Decommission aion-3"),
        row("5->3: nobody leaves while another lags", of(5).desired(3).behind(1, 3_000),
            "Wait MemberNotCaughtUp", "aion-1"),
        row("5->3: the engine says removal would lose quorum",
            of(5).desired(3).unsafeToRemove(4, "removing aion-4 would leave 2 of 4 voters"),
            "Wait EngineSaysUnsafe", "removing aion-4 would leave 2 of 4 voters"),
        row("a scale-down and an upgrade together: leave first", of(5).desired(3).upgrade(), "Decommission aion-4"),
        row("3->1: the last to leave is aion-1", of(3).desired(1).absent(2).sts(2).noPod(2), "Decommission aion-1"),
        // a scale reversed mid-way converges
        row("3->5->3 while aion-3 is a learner: it is removed", of(3).sts(4).newPod(3).learner(3).behind(3, 40_000),
            "Decommission aion-3"),
        row("3->5->3 before aion-3 joined: its pod simply goes", of(3).sts(4).newPod(3), "ScaleStatefulSet 3"),
        row("3->5->3 with aion-3 a voter and aion-4 a learner: the learner goes first",
            of(3).sts(5).newPod(3).voter(3).newPod(4).learner(4), "Decommission aion-4"),
        // a member that lost its data
        row("an empty volume: the member is replaced", of(3).emptyData(1), "ReplaceMember aion-1",
            "replacing aion-1, which lost its data"),
        row("an empty volume, but removing it would lose quorum",
            of(3).emptyData(1).unsafeToRemove(1, "aion-2 is not caught up"),
            "Wait EngineSaysUnsafe", "aion-2 is not caught up"),
        row("replaced: the learner catches up", of(3).learner(1).behind(1, 90_000), "Wait MemberNotCaughtUp", "90,000"),
        row("replaced: caught up, promoted", of(3).learner(1), "Promote aion-1"),
        row("killed between removal and re-adding: add it", of(3).absent(1), "AddLearner aion-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(String situation, Cluster cluster, String expected, String[] says) {
    Action action = Roller.next(cluster.build());
    assertThat(action.summary()).as("%s -> %s", situation, action).isEqualTo(expected);
    String text = action instanceof Action.Wait w ? w.message() : action.message();
    for (String word : says) {
      assertThat(text).as(situation).contains(word);
    }
    // Events and the Progressing condition capitalize the message: a leading member name would read "Aion-1".
    assertThat(text).as("%s: message starts with a member name", situation).doesNotStartWith("aion-");
    if (action instanceof Halt h) {
      assertThat(h.reason()).isEqualTo(Halt.ROLLOUT_STALLED);
    }
  }
}
