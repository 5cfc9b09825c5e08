package io.aiondb.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus;
import io.aiondb.operator.backup.BackupStep.Answer;
import io.aiondb.operator.backup.BackupStep.Member;
import io.aiondb.operator.engine.BackupView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupStepTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final List<Member> HEALTHY = List.of(new Member("db-0", 0, true, true, true),
      new Member("db-1", 1, false, true, true), new Member("db-2", 2, false, true, true));

  private static AionBackupSpec spec(AionBackupSpec.Target target) {
    AionBackupSpec s = new AionBackupSpec();
    s.setCluster("db");
    s.setTarget(target);
    s.setDeadline("1h");
    return s;
  }

  private static AionBackupStatus running(String member, Instant started) {
    AionBackupStatus st = new AionBackupStatus();
    st.setPhase(AionBackupStatus.Phase.Running);
    st.setMember(member);
    st.setStartedAt(started.toString());
    return st;
  }

  private static BackupView op(String state, String error) {
    return new BackupView("b", "create", "b", state, NOW.toString(), null, error, Map.of("revision", 7), null);
  }

  private static BackupStep.Decision decide(AionBackupSpec spec, AionBackupStatus status, List<Member> members,
      Answer answer, BackupView op) {
    return BackupStep.decide(new BackupStep.Snapshot(NOW, spec, status, true, true, members, answer, op));
  }

  @Test
  void startsOnTheLowestReadyCaughtUpFollowerOrTheLeader() {
    assertThat(decide(spec(AionBackupSpec.Target.PreferFollower), null, HEALTHY, Answer.NOT_ASKED, null))
        .isEqualTo(new BackupStep.Start("db-1"));
    List<Member> followersBehind = List.of(new Member("db-0", 0, true, true, true),
        new Member("db-1", 1, false, false, true), new Member("db-2", 2, false, true, false));
    assertThat(decide(spec(AionBackupSpec.Target.PreferFollower), null, followersBehind, Answer.NOT_ASKED, null))
        .as("no follower is both a voter and caught up: the leader").isEqualTo(new BackupStep.Start("db-0"));
    assertThat(decide(spec(AionBackupSpec.Target.Leader), null, HEALTHY, Answer.NOT_ASKED, null))
        .isEqualTo(new BackupStep.Start("db-0"));
    List<Member> noLeader = List.of(new Member("db-0", 0, false, true, true), new Member("db-1", 1, false, true, true));
    assertThat(decide(spec(AionBackupSpec.Target.Leader), null, noLeader, Answer.NOT_ASKED, null))
        .isInstanceOfSatisfying(BackupStep.Wait.class, w -> assertThat(w.why()).contains("no leader"));
    assertThat(decide(spec(AionBackupSpec.Target.PreferFollower), null, noLeader, Answer.NOT_ASKED, null))
        .as("a caught-up follower needs no leader to be copied").isEqualTo(new BackupStep.Start("db-0"));
    assertThat(decide(spec(AionBackupSpec.Target.PreferFollower), null, List.of(), Answer.NOT_ASKED, null))
        .isInstanceOf(BackupStep.Wait.class);
    assertThat(decide(spec(AionBackupSpec.Target.PreferFollower), null, null, Answer.NOT_ASKED, null))
        .isInstanceOfSatisfying(BackupStep.Wait.class, w -> assertThat(w.why()).contains("does not answer"));
  }

  @Test
  void followsTheOperationToItsEnd() {
    AionBackupStatus st = running("db-1", NOW.minusSeconds(60));
    var spec = spec(AionBackupSpec.Target.PreferFollower);
    BackupView running = op("running", null);
    assertThat(decide(spec, st, HEALTHY, Answer.KNOWN, running))
        .as("its progress goes to the status").isEqualTo(new BackupStep.Wait(BackupStep.FOLLOW, "member db-1 is backing up", running));
    assertThat(decide(spec, st, HEALTHY, Answer.KNOWN, op("succeeded", null))).isInstanceOf(BackupStep.Complete.class);
    assertThat(decide(spec, st, HEALTHY, Answer.KNOWN, op("failed", "PUT objects/ab failed: connection reset")))
        .isEqualTo(new BackupStep.Fail("Engine", "member db-1: PUT objects/ab failed: connection reset"));
  }

  @Test
  void aRestartedMemberIsAskedAgainAndAGoneOneFails() {
    var spec = spec(AionBackupSpec.Target.PreferFollower);
    assertThat(decide(spec, running("db-2", NOW.minusSeconds(60)), HEALTHY, Answer.FORGOTTEN, null))
        .as("same id again: the engine answers the backup if its manifest was written").isEqualTo(new BackupStep.Start("db-1"));
    assertThat(decide(spec, running("db-2", NOW.minusSeconds(60)), HEALTHY, Answer.UNREACHABLE, null))
        .isInstanceOf(BackupStep.Wait.class);
    assertThat(decide(spec, running("db-3", NOW.minusSeconds(60)), HEALTHY, Answer.UNREACHABLE, null))
        .isInstanceOfSatisfying(BackupStep.Fail.class, f -> assertThat(f.reason()).isEqualTo("MemberGone"));
    assertThat(decide(spec, running("db-3", NOW.minusSeconds(60)), null, Answer.UNREACHABLE, null))
        .as("the engine does not answer at all: members unknown, not gone").isInstanceOf(BackupStep.Wait.class);
  }

  @Test
  void nothingStaysRunningPastItsDeadlineAndTerminalPhasesStay() {
    var spec = spec(AionBackupSpec.Target.PreferFollower);
    assertThat(decide(spec, running("db-1", NOW.minusSeconds(3601)), HEALTHY, Answer.KNOWN, op("running", null)))
        .isInstanceOfSatisfying(BackupStep.Fail.class, f -> assertThat(f.reason()).isEqualTo("DeadlineExceeded"));
    assertThat(decide(spec, running("db-1", NOW.minusSeconds(3599)), HEALTHY, Answer.KNOWN, op("running", null)))
        .isInstanceOf(BackupStep.Wait.class);
    for (var phase : new AionBackupStatus.Phase[] {AionBackupStatus.Phase.Completed, AionBackupStatus.Phase.Failed}) {
      AionBackupStatus st = new AionBackupStatus();
      st.setPhase(phase);
      assertThat(BackupStep.decide(new BackupStep.Snapshot(NOW, spec, st, false, false, List.of(), Answer.NOT_ASKED, null)))
          .isInstanceOf(BackupStep.Done.class);
    }
    assertThat(BackupStep.deadline("90m")).hasMinutes(90);
    assertThat(BackupStep.deadline("45s")).hasSeconds(45);
    assertThat(BackupStep.deadline("6h")).hasHours(6);
  }

  @Test
  void aClusterThatIsGoneOrHasNoStoreFails() {
    var spec = spec(AionBackupSpec.Target.PreferFollower);
    assertThat(BackupStep.decide(new BackupStep.Snapshot(NOW, spec, null, false, false, HEALTHY, Answer.NOT_ASKED, null)))
        .isInstanceOfSatisfying(BackupStep.Fail.class, f -> assertThat(f.reason()).isEqualTo("ClusterNotFound"));
    assertThat(BackupStep.decide(new BackupStep.Snapshot(NOW, spec, null, true, false, HEALTHY, Answer.NOT_ASKED, null)))
        .isInstanceOfSatisfying(BackupStep.Fail.class, f -> assertThat(f.reason()).isEqualTo("BackupNotConfigured"));
  }

  @Test
  void aCompletedBackupIsVerifiedWhenItsSpecAsksAndOnlyOnce() {
    var none = spec(AionBackupSpec.Target.PreferFollower);
    AionBackupStatus done = running("db-1", NOW.minusSeconds(60));
    done.setPhase(AionBackupStatus.Phase.Completed);
    assertThat(decide(none, done, HEALTHY, Answer.NOT_ASKED, null)).isInstanceOf(BackupStep.Done.class);

    var deep = spec(AionBackupSpec.Target.PreferFollower);
    deep.setVerify(AionBackupSpec.Verify.Deep);
    assertThat(decide(deep, done, HEALTHY, Answer.NOT_ASKED, null)).as("on the member that took it")
        .isEqualTo(new BackupStep.StartVerify("db-1"));
    List<Member> without1 = List.of(HEALTHY.get(0), HEALTHY.get(2));
    assertThat(decide(deep, done, without1, Answer.NOT_ASKED, null)).as("it left: the lowest ordinal")
        .isEqualTo(new BackupStep.StartVerify("db-0"));
    assertThat(decide(deep, done, null, Answer.NOT_ASKED, null)).isInstanceOf(BackupStep.Wait.class);

    AionBackupStatus.Verification v = new AionBackupStatus.Verification();
    v.setState(AionBackupStatus.Verification.State.Running);
    v.setMember("db-1");
    v.setOperation("op-20261206T120000Z-0000000a");
    v.setStartedAt(NOW.minusSeconds(30).toString());
    done.setVerification(v);
    assertThat(decide(deep, done, HEALTHY, Answer.KNOWN, op("running", null))).isInstanceOf(BackupStep.Wait.class);
    assertThat(decide(deep, done, HEALTHY, Answer.KNOWN, op("succeeded", null))).isEqualTo(new BackupStep.Verified(true, null));
    assertThat(decide(deep, done, HEALTHY, Answer.KNOWN, op("failed", "file 000012.sst of backup b is damaged")))
        .isEqualTo(new BackupStep.Verified(false, "member db-1: file 000012.sst of backup b is damaged"));
    assertThat(decide(deep, done, HEALTHY, Answer.FORGOTTEN, null)).as("it restarted: again")
        .isEqualTo(new BackupStep.StartVerify("db-1"));
    assertThat(decide(deep, done, HEALTHY, Answer.UNREACHABLE, null)).isInstanceOf(BackupStep.Wait.class);
    v.setStartedAt(NOW.minusSeconds(3601).toString());
    assertThat(decide(deep, done, HEALTHY, Answer.KNOWN, op("running", null)))
        .isInstanceOfSatisfying(BackupStep.Verified.class, r -> assertThat(r.message()).contains("did not complete within 1h"));
    v.setState(AionBackupStatus.Verification.State.Failed);
    assertThat(decide(deep, done, HEALTHY, Answer.NOT_ASKED, null)).as("once").isInstanceOf(BackupStep.Done.class);
  }
}
