package io.aiondb.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.aiondb.operator.api.AionBackupScheduleSpec;
import io.aiondb.operator.api.AionBackupScheduleStatus;
import io.aiondb.operator.api.AionBackupSpec;
import io.aiondb.operator.api.AionBackupStatus.Phase;
import io.aiondb.operator.backup.ScheduleStep.Backup;
import io.aiondb.operator.backup.ScheduleStep.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleStepTest {
  private static final Instant CREATED = Instant.parse("2026-12-06T10:30:12Z");

  private static AionBackupScheduleSpec spec(String schedule) {
    AionBackupScheduleSpec s = new AionBackupScheduleSpec();
    s.setCluster("db");
    s.setSchedule(schedule);
    return s;
  }

  private static AionBackupScheduleStatus ranAt(String time) {
    AionBackupScheduleStatus st = new AionBackupScheduleStatus();
    st.setLastScheduleTime(time);
    return st;
  }

  private static Plan decide(AionBackupScheduleSpec spec, AionBackupScheduleStatus status, String now, List<Backup> backups) {
    return ScheduleStep.decide("nightly", new ScheduleStep.Snapshot(Instant.parse(now), CREATED, spec, status, true, backups));
  }

  private static Backup completed(String name, String at) {
    return new Backup(name, Phase.Completed, Instant.parse(at), Instant.parse(at).plusSeconds(60), false);
  }

  @Test
  void parsesCronJobSyntaxAndRefusesTheRest() {
    assertThat(ScheduleStep.parse("0 3 * * *", null)).isInstanceOf(ScheduleStep.Valid.class);
    assertThat(ScheduleStep.parse("*/15 * * * 1-5", "Europe/Berlin")).isInstanceOf(ScheduleStep.Valid.class);
    for (String macro : List.of("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually")) {
      assertThat(ScheduleStep.parse(macro, null)).as(macro).isInstanceOf(ScheduleStep.Valid.class);
    }
    for (String bad : List.of("0 3 * * * *", "every day", "@every 5m", "61 * * * *", "0 25 * * *", "", "* * *")) {
      assertThat(ScheduleStep.parse(bad, null)).as("'%s'", bad).isInstanceOfSatisfying(ScheduleStep.Invalid.class,
          i -> assertThat(i.message()).startsWith("spec.schedule '" + bad + "' is not a schedule"));
    }
    assertThat(ScheduleStep.parse("0 3 * * *", "Mars/Olympus")).isInstanceOfSatisfying(ScheduleStep.Invalid.class,
        i -> assertThat(i.message()).contains("spec.timeZone 'Mars/Olympus'"));
    Plan invalid = decide(spec("0 3 * *"), null, "2026-12-07T03:00:00Z", List.of());
    assertThat(invalid.create()).isNull();
    assertThat(invalid.status().getReason()).isEqualTo("InvalidSchedule");
    assertThat(invalid.wake()).as("an edit wakes it").isNull();
  }

  @Test
  void waitsForTheFirstTimeAfterCreationThenStartsTheRunNamedAfterIt() {
    Plan early = decide(spec("@hourly"), null, "2026-12-06T10:59:00Z", List.of());
    assertThat(early.create()).as("10:00 was before the schedule existed").isNull();
    assertThat(early.status().getNextScheduleTime()).isEqualTo("2026-12-06T11:00:00Z");
    assertThat(early.wake()).isEqualTo(Duration.ofSeconds(60).plusMillis(500));

    Plan due = decide(spec("@hourly"), null, "2026-12-06T11:00:00.300Z", List.of());
    assertThat(due.create()).isEqualTo(new ScheduleStep.Create("nightly-202612061100", Instant.parse("2026-12-06T11:00:00Z")));
    assertThat(due.status().getLastScheduleTime()).isEqualTo("2026-12-06T11:00:00Z");
    assertThat(due.status().getLastBackup()).isEqualTo("nightly-202612061100");
    assertThat(due.status().getNextScheduleTime()).isEqualTo("2026-12-06T12:00:00Z");
    assertThat(due.wake()).as("it runs: look again soon").isEqualTo(ScheduleStep.BUSY);

    Plan again = decide(spec("@hourly"), due.status(), "2026-12-06T11:00:20Z",
        List.of(new Backup("nightly-202612061100", Phase.Completed, Instant.parse("2026-12-06T11:00:00Z"),
            Instant.parse("2026-12-06T11:00:15Z"), false)));
    assertThat(again.create()).as("the run at 11:00 is done: nothing until 12:00").isNull();
    assertThat(again.status().getLastSuccessfulBackup()).isEqualTo("nightly-202612061100");
    assertThat(again.status().getLastSuccessfulTime()).isEqualTo("2026-12-06T11:00:15Z");
    assertThat(again.status().getActive()).isNull();
  }

  @Test
  void missedRunsCollapseIntoOneCatchUp() {
    Plan p = decide(spec("*/10 * * * *"), ranAt("2026-12-06T11:00:00Z"), "2026-12-06T14:27:00Z", List.of());
    assertThat(p.create()).isEqualTo(new ScheduleStep.Create("nightly-202612061420", Instant.parse("2026-12-06T14:20:00Z")));
    Plan then = decide(spec("*/10 * * * *"), p.status(), "2026-12-06T14:27:30Z",
        List.of(new Backup("nightly-202612061420", Phase.Completed, Instant.parse("2026-12-06T14:20:00Z"), null, false)));
    assertThat(then.create()).isNull();
  }

  @Test
  void aRunWhoseObjectExistsIsRecordedNotStartedAgain() {
    List<Backup> created = List.of(new Backup("nightly-202612061200", Phase.Pending, Instant.parse("2026-12-06T12:00:00Z"), null, false));
    Plan p = decide(spec("@hourly"), ranAt("2026-12-06T11:00:00Z"), "2026-12-06T12:00:05Z", created);
    assertThat(p.create()).isNull();
    assertThat(p.status().getLastScheduleTime()).isEqualTo("2026-12-06T12:00:00Z");
    assertThat(p.status().getLastBackup()).isEqualTo("nightly-202612061200");
    assertThat(p.status().getActive()).isEqualTo("nightly-202612061200");
    assertThat(p.status().getMessage()).as("not waiting for itself").isNull();
  }

  @Test
  void aDueRunWaitsForTheActiveOneAndNothingStartsSuspendedOrWithoutItsCluster() {
    List<Backup> running = List.of(new Backup("nightly-202612061100", Phase.Running, Instant.parse("2026-12-06T11:00:00Z"), null, false));
    Plan waits = decide(spec("@hourly"), ranAt("2026-12-06T11:00:00Z"), "2026-12-06T12:00:05Z", running);
    assertThat(waits.create()).isNull();
    assertThat(waits.status().getActive()).isEqualTo("nightly-202612061100");
    assertThat(waits.status().getMessage()).contains("2026-12-06T12:00:00Z", "waits for AionBackup nightly-202612061100");
    assertThat(waits.status().getLastScheduleTime()).as("still owed").isEqualTo("2026-12-06T11:00:00Z");
    assertThat(waits.wake()).isEqualTo(ScheduleStep.BUSY);

    AionBackupScheduleSpec suspended = spec("@hourly");
    suspended.setSuspend(true);
    Plan s = decide(suspended, ranAt("2026-12-06T11:00:00Z"), "2026-12-06T12:00:05Z", List.of());
    assertThat(s.create()).isNull();
    assertThat(s.status().getNextScheduleTime()).isNull();

    Plan noCluster = ScheduleStep.decide("nightly", new ScheduleStep.Snapshot(Instant.parse("2026-12-06T12:00:05Z"),
        CREATED, spec("@hourly"), ranAt("2026-12-06T11:00:00Z"), false, List.of()));
    assertThat(noCluster.create()).isNull();
    assertThat(noCluster.status().getReason()).isEqualTo("ClusterNotFound");
  }

  @Test
  void immediateStartsAtCreationAndTimeZonesMoveTheTimes() {
    AionBackupScheduleSpec now = spec("0 3 * * *");
    now.setImmediate(true);
    assertThat(decide(now, null, "2026-12-06T10:30:14Z", List.of()).create())
        .isEqualTo(new ScheduleStep.Create("nightly-202612061030", Instant.parse("2026-12-06T10:30:00Z")));
    assertThat(decide(now, ranAt("2026-12-06T10:30:00Z"), "2026-12-06T10:31:00Z", List.of()).create()).isNull();

    AionBackupScheduleSpec berlin = spec("0 3 * * *");
    berlin.setTimeZone("Europe/Berlin");
    Plan p = decide(berlin, ranAt("2026-12-06T02:00:00Z"), "2026-12-07T02:00:30Z", List.of());
    assertThat(p.create()).as("03:00 in Berlin is 02:00 UTC in December")
        .isEqualTo(new ScheduleStep.Create("nightly-202612070200", Instant.parse("2026-12-07T02:00:00Z")));
    assertThat(p.status().getNextScheduleTime()).isEqualTo("2026-12-08T02:00:00Z");
  }

  @Test
  void retentionKeepsTheNewestAndMinKeepAndThreeFailed() {
    List<Backup> backups = new ArrayList<>();
    for (int day = 1; day <= 5; day++) backups.add(completed("d" + day, "2026-12-0" + day + "T03:00:00Z"));
    for (int i = 1; i <= 5; i++) {
      backups.add(new Backup("f" + i, Phase.Failed, Instant.parse("2026-11-2" + i + "T03:00:00Z"), null, false));
    }
    AionBackupScheduleSpec keep2 = spec("0 3 * * *");
    keep2.setRetention(new AionBackupScheduleSpec.Retention());
    keep2.getRetention().setKeepLast(2);
    Plan p = decide(keep2, ranAt("2026-12-05T03:00:00Z"), "2026-12-05T04:00:00Z", backups);
    assertThat(p.delete()).containsExactlyInAnyOrder("d3", "d2", "d1", "f2", "f1");
    assertThat(p.status().getSweepPending()).as("Delete policy: their files are owed a sweep").isTrue();
    assertThat(p.sweep()).as("not before the deletions went through").isFalse();

    AionBackupScheduleSpec week = spec("0 3 * * *");
    week.setRetention(new AionBackupScheduleSpec.Retention());
    week.getRetention().setMaxAge("2d");
    week.getRetention().setMinKeep(1);
    assertThat(decide(week, ranAt("2026-12-05T03:00:00Z"), "2026-12-05T04:00:00Z", backups).delete())
        .as("completed before 12-03 04:00").contains("d1", "d2", "d3").doesNotContain("d4", "d5");
    assertThat(decide(week, ranAt("2026-12-05T03:00:00Z"), "2026-12-20T04:00:00Z", backups).delete())
        .as("all too old, but minKeep keeps the newest").contains("d1", "d2", "d3", "d4").doesNotContain("d5");

    AionBackupScheduleSpec retain = spec("0 3 * * *");
    retain.setDeletionPolicy(AionBackupSpec.DeletionPolicy.Retain);
    retain.setRetention(keep2.getRetention());
    assertThat(decide(retain, ranAt("2026-12-05T03:00:00Z"), "2026-12-05T04:00:00Z", backups).status().getSweepPending())
        .as("Retain: the store keeps them, nothing to sweep").isNull();
    assertThat(decide(spec("0 3 * * *"), ranAt("2026-12-05T03:00:00Z"), "2026-12-05T04:00:00Z", backups).delete())
        .as("no retention: completed ones stay").containsExactlyInAnyOrder("f2", "f1");
  }

  @Test
  void aSweepIsAskedOnceTheDeletionsAreThrough() {
    AionBackupScheduleStatus owed = ranAt("2026-12-05T03:00:00Z");
    owed.setSweepPending(true);
    List<Backup> deleting = List.of(completed("d5", "2026-12-05T03:00:00Z"),
        new Backup("d1", Phase.Completed, Instant.parse("2026-12-01T03:00:00Z"), null, true));
    assertThat(decide(spec("0 3 * * *"), owed, "2026-12-05T04:00:00Z", deleting).sweep()).isFalse();
    Plan p = decide(spec("0 3 * * *"), owed, "2026-12-05T04:00:00Z", List.of(completed("d5", "2026-12-05T03:00:00Z")));
    assertThat(p.sweep()).isTrue();
    assertThat(p.wake()).isEqualTo(ScheduleStep.BUSY);
  }

  @Test
  void everyNthRunIsVerified() {
    AionBackupScheduleSpec spec = spec("@hourly");
    spec.setVerify(new AionBackupScheduleSpec.Verify());
    spec.getVerify().setEvery(2);
    spec.getVerify().setLevel(AionBackupSpec.Verify.Deep);
    AionBackupScheduleStatus st = ranAt("2026-12-06T11:00:00Z");
    List<AionBackupSpec.Verify> levels = new ArrayList<>();
    for (int hour = 12; hour <= 15; hour++) {
      Plan p = decide(spec, st, "2026-12-06T" + hour + ":00:01Z", List.of());
      levels.add(p.create().verify());
      st = p.status();
    }
    assertThat(levels).containsExactly(AionBackupSpec.Verify.Deep, AionBackupSpec.Verify.None,
        AionBackupSpec.Verify.Deep, AionBackupSpec.Verify.None);
    assertThat(st.getRuns()).isEqualTo(4);
  }
}
