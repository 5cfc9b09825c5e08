package io.aiondb.operator.rollout;

import static io.aiondb.operator.rollout.Cluster.NOW;
import static io.aiondb.operator.rollout.Cluster.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aiondb.operator.rollout.Snapshot.Member;
import io.aiondb.operator.rollout.Snapshot.StatefulSetView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code status.rollout} becomes after each decision, and the snapshot's input checks. */
class RollerStatusTest {
  @Test
  void aSettledClusterHasNoRollout() {
    Snapshot s = of(3).build();
    assertThat(RolloutStatus.after(s, Roller.next(s))).isNull();
    Snapshot waiting = of(3).notReady(1, Duration.ofSeconds(5), null).build(); // a crash, not a change of spec
    assertThat(RolloutStatus.after(waiting, Roller.next(waiting))).isNull();
    Snapshot evicted = of(3).noPod(1).build(); // the StatefulSet recreates it: no rollout either
    assertThat(Roller.next(evicted).summary()).isEqualTo("Wait MemberNotReady");
    assertThat(RolloutStatus.after(evicted, Roller.next(evicted))).isNull();
  }

  @Test
  void aChangeStartsARolloutAndRecordsTheRestartedMemberAndTime() {
    Snapshot s = of(3).upgrade().updated(2).build();
    Action a = Roller.next(s);
    RolloutStatus r = RolloutStatus.after(s, a);
    assertThat(r).isEqualTo(new RolloutStatus("r2", 3, "2.0", NOW, 1, "aion-1", NOW, null, null));
  }

  @Test
  void aWaitKeepsTheRolloutAsItWas() {
    Snapshot s = of(3).upgrade().updated(2).behind(2, 5_000).inFlight("aion-2", Duration.ofMinutes(1)).build();
    RolloutStatus r = RolloutStatus.after(s, Roller.next(s));
    assertThat(r.currentMember()).isEqualTo("aion-2");
    assertThat(r.currentSince()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
    assertThat(r.startedAt()).isEqualTo(s.rollout().startedAt());
  }

  @Test
  void aHaltIsRecordedAndANewTargetLiftsIt() {
    Snapshot s = of(3).upgrade().updated(2).notReady(2, Duration.ofMinutes(11), "exit 1")
        .inFlight("aion-2", Duration.ofMinutes(11)).build();
    RolloutStatus halted = RolloutStatus.after(s, Roller.next(s));
    assertThat(halted.halted()).isTrue();
    assertThat(halted.haltedMember()).isEqualTo("aion-2");
    assertThat(halted.haltMessage()).isEqualTo("exit 1");

    Snapshot back = of(3).rolledBack().onR2(2).notReady(2, Duration.ofMinutes(30), "exit 1").build();
    back = new Snapshot(back.members(), back.statefulSet(), 3, "1.0", null, NOW, Cluster.TIMEOUT, halted);
    Action a = Roller.next(back);
    RolloutStatus next = RolloutStatus.after(back, a);
    assertThat(a.summary()).isEqualTo("RestartPod aion-2");
    assertThat(next.halted()).isFalse();
    assertThat(next.targetRevision()).isEqualTo("r1");
    assertThat(next.currentMember()).isEqualTo("aion-2");
  }

  @Test
  void growingTheStatefulSetStartsTheTimerForTheNewMember() {
    Snapshot s = of(3).desired(5).build();
    RolloutStatus r = RolloutStatus.after(s, Roller.next(s));
    assertThat(r.currentMember()).isEqualTo("aion-3");
    assertThat(r.currentSince()).isEqualTo(NOW);
    assertThat(r.targetReplicas()).isEqualTo(5);
  }

  @Test
  void doneClearsTheRollout() {
    Snapshot s = of(3).upgrade().updated(0, 1, 2).inFlight("aion-0", Duration.ofMinutes(1)).build();
    assertThat(Roller.next(s).summary()).isEqualTo("Done");
    assertThat(RolloutStatus.after(s, Roller.next(s))).isNull();
  }

  @Test
  void membershipStatesForTheStatus() {
    Snapshot s = of(5).desired(3).emptyData(1).build();
    assertThat(s.members().stream().map(s::membershipState))
        .containsExactly("Voter", "Replacing", "Voter", "Leaving", "Leaving");
    Snapshot up = of(3).desired(5).sts(5).newPod(3).learner(3).newPod(4).build();
    assertThat(up.members().stream().map(up::membershipState))
        .containsExactly("Voter", "Voter", "Voter", "Learner", "Joining");
  }

  @Test
  void snapshotsRefuseInputsThatCannotBeTrue() {
    Snapshot ok = of(3).build();
    List<Member> gap = List.of(ok.members().get(0), ok.members().get(2));
    assertThatThrownBy(() -> new Snapshot(gap, ok.statefulSet(), 2, null, null, NOW, Cluster.TIMEOUT, null))
        .hasMessageContaining("ordinal 2 at position 1");
    assertThatThrownBy(() -> new Snapshot(ok.members(), ok.statefulSet(), 5, null, null, NOW, Cluster.TIMEOUT, null))
        .hasMessageContaining("members must cover ordinals 0..4");
    assertThatThrownBy(() -> new Snapshot(ok.members(), ok.statefulSet(), 3, null, null, NOW, Duration.ZERO, null))
        .hasMessageContaining("podReadyTimeout must be positive");
    assertThatThrownBy(() -> new StatefulSetView(null, "r1", 3, 3, true))
        .hasMessageContaining("no updateRevision");
  }

  @Test
  void aDrainEventSaysWhereLeadershipWentNotOnlyWhereItWasAsked() {
    Action.DrainLeadership d = new Action.DrainLeadership("aion-0", "aion-1");
    assertThat(d.done(List.of("aion-1")))
        .isEqualTo("moved leadership off aion-0 to aion-1 before aion-0 is restarted or removed");
    assertThat(d.done(List.of("aion-2"))).isEqualTo("moved leadership off aion-0 to aion-2 before aion-0 is restarted"
        + " or removed (aion-1 was asked for; the engine chose aion-2: aion-1 was not reachable and caught up when it moved)");
    assertThat(d.done(List.of())).as("the answer does not say: the action's own message is used").isNull();
    assertThat(d.done(List.of("aion-0"))).isNull();
  }

  @Test
  void aHaltHoldsWhileTheRetryAnnotationKeepsItsValueAndANewValueLiftsIt() {
    Snapshot s = of(3).upgrade().updated(2).notReady(2, Duration.ofMinutes(11), "exit 1")
        .inFlight("aion-2", Duration.ofMinutes(11)).build();
    Snapshot annotated = new Snapshot(s.members(), s.statefulSet(), 3, s.targetVersion(), null, NOW, Cluster.TIMEOUT,
        s.rollout(), "1");
    RolloutStatus halted = RolloutStatus.after(annotated, Roller.next(annotated));
    assertThat(halted.halted()).isTrue();
    assertThat(halted.haltRetry()).as("the value seen when it halted").isEqualTo("1");

    // the same value (an annotation left from an earlier retry) does not lift it
    Snapshot same = new Snapshot(s.members(), s.statefulSet(), 3, s.targetVersion(), null, NOW.plusSeconds(60),
        Cluster.TIMEOUT, halted, "1");
    assertThat(Roller.next(same)).isInstanceOf(Action.Halt.class);
    assertThat(RolloutStatus.after(same, Roller.next(same))).isEqualTo(halted);

    // a new value lifts it: the stalled member, still not Ready, has its timeout again from now
    Snapshot retried = new Snapshot(s.members(), s.statefulSet(), 3, s.targetVersion(), null, NOW, Cluster.TIMEOUT,
        halted, "2");
    assertThat(retried.rollout().halted()).isFalse();
    assertThat(retried.rollout().currentMember()).isEqualTo("aion-2");
    assertThat(retried.rollout().currentSince()).isEqualTo(NOW);
    Action a = Roller.next(retried);
    assertThat(a).isNotInstanceOf(Action.Halt.class);
    RolloutStatus going = RolloutStatus.after(retried, a);
    assertThat(going.halted()).isFalse();
    // and it halts again once that has passed, recording the new value
    Snapshot later = new Snapshot(s.members(), s.statefulSet(), 3, s.targetVersion(), null,
        NOW.plus(Cluster.TIMEOUT).plusSeconds(1), Cluster.TIMEOUT, going, "2");
    RolloutStatus again = RolloutStatus.after(later, Roller.next(later));
    assertThat(again.halted()).isTrue();
    assertThat(again.haltRetry()).isEqualTo("2");
  }
}
